//! The hub's read model: a core [`Store`] fed from the hub's log.
//!
//! The log is the hub's truth; the read model is a derived copy in the core's own format, so the review pages and
//! reports get exactly the projections the phones have — producers, products, visits, conflicts, full-text search
//! — without a second implementation per storage backend. It follows the log by position (`refresh`), so with
//! several hub processes on one database each process's read model catches up with the others' writes. It can be
//! deleted at any time: it is rebuilt from the log.

use std::path::Path;
use std::sync::Mutex;

use ocop_core::ids::RecordId;
use ocop_core::store::{Store, StoreOptions};
use ocop_core::sync::Scope;

use crate::error::Result;
use crate::storage::HubStorage;

const CURSOR: &str = "hub-log";
const PAGE: usize = 5000;

/// A core store following the hub's log.
pub struct ReadModel {
    store: Store,
    refreshing: Mutex<()>,
}

impl ReadModel {
    /// Opens (creating if needed) the read model in `dir`.
    pub fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir)?;
        let options = StoreOptions {
            durable: false,
            photo_dir: Some(dir.join("photos-unused")),
            ..Default::default()
        };
        let store = Store::open(dir.join("read-model.db"), options)?;
        Ok(Self {
            store,
            refreshing: Mutex::new(()),
        })
    }

    /// Applies every log row after the read model's position. Returns the number of changes applied.
    pub fn refresh(&self, storage: &dyn HubStorage) -> Result<u64> {
        let _one_at_a_time = self.refreshing.lock().unwrap_or_else(|p| p.into_inner());
        let mut peer = self.store.peer(CURSOR)?;
        let mut applied = 0u64;
        loop {
            let page = storage.log_page(peer.their_cursor, &Scope::all(), None, PAGE)?;
            if !page.rows.is_empty() {
                let batch: Vec<(RecordId, Vec<Vec<u8>>)> = page
                    .rows
                    .into_iter()
                    .map(|r| (RecordId(r.doc), vec![r.bytes]))
                    .collect();
                let report = self.store.apply_changes(batch)?;
                applied += report.applied as u64;
            }
            if page.through <= peer.their_cursor {
                break;
            }
            peer.their_cursor = page.through;
            self.store.save_peer(&peer)?;
            if !page.full {
                break;
            }
        }
        Ok(applied)
    }

    /// The core store (read it after [`ReadModel::refresh`]).
    pub fn store(&self) -> &Store {
        &self.store
    }
}
