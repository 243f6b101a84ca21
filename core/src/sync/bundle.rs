//! File bundles: sync by sneakernet.
//!
//! A bundle is an ordinary sync request message written to a file (`.ocop`): this store's node id and its log
//! entries, in checksummed frames. It can travel by USB stick or as a Zalo attachment and be imported on any
//! other device or hub. Importing applies every sound frame — a bundle cut short by a failed transfer still
//! delivers what arrived — and applying a bundle twice changes nothing.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::SyncError;
use super::message::{self, Body, Head, Tail, Writer};
use crate::error::{Error, Result};
use crate::ids::RecordId;
use crate::store::Store;

/// Frame size in bundles: small, so a file cut short by a failed transfer still delivers most of its work.
const BUNDLE_FRAME_BYTES: usize = 32 * 1024;

/// What a bundle held, or what importing it did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BundleReport {
    /// The node that wrote it (hex).
    pub from: String,
    /// Changes in the bundle / applied from it.
    pub changes: u64,
    /// Documents touched.
    pub documents: u64,
    /// Changes already known (import).
    pub duplicates: u64,
    /// Bytes of the file.
    pub bytes: u64,
    /// Documents whose conflicts changed (import).
    pub conflicts_surfaced: Vec<RecordId>,
    /// The file ended early or was damaged; the sound part was applied.
    pub incomplete: bool,
}

/// Writes this store's log entries after `after` (0 = everything) to `path`. Durable on return.
pub fn write_bundle(store: &Store, path: &Path, after: u64) -> Result<BundleReport> {
    let out = store.push_entries(None, after, usize::MAX)?;
    let mut w = Writer::new(&Head::Sync {
        protocol: message::PROTOCOL,
        node: store.node_id(),
        expect: None,
        cursor: 0,
        push_base: after,
        scope: None,
        max_response: 0,
    })?;
    let mut docs = std::collections::HashSet::new();
    let changes = out.entries.len() as u64;
    let mut frame = Vec::new();
    let mut frame_bytes = 0;
    for (seq, e) in out.entries {
        docs.insert(e.doc);
        frame_bytes += e.bytes.len() + 24;
        frame.push(e);
        if frame_bytes >= BUNDLE_FRAME_BYTES {
            w.body(&Body::Entries {
                through: seq,
                entries: std::mem::take(&mut frame),
            })?;
            frame_bytes = 0;
        }
    }
    w.body(&Body::Entries {
        through: out.through,
        entries: frame,
    })?;
    w.body(&Body::End {
        through: out.through,
        more: false,
    })?;
    let bytes = w.finish();
    let tmp = path.with_extension("ocop.part");
    {
        let mut f = File::create(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    Ok(BundleReport {
        from: store.node_id().to_hex(),
        changes,
        documents: docs.len() as u64,
        duplicates: 0,
        bytes: bytes.len() as u64,
        conflicts_surfaced: Vec::new(),
        incomplete: false,
    })
}

/// Imports a bundle file into `store`.
pub fn import_bundle(store: &Store, path: &Path) -> Result<BundleReport> {
    let bytes = std::fs::read(path)?;
    let decoded = message::decode(&bytes)?;
    let Head::Sync { node, .. } = decoded.head else {
        return Err(Error::Sync(SyncError::Malformed(
            "the file is not a bundle of changes".into(),
        )));
    };
    let mut report = BundleReport {
        from: node.to_hex(),
        bytes: bytes.len() as u64,
        incomplete: decoded.tail != Tail::Complete,
        ..Default::default()
    };
    for frame in decoded.body {
        if let Body::Entries { entries, .. } = frame {
            let batch = entries
                .into_iter()
                .map(|e| (RecordId(uuid::Uuid::from_bytes(e.doc)), vec![e.bytes]))
                .collect();
            let applied = store.apply_entries(batch, Some(&node.to_hex()), |_| Ok(()))?;
            report.changes += applied.applied as u64;
            report.documents += applied.documents as u64;
            report.duplicates += applied.duplicates as u64;
            report
                .conflicts_surfaced
                .extend(applied.conflicted_documents);
        }
    }
    Ok(report)
}
