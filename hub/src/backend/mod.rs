//! The hub's side of the sync protocol: [`HubBackend`] implements the core's
//! [`SyncBackend`] over any [`HubStorage`], so the core's `respond` runs the protocol
//! and this module decides what the hub accepts and what it sends whom.
//!
//! - **Ingest** ([`SyncBackend::ingest`]) applies each pushed change to its document and refuses, with a reason a
//!   person can act on, bytes that are not a change, changes whose dependencies the hub lacks, and changes the
//!   pushing account may not make ([`state::check_write`]). Every accepted change is appended with the document's
//!   place just before and just after it; visits' photo references are recorded.
//! - **Outgoing** ([`SyncBackend::outgoing`]) sends a device the changes of documents in its scope **as they were
//!   at the time of each change**: a change goes out when its document was in scope just before or just after it
//!   (so a record moved away reaches its old commune one last time, showing the move), and a change that moves a
//!   document *into* the scope brings the document's whole earlier history with it. Nothing goes back to the
//!   device it came from.
//! - **Photos**: the hub asks for the photos that visits in the device's scope refer to, receives them in resumable
//!   chunks and verifies their hash; only supervisors (and hub admins) fetch photos, and only within their scope.
//! - **Writes at the hub** ([`HubBackend::write_as`]): a person acting in the hub's web pages changes a scratch
//!   replica through the core's API, and those changes enter the log through the same ingest path and
//!   permission check as a device's (see `hub_write`).
//!
//! [`SyncBackend`]: ocop_core::sync::SyncBackend
//! [`HubStorage`]: crate::storage::HubStorage

mod cache;
mod hub_write;
mod ingest;
mod outgoing;
mod photos;
pub(crate) mod state;

use std::sync::{Arc, Mutex, MutexGuard};

use ocop_core::sync::message::{Entry, PhotoNeed, Rejection};
use ocop_core::sync::{NodeId, Outgoing, Principal, Scope, SyncBackend};

use crate::storage::HubStorage;
use cache::DocCache;
pub use hub_write::HubWrite;

/// The hub's [`SyncBackend`]: the sync protocol's responder side over a [`HubStorage`].
pub struct HubBackend {
    storage: Arc<dyn HubStorage>,
    cache: Mutex<DocCache>,
    /// Ingests run one at a time in this process (SQLite has one writer anyway); reads run in parallel.
    ingest_lock: Mutex<()>,
}

impl std::fmt::Debug for HubBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubBackend").finish_non_exhaustive()
    }
}

fn relock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // The cache only ever holds documents matching committed rows (and is validated on use); a panic elsewhere
    // cannot leave it inconsistent.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl HubBackend {
    /// A backend over `storage`, keeping up to `cached_documents` loaded documents in memory.
    pub fn new(storage: Arc<dyn HubStorage>, cached_documents: usize) -> Self {
        Self {
            storage,
            cache: Mutex::new(DocCache::new(cached_documents)),
            ingest_lock: Mutex::new(()),
        }
    }

    /// The storage underneath.
    pub fn storage(&self) -> &Arc<dyn HubStorage> {
        &self.storage
    }
}

impl SyncBackend for HubBackend {
    fn node_id(&self) -> ocop_core::Result<NodeId> {
        Ok(self.storage.node_id()?)
    }

    fn received_from(&self, peer: NodeId) -> ocop_core::Result<u64> {
        Ok(self.storage.received_from(peer)?)
    }

    fn ingest(
        &self,
        who: &Principal,
        peer: NodeId,
        entries: Vec<Entry>,
        through: u64,
    ) -> ocop_core::Result<Vec<Rejection>> {
        Ok(self.ingest_entries(who, Some(peer), entries, through)?)
    }

    fn outgoing(
        &self,
        _who: &Principal,
        peer: NodeId,
        scope: &Scope,
        after: u64,
        max_bytes: usize,
    ) -> ocop_core::Result<Outgoing> {
        Ok(self.outgoing_entries(peer, scope, after, max_bytes)?)
    }

    fn lacking_photos(
        &self,
        _who: &Principal,
        scope: &Scope,
        max: usize,
    ) -> ocop_core::Result<Vec<PhotoNeed>> {
        Ok(self.storage.photos_wanted(scope, max)?)
    }

    fn photo_put(
        &self,
        who: &Principal,
        hash: &str,
        offset: u64,
        total: u64,
        data: &[u8],
    ) -> ocop_core::Result<(u64, bool)> {
        Ok(self.receive_photo(who, hash, offset, total, data)?)
    }

    fn photo_get(
        &self,
        who: &Principal,
        hash: &str,
        offset: u64,
        max: u32,
    ) -> ocop_core::Result<(u64, Vec<u8>)> {
        Ok(self.send_photo(who, hash, offset, max)?)
    }
}
