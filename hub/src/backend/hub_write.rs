//! Writes made at the hub itself, on behalf of a signed-in person (the review pages).
//!
//! A supervisor's decision in the web pages is an ordinary change of an ordinary document, stamped with that
//! supervisor as its author — exactly as if it had been made on their phone. It is made the same way:
//!
//! 1. a **scratch replica** (a core [`Store`] in a temporary folder) is seeded with the documents the action needs,
//!    read from the hub's log (the truth, not the read model, which may lag);
//! 2. the action runs against that store through the core's own API (`resolve_conflict`, a review, a merge …),
//!    which commits its changes with the author stamp;
//! 3. the changes the action made are pushed through [`HubBackend::ingest_entries`] — the path every device's
//!    changes take — so they get the same permission check ([`super::state::check_write`]) for the person's
//!    role and scope, are appended to the log with no origin device, and reach every device in scope on its
//!    next sync.
//!
//! A refused change is reported as [`HubError::Forbidden`] and nothing is written (the scratch replica is thrown
//! away, so no refused change lingers anywhere). Each write uses a fresh replica, hence a fresh automerge actor:
//! actors are cheap, and no state is shared between two people's actions.

use ocop_core::ids::RecordId;
use ocop_core::store::{Store, StoreOptions};
use ocop_core::sync::Principal;
use ocop_core::sync::message::Entry;

use super::HubBackend;
use crate::error::{HubError, Result};

/// What a write at the hub did.
#[derive(Debug, Clone, PartialEq)]
pub struct HubWrite<T> {
    /// What the action returned.
    pub value: T,
    /// Changes appended to the hub's log.
    pub changes: usize,
}

impl HubBackend {
    /// Runs `action` as `who` on a scratch replica holding `docs` (as the hub holds them now), then appends the
    /// changes it made to the hub's log through the devices' ingest path. Documents the hub does not hold are
    /// left out (the action sees them missing). Fails with [`HubError::Forbidden`] when the hub refuses a change,
    /// writing nothing.
    pub fn write_as<T>(
        &self,
        who: &Principal,
        docs: &[RecordId],
        action: impl FnOnce(&Store) -> ocop_core::Result<T>,
    ) -> Result<HubWrite<T>> {
        let dir = tempfile::tempdir()?;
        let options = StoreOptions {
            durable: false,
            photo_dir: Some(dir.path().join("photos")),
            ..Default::default()
        };
        let scratch = Store::open(dir.path().join("scratch.db"), options)?;
        let mut seed = Vec::new();
        for id in docs {
            let changes = self.storage.document_changes(id.0, 0)?;
            if !changes.is_empty() {
                seed.push((*id, changes.into_iter().map(|c| c.bytes).collect()));
            }
        }
        let report = scratch.apply_changes(seed)?;
        if let Some((_, reason)) = report.failed.first() {
            return Err(HubError::Storage(format!(
                "a record could not be loaded for the change: {reason}"
            )));
        }
        let mark = scratch
            .log_since(0, usize::MAX)?
            .last()
            .map_or(0, |e| e.seq);
        let value = action(&scratch)?;
        let entries: Vec<Entry> = scratch
            .log_since(mark, usize::MAX)?
            .into_iter()
            .map(|e| Entry {
                doc: *e.doc_id.0.as_bytes(),
                bytes: e.bytes,
            })
            .collect();
        let changes = entries.len();
        let rejected = self.ingest_entries(who, None, entries, 0)?;
        if let Some(r) = rejected.first() {
            return Err(HubError::Forbidden(r.reason.clone()));
        }
        tracing::info!(changes, role = who.role.as_str(), "change written at the hub");
        Ok(HubWrite { value, changes })
    }
}
