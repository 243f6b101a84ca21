//! Ingest: pushed changes become rows of the hub's log, or rejections with a reason.
//!
//! For each pushed entry, in the order the device sent them (its log order, which is causal):
//!
//! 1. parse the bytes as an automerge change — or refuse "not an automerge change";
//! 2. skip it when the document already holds it (a repeated message is harmless);
//! 3. refuse it when the document lacks one of its dependencies (the hub never queues a change it cannot apply:
//!    what it stores, it can serve);
//! 4. apply it and read the document's kind and place after it; refuse it when the result is not a record the
//!    hub can place, when its author stamp does not match an account ([`super::state::acting_account`]: the
//!    pusher's own changes must claim the pusher's role; changes relayed from another person's device are judged
//!    on that person's account), or when that account may not make it ([`super::state::check_write`], the core's
//!    permission matrix) — the document is then rebuilt as it was before the change.
//!
//! The accepted changes of a frame, the documents' new metadata and the peer's new cursor are appended in one
//! transaction. Documents stay in the cache only once that transaction has committed.
//!
//! Documents are independent of each other: a frame's entries are grouped by document (each document's own
//! entries keep their order) and the documents are worked on by a few threads at once ([`in_parallel`]) — parsing
//! and applying automerge changes is most of an ingest's time. The log rows and the rejections come out in the
//! order the device sent the entries, as if they had been taken one by one.

use std::collections::HashMap;

use automerge::{AutoCommit, Change};
use ocop_core::permissions;
use ocop_core::records::RecordKind;
use ocop_core::sync::message::{Entry, Rejection};
use ocop_core::sync::{NodeId, Principal};
use uuid::Uuid;

use super::HubBackend;
use super::cache::Cached;
use super::relock;
use super::state::{DocState, acting_account, check_write, facts_before, photo_hashes, read_state};
use crate::error::{HubError, Result};
use crate::storage::{AppendBatch, DocUpdate, NewChange};

/// How many times an ingest is computed again after concurrent writes by other hub processes before giving up
/// (the device then retries on its next sync).
const MAX_ATTEMPTS: u32 = 12;

/// A frame needs at least this many documents before it is worth starting threads.
const PARALLEL_FROM_DOCS: usize = 8;
/// Never more threads than this, whatever the machine has.
const MAX_THREADS: usize = 4;

/// What became of one pushed entry.
enum Outcome {
    /// Accepted: to be appended.
    Accepted(NewChange),
    /// Refused, with the reason.
    Refused(Rejection),
}

/// One document's share of an ingest.
struct DocResult {
    id: Uuid,
    /// The document as worked on (`None`: none of its entries could even be parsed).
    work: Option<Working>,
    /// Outcomes by the entry's position in the frame (repeats have none).
    outcomes: Vec<(usize, Outcome)>,
    /// Its new metadata, when a change was accepted.
    update: Option<DocUpdate>,
}

/// Runs `f` over `items` on up to [`MAX_THREADS`] threads (on the caller's thread alone for small inputs), and
/// returns the results in the order of `items`.
fn in_parallel<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(MAX_THREADS)
        .min(items.len());
    if threads <= 1 || items.len() < PARALLEL_FROM_DOCS {
        return items.into_iter().map(f).collect();
    }
    let mut parts: Vec<Vec<(usize, T)>> = (0..threads).map(|_| Vec::new()).collect();
    for (i, item) in items.into_iter().enumerate() {
        parts[i % threads].push((i, item));
    }
    let total: usize = parts.iter().map(Vec::len).sum();
    let mut out: Vec<Option<R>> = (0..total).map(|_| None).collect();
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| {
                scope.spawn(move || {
                    part.into_iter()
                        .map(|(i, item)| (i, f(item)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            match h.join() {
                Ok(done) => {
                    for (i, r) in done {
                        out[i] = Some(r);
                    }
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    });
    out.into_iter().flatten().collect()
}

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

    /// The account of `user_id` as its active devices carry it (`None`: no active device).
    fn account_of(&self, user_id: &str) -> Option<Principal> {
        let devices = match self.storage.devices() {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(error = %e, "accounts could not be read; relayed changes are refused");
                return None;
            }
        };
        devices
            .into_iter()
            .filter(|d| d.revoked_at.is_none() && d.account.user_id == user_id)
            .max_by_key(|d| d.created_at)
            .map(|d| Principal {
                user_id: d.account.user_id,
                role: d.account.role,
                scope: d.account.scope,
            })
    }

    /// Applies `entries` pushed by `peer` on behalf of `who`, stores what is accepted together with the peer's
    /// cursor `through`, and returns the rejections.
    ///
    /// When another hub process on the same database wrote one of the documents meanwhile, the storage refuses the
    /// append ([`HubError::Conflict`]) and the ingest is computed again from the documents as they are now.
    pub(crate) fn ingest_entries(
        &self,
        who: &Principal,
        peer: Option<NodeId>,
        entries: Vec<Entry>,
        through: u64,
    ) -> Result<Vec<Rejection>> {
        let _one_at_a_time = relock(&self.ingest_lock);
        // Group by document, keeping each document's entries in the order they came.
        let mut groups: Vec<(Uuid, Vec<(usize, Entry)>)> = Vec::new();
        let mut group_of: HashMap<Uuid, usize> = HashMap::new();
        for (i, entry) in entries.into_iter().enumerate() {
            let id = Uuid::from_bytes(entry.doc);
            let g = *group_of.entry(id).or_insert_with(|| {
                groups.push((id, Vec::new()));
                groups.len() - 1
            });
            groups[g].1.push((i, entry));
        }
        let mut attempt = 0u32;
        loop {
            match self.try_ingest(who, peer, &groups, through) {
                Err(HubError::Conflict) if attempt < MAX_ATTEMPTS => {
                    attempt += 1;
                    tracing::debug!(
                        attempt,
                        "concurrent write by another hub; ingest computed again"
                    );
                    std::thread::sleep(std::time::Duration::from_millis(u64::from(attempt) * 2));
                }
                other => return other,
            }
        }
    }

    /// One attempt at an ingest of entries grouped by document.
    fn try_ingest(
        &self,
        who: &Principal,
        peer: Option<NodeId>,
        groups: &[(Uuid, Vec<(usize, Entry)>)],
        through: u64,
    ) -> Result<Vec<Rejection>> {
        let accounts: std::sync::Mutex<HashMap<String, Option<Principal>>> = Default::default();
        let results = in_parallel(groups.iter().collect(), |(id, entries)| {
            self.ingest_document(who, peer, *id, entries, &accounts)
        });

        let mut batch = AppendBatch {
            peer: peer.map(|p| (p, through)),
            ..Default::default()
        };
        let mut outcomes = Vec::new();
        let mut work: Vec<(Uuid, Working)> = Vec::new();
        for r in results {
            let r = r?;
            outcomes.extend(r.outcomes);
            batch.docs.extend(r.update);
            if let Some(w) = r.work {
                batch.expect.push((r.id, w.changes));
                work.push((r.id, w));
            }
        }
        outcomes.sort_by_key(|(i, _)| *i);
        let mut rejected = Vec::new();
        for (_, o) in outcomes {
            match o {
                Outcome::Accepted(c) => batch.changes.push(c),
                Outcome::Refused(r) => rejected.push(r),
            }
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

    /// Applies one document's entries in order (the document is loaded when the first of them parses).
    fn ingest_document(
        &self,
        who: &Principal,
        peer: Option<NodeId>,
        id: Uuid,
        entries: &[(usize, Entry)],
        accounts: &std::sync::Mutex<HashMap<String, Option<Principal>>>,
    ) -> Result<DocResult> {
        let mut slot: Option<Working> = None;
        let mut outcomes = Vec::new();
        for &(i, ref entry) in entries {
            let refuse = |change: String, reason: String| {
                (
                    i,
                    Outcome::Refused(Rejection {
                        doc: entry.doc,
                        change,
                        reason,
                    }),
                )
            };
            let Ok(change) = Change::try_from(&entry.bytes[..]) else {
                outcomes.push(refuse(
                    String::new(),
                    "these bytes are not an automerge change".into(),
                ));
                continue;
            };
            let hash = change.hash();
            let w = match &mut slot {
                Some(w) => w,
                None => slot.insert(self.load(id)?),
            };
            if w.doc.get_missing_deps(&[hash]).is_empty() {
                continue; // already held: a repeat
            }
            let missing = w.doc.get_missing_deps(change.deps()).len();
            if missing > 0 {
                outcomes.push(refuse(
                    hash.to_string(),
                    format!(
                        "the change builds on {missing} earlier change(s) of this record that the hub does not \
                         have (refused or never sent)"
                    ),
                ));
                continue;
            }
            let before = w.state.as_ref().map(|st| facts_before(&w.doc, st));
            let message = change.message().map(str::to_string);
            if let Err(e) = w.doc.apply_changes([change]) {
                w.doc = self.rebuild(id, &w.pending)?;
                outcomes.push(refuse(
                    hash.to_string(),
                    format!("the change cannot be applied: {e}"),
                ));
                continue;
            }
            let verdict = read_state(&w.doc).and_then(|after| {
                let facts = permissions::facts_of(&w.doc).map_err(|_| {
                    format!(
                        "a {} record must name its province and commune",
                        after.kind.as_str()
                    )
                })?;
                let acting =
                    acting_account(who, after.kind, message.as_deref(), &mut |user: &str| {
                        relock(accounts)
                            .entry(user.to_string())
                            .or_insert_with(|| self.account_of(user))
                            .clone()
                    })?;
                check_write(&acting, before.as_ref(), &facts)?;
                Ok(after)
            });
            match verdict {
                Ok(after) => {
                    outcomes.push((
                        i,
                        Outcome::Accepted(NewChange {
                            doc: id,
                            hash: hash.0,
                            bytes: entry.bytes.clone(),
                            origin: peer,
                            user_id: who.user_id.clone(),
                            before: w.state.as_ref().map(|s| s.place.clone()),
                            after: after.place.clone(),
                        }),
                    ));
                    w.pending.push(entry.bytes.clone());
                    w.state = Some(after);
                }
                Err(reason) => {
                    w.doc = self.rebuild(id, &w.pending)?;
                    outcomes.push(refuse(hash.to_string(), reason));
                }
            }
        }
        let update = slot.as_ref().and_then(|w| {
            let state = w.state.as_ref().filter(|_| !w.pending.is_empty())?;
            Some(DocUpdate {
                doc: id,
                kind: state.kind.as_str().to_string(),
                place: state.place.clone(),
                photos: (state.kind == RecordKind::Visit).then(|| photo_hashes(&w.doc)),
            })
        });
        Ok(DocResult {
            id,
            work: slot,
            outcomes,
            update,
        })
    }
}
