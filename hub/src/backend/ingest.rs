//! Ingest: pushed changes become rows of the hub's log, or rejections with a reason.
//!
//! For each pushed entry, in the order the device sent them (its log order, which is causal):
//!
//! 1. parse the bytes as an automerge change — or refuse "not an automerge change";
//! 2. skip it when the document already holds it (a repeated message is harmless);
//! 3. refuse it when the document lacks one of its dependencies (the hub never queues a change it cannot apply:
//!    what it stores, it can serve);
//! 4. apply it and read the document's kind and place after it; refuse it when the pusher may not make it
//!    ([`super::state::check_write`]) or when the result is not a record the hub can place — the document is then
//!    rebuilt as it was before the change.
//!
//! The accepted changes of a frame, the documents' new metadata and the peer's new cursor are appended in one
//! transaction. Documents stay in the cache only once that transaction has committed.

use std::collections::HashMap;

use automerge::{AutoCommit, Change};
use ocop_core::records::RecordKind;
use ocop_core::sync::message::{Entry, Rejection};
use ocop_core::sync::{NodeId, Principal};
use uuid::Uuid;

use super::HubBackend;
use super::cache::Cached;
use super::relock;
use super::state::{DocState, check_write, photo_hashes, read_state};
use crate::error::{HubError, Result};
use crate::storage::{AppendBatch, DocUpdate, NewChange};

/// A document being worked on during one ingest.
pub(super) struct Working {
    pub doc: AutoCommit,
    /// Kind and place now (`None`: the hub holds no change of it).
    pub state: Option<DocState>,
    /// Stored changes it reflects, and the log position of the latest.
    pub changes: u64,
    pub last_seq: u64,
    /// Changes accepted in this ingest, not yet stored.
    pub pending: Vec<Vec<u8>>,
}

fn parse_stored(bytes: &[u8]) -> Result<Change> {
    Change::try_from(bytes)
        .map_err(|e| HubError::Storage(format!("a stored change cannot be read: {e}")))
}

impl HubBackend {
    /// Loads a document as the storage holds it, from the cache when the cache is current.
    pub(super) fn load(&self, id: Uuid) -> Result<Working> {
        let Some(meta) = self.storage.document(id)? else {
            return Ok(Working {
                doc: AutoCommit::new(),
                state: None,
                changes: 0,
                last_seq: 0,
                pending: Vec::new(),
            });
        };
        let cached = relock(&self.cache).take(id);
        let mut doc = None;
        if let Some(mut c) = cached {
            if c.last_seq == meta.last_seq && c.changes == meta.changes {
                doc = Some(c.doc);
            } else if c.last_seq < meta.last_seq {
                // Catch up with what was appended since (by this process or another hub).
                let newer = self.storage.document_changes(id, c.last_seq)?;
                if c.changes + newer.len() as u64 == meta.changes {
                    let changes = newer
                        .iter()
                        .map(|s| parse_stored(&s.bytes))
                        .collect::<Result<Vec<_>>>()?;
                    c.doc
                        .apply_changes(changes)
                        .map_err(ocop_core::Error::from)?;
                    doc = Some(c.doc);
                }
            }
        }
        let doc = match doc {
            Some(d) => d,
            None => self.rebuild(id, &[])?,
        };
        let state = match RecordKind::parse(&meta.kind) {
            Ok(kind) => Some(DocState {
                kind,
                place: meta.place,
            }),
            Err(_) => read_state(&doc).ok(),
        };
        Ok(Working {
            doc,
            state,
            changes: meta.changes,
            last_seq: meta.last_seq,
            pending: Vec::new(),
        })
    }

    /// Builds a document from all its stored changes plus `pending` ones.
    fn rebuild(&self, id: Uuid, pending: &[Vec<u8>]) -> Result<AutoCommit> {
        let mut changes = self
            .storage
            .document_changes(id, 0)?
            .iter()
            .map(|s| parse_stored(&s.bytes))
            .collect::<Result<Vec<_>>>()?;
        for p in pending {
            changes.push(parse_stored(p)?);
        }
        let mut doc = AutoCommit::new();
        doc.apply_changes(changes).map_err(ocop_core::Error::from)?;
        Ok(doc)
    }

    /// Applies `entries` pushed by `peer` on behalf of `who`, stores what is accepted together with the peer's
    /// cursor `through`, and returns the rejections.
    pub(crate) fn ingest_entries(
        &self,
        who: &Principal,
        peer: Option<NodeId>,
        entries: Vec<Entry>,
        through: u64,
    ) -> Result<Vec<Rejection>> {
        let _one_at_a_time = relock(&self.ingest_lock);
        let mut work: HashMap<Uuid, Working> = HashMap::new();
        let mut batch = AppendBatch {
            peer: peer.map(|p| (p, through)),
            ..Default::default()
        };
        let mut rejected = Vec::new();
        for entry in entries {
            let id = Uuid::from_bytes(entry.doc);
            let refuse = |change: String, reason: String| Rejection {
                doc: entry.doc,
                change,
                reason,
            };
            let Ok(change) = Change::try_from(&entry.bytes[..]) else {
                rejected.push(refuse(
                    String::new(),
                    "these bytes are not an automerge change".into(),
                ));
                continue;
            };
            let hash = change.hash();
            let w = match work.entry(id) {
                std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
                std::collections::hash_map::Entry::Vacant(v) => v.insert(self.load(id)?),
            };
            if w.doc.get_missing_deps(&[hash]).is_empty() {
                continue; // already held: a repeat
            }
            let missing = w.doc.get_missing_deps(change.deps()).len();
            if missing > 0 {
                rejected.push(refuse(
                    hash.to_string(),
                    format!(
                        "the change builds on {missing} earlier change(s) of this record that the hub does not \
                         have (refused or never sent)"
                    ),
                ));
                continue;
            }
            if let Err(e) = w.doc.apply_changes([change]) {
                w.doc = self.rebuild(id, &w.pending)?;
                rejected.push(refuse(
                    hash.to_string(),
                    format!("the change cannot be applied: {e}"),
                ));
                continue;
            }
            let verdict = read_state(&w.doc)
                .and_then(|after| check_write(who, w.state.as_ref(), &after).map(|()| after));
            match verdict {
                Ok(after) => {
                    batch.changes.push(NewChange {
                        doc: id,
                        hash: hash.0,
                        bytes: entry.bytes.clone(),
                        origin: peer,
                        user_id: who.user_id.clone(),
                        before: w.state.as_ref().map(|s| s.place.clone()),
                        after: after.place.clone(),
                    });
                    w.pending.push(entry.bytes);
                    w.state = Some(after);
                }
                Err(reason) => {
                    w.doc = self.rebuild(id, &w.pending)?;
                    rejected.push(refuse(hash.to_string(), reason));
                }
            }
        }
        for (id, w) in &mut work {
            if w.pending.is_empty() {
                continue;
            }
            let Some(state) = &w.state else { continue };
            batch.docs.push(DocUpdate {
                doc: *id,
                kind: state.kind.as_str().to_string(),
                place: state.place.clone(),
                photos: (state.kind == RecordKind::Visit).then(|| photo_hashes(&w.doc)),
            });
        }
        let seqs = self.storage.append(&batch)?;
        let mut new_rows: HashMap<Uuid, (u64, u64)> = HashMap::new();
        for (c, seq) in batch.changes.iter().zip(&seqs) {
            if let Some(seq) = seq {
                let e = new_rows.entry(c.doc).or_default();
                e.0 += 1;
                e.1 = e.1.max(*seq);
            }
        }
        let mut cache = relock(&self.cache);
        for (id, w) in work {
            let (added, last) = new_rows.get(&id).copied().unwrap_or_default();
            if w.changes + added == 0 {
                continue;
            }
            cache.put(
                id,
                Cached {
                    doc: w.doc,
                    last_seq: w.last_seq.max(last),
                    changes: w.changes + added,
                },
            );
        }
        if !rejected.is_empty() {
            tracing::info!(refused = rejected.len(), "pushed changes refused");
        }
        Ok(rejected)
    }
}
