//! Outgoing: which of the hub's changes a device receives.
//!
//! The storage filters the log by scope using the place each change recorded just before and just after it; this
//! module adds what a filter cannot express — a document moving **into** the scope brings its earlier history —
//! and keeps to the byte budget.
//!
//! ## Positions and resumption
//!
//! Every entry sent carries a log position, and the device's cursor advances to the position of each frame it
//! applies. A document's history is sent just before the change that moved it in, under that change's position
//! **minus one**: if the reply is cut inside the history (or between the history and the move), the cursor stays
//! before the move, the next session sends the move again, and the history with it. Changes are deduplicated by
//! hash on the device, so nothing is applied twice. A history and its move are never split across two replies.

use ocop_core::sync::message::Entry;
use ocop_core::sync::{NodeId, Outgoing, Scope};

use super::HubBackend;
use crate::error::Result;
use crate::storage::StoredChange;

/// Log rows read per storage call.
const PAGE_ROWS: usize = 512;
/// What an entry costs on the wire beside its bytes (document id, framing).
const ENTRY_OVERHEAD: usize = 24;

/// True when the change moved its document from outside `scope` into it.
fn moves_in(row: &StoredChange, scope: &Scope) -> bool {
    match &row.before {
        Some(before) => row.after.visible_in(scope) && !before.visible_in(scope),
        None => false,
    }
}

fn entry(row: StoredChange) -> Entry {
    Entry {
        doc: *row.doc.as_bytes(),
        bytes: row.bytes,
    }
}

impl HubBackend {
    /// The entries after `after` that `peer` should receive within `scope`, up to about `max_bytes` (at least one
    /// change, with the history it brings).
    pub(crate) fn outgoing_entries(
        &self,
        peer: NodeId,
        scope: &Scope,
        after: u64,
        max_bytes: usize,
    ) -> Result<Outgoing> {
        let mut out = Outgoing {
            entries: Vec::new(),
            through: after,
            more: false,
        };
        let mut bytes = 0usize;
        let mut cursor = after;
        loop {
            let page = self
                .storage
                .log_page(cursor, scope, Some(peer), PAGE_ROWS)?;
            for row in page.rows {
                let seq = row.seq;
                let mut group: Vec<(u64, Entry)> = Vec::new();
                if moves_in(&row, scope) {
                    for earlier in self.storage.document_changes(row.doc, 0)? {
                        if earlier.seq >= seq {
                            break;
                        }
                        if earlier.origin != Some(peer) {
                            group.push((seq - 1, entry(earlier)));
                        }
                    }
                }
                group.push((seq, entry(row)));
                let group_bytes: usize = group
                    .iter()
                    .map(|(_, e)| e.bytes.len() + ENTRY_OVERHEAD)
                    .sum();
                if !out.entries.is_empty() && bytes + group_bytes > max_bytes {
                    out.more = true;
                    return Ok(out);
                }
                bytes += group_bytes;
                out.entries.extend(group);
                out.through = seq;
            }
            if !page.full {
                out.through = out.through.max(page.through);
                return Ok(out);
            }
            cursor = page.through;
        }
    }
}
