//! # OCOP Field hub
//!
//! The hub every device syncs with: an HTTP service that stores the changes of every record, sends each device
//! the records of its scope, enrolls devices and authenticates them, and keeps the photos.
//!
//! ```text
//!   device ──POST /v1/sync (one sync message)──▶ http ──▶ auth (bearer token → Principal)
//!                                                  │
//!                                                  ▼
//!                        ocop_core::sync::respond(backend, principal, message)   ← the protocol, in core
//!                                                  │
//!                                                  ▼
//!                        backend::HubBackend  (what to accept, what to send whom)
//!                                                  │
//!                                                  ▼
//!                        storage::HubStorage  (embedded SQLite by default, or PostgreSQL for several hubs)
//! ```
//!
//! - [`storage`]: the trait of primitive operations and its embedded SQLite implementation. Changes are
//!   append-only rows of the hub's log; documents are derived.
//! - [`backend`]: the core's `SyncBackend` over that storage — ingest with permission checks, scoped outgoing
//!   changes, photos.
//! - [`auth`]: enrollment codes (text and QR), device tokens stored hashed, revocation.
//! - [`http`]: the axum service (`/v1/sync`, `/v1/enroll`, `/v1/health`) and an in-process server handle.
//! - [`web`]: the supervisors' review pages (`/web/…`): sign-in, queue, record pages, actions.
//! - [`cli`]: the arguments and entry points of `ocop hub serve|enroll|revoke|devices`.
//!
//! ```no_run
//! # fn main() -> ocop_hub::Result<()> {
//! let hub = ocop_hub::Hub::open("/var/lib/ocop-hub", ocop_hub::HubOptions::default())?;
//! let server = hub.serve("127.0.0.1:0".parse().unwrap())?;
//! println!("listening on {}", server.url());
//! # Ok(()) }
//! ```

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod auth;
pub mod backend;
pub mod cli;
pub mod error;
pub mod http;
pub mod read_model;
pub mod storage;
pub mod web;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use ocop_core::sync::NodeId;

pub use auth::{AuthFailure, Authenticated, DeviceInfo, EnrollRefused, IssuedCode};
pub use backend::HubBackend;
pub use error::{HubError, Result};
pub use http::ServerHandle;
pub use storage::{Account, HubStorage, PgOptions, PgStorage, SqliteStorage};

/// How a hub runs.
#[derive(Debug, Clone)]
pub struct HubOptions {
    /// Documents kept loaded in memory.
    pub cached_documents: usize,
    /// How long an enrollment code works.
    pub enrollment_validity: Duration,
    /// The largest request body accepted (larger requests get 413).
    pub max_body_bytes: usize,
    /// Folder of the read model (a core store following the log, for pages and reports). Default: `read-model`
    /// in the data folder, or a temporary folder for a hub without one.
    pub read_model_dir: Option<PathBuf>,
}

impl Default for HubOptions {
    fn default() -> Self {
        Self {
            cached_documents: 4096,
            enrollment_validity: Duration::from_secs(7 * 24 * 3600),
            max_body_bytes: 16 * 1024 * 1024,
            read_model_dir: None,
        }
    }
}

struct Inner {
    storage: Arc<dyn HubStorage>,
    backend: HubBackend,
    options: HubOptions,
    data_dir: Option<PathBuf>,
    read_model: read_model::ReadModel,
    _read_model_temp: Option<tempfile::TempDir>,
}

/// A hub: storage, sync backend, enrollment and the HTTP service. Cheap to clone (shared inside).
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub")
            .field("data_dir", &self.inner.data_dir)
            .finish_non_exhaustive()
    }
}

impl Hub {
    /// Opens (creating if needed) a hub with embedded SQLite storage in `data_dir`.
    pub fn open(data_dir: impl AsRef<Path>, mut options: HubOptions) -> Result<Self> {
        let dir = data_dir.as_ref().to_path_buf();
        let storage = Arc::new(SqliteStorage::open(&dir)?);
        if options.read_model_dir.is_none() {
            options.read_model_dir = Some(dir.join("read-model"));
        }
        Self::build(storage, options, Some(dir))
    }

    /// Opens a hub on the PostgreSQL database at `url` (migrating it on first use). Any number of hubs may run on
    /// one database. `data_dir`, when given, keeps this process's read model (`read-model-<node id>`) across
    /// restarts; without it the read model lives in a temporary folder and is rebuilt from the log.
    pub fn open_postgres(
        url: &str,
        data_dir: Option<&Path>,
        pg: PgOptions,
        mut options: HubOptions,
    ) -> Result<Self> {
        let storage = Arc::new(PgStorage::open(url, pg)?);
        if let (None, Some(dir)) = (&options.read_model_dir, data_dir) {
            options.read_model_dir =
                Some(dir.join(format!("read-model-{}", storage.node_id()?.to_hex())));
        }
        Self::build(storage, options, data_dir.map(Path::to_path_buf))
    }

    /// A hub over any storage (a PostgreSQL backend, a test double).
    pub fn with_storage(storage: Arc<dyn HubStorage>, options: HubOptions) -> Result<Self> {
        Self::build(storage, options, None)
    }

    fn build(
        storage: Arc<dyn HubStorage>,
        options: HubOptions,
        data_dir: Option<PathBuf>,
    ) -> Result<Self> {
        let backend = HubBackend::new(storage.clone(), options.cached_documents);
        let (read_model, temp) = match &options.read_model_dir {
            Some(d) => (read_model::ReadModel::open(d)?, None),
            None => {
                let t = tempfile::tempdir()?;
                (read_model::ReadModel::open(t.path())?, Some(t))
            }
        };
        Ok(Self {
            inner: Arc::new(Inner {
                storage,
                backend,
                options,
                data_dir,
                read_model,
                _read_model_temp: temp,
            }),
        })
    }

    /// The read model after catching up with the log: the core's projections of every record the hub holds.
    pub fn read_model(&self) -> Result<&read_model::ReadModel> {
        self.inner.read_model.refresh(self.inner.storage.as_ref())?;
        Ok(&self.inner.read_model)
    }

    /// This hub's node id.
    pub fn node_id(&self) -> Result<NodeId> {
        self.inner.storage.node_id()
    }

    /// The sync backend (for in-process transports such as the core's simulated link).
    pub fn backend(&self) -> &HubBackend {
        &self.inner.backend
    }

    /// The storage.
    pub fn storage(&self) -> &Arc<dyn HubStorage> {
        &self.inner.storage
    }

    /// The options the hub runs with.
    pub fn options(&self) -> &HubOptions {
        &self.inner.options
    }

    /// The data folder, for a hub opened with [`Hub::open`].
    pub fn data_dir(&self) -> Option<&Path> {
        self.inner.data_dir.as_deref()
    }
}
