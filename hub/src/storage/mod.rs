//! The hub's storage, behind one trait.
//!
//! [`HubStorage`] is a set of **primitive operations** — append changes, read a document's changes, read the log
//! after a cursor within a scope, per-peer cursors, enrollments and devices, photo blobs — so that the hub's logic
//! (what to accept, what to send whom, who may enroll) is written once above it, in [`crate::backend`] and
//! [`crate::auth`]. The embedded SQLite backend ([`SqliteStorage`]) is the default; a PostgreSQL backend (several hub
//! processes on one database) is a second implementation of the same trait.
//!
//! ## The log
//!
//! Every accepted change is one **append-only row** with a hub-wide sequence number (its position in the hub's
//! log), the document it belongs to, its bytes (deduplicated by hash), the device it came from, and the
//! document's place (province, commune) **just before and just after** it. The place pair is what lets the hub
//! send each device the changes of its scope as they were at the time of each change, and notice when a change
//! moves a document into a scope. Documents themselves are *derived* state: their kind and current place are kept
//! beside the log for queries, and their automerge state is rebuilt from the changes (and cached) by the backend.
//!
//! ## Contract every implementation keeps
//!
//! - [`HubStorage::append`] is one transaction: the changes, the document metadata, the photo references and the
//!   peer's cursor are written together or not at all. A change whose hash is already stored is skipped.
//! - An append is **checked against what it was computed from**: [`AppendBatch::expect`] names every document the
//!   batch read and how many changes of it were stored then; when another writer (another hub process on the same
//!   database) has stored more since, the append writes nothing and fails with [`HubError::Conflict`](crate::HubError::Conflict), and the
//!   backend computes the batch again. Without it, a place or photo list derived from a document that lacked a
//!   concurrent change could overwrite a newer one.
//! - The log becomes visible **in sequence order**: a reader that sees position `n` sees every position below
//!   `n`. (SQLite gets this from its single writer; a PostgreSQL backend must serialise appends or hold readers
//!   back to the lowest position still in flight, otherwise a device could skip a change for ever.)
//! - Methods block; they are called from blocking threads, never from an async task.

pub mod postgres;
mod sqlite;

pub use postgres::{PgOptions, PgStorage};
pub use sqlite::SqliteStorage;

use ocop_core::identity::Role;
use ocop_core::sync::message::PhotoNeed;
use ocop_core::sync::{NodeId, Scope};
use uuid::Uuid;

use crate::error::Result;

/// Where a document belongs: 2025 province and commune codes. Both empty for records that belong to no place
/// (forms, reviews), which every device receives.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Place {
    /// Province code.
    pub province: String,
    /// Commune code.
    pub commune: String,
}

impl Place {
    /// A place from its codes.
    pub fn new(province: impl Into<String>, commune: impl Into<String>) -> Self {
        Self {
            province: province.into(),
            commune: commune.into(),
        }
    }

    /// True for a document that belongs to no place (every device receives it).
    pub fn is_placeless(&self) -> bool {
        self.province.is_empty() && self.commune.is_empty()
    }

    /// True when a device with `scope` receives documents in this place.
    pub fn visible_in(&self, scope: &Scope) -> bool {
        self.is_placeless() || scope.contains(&self.province, &self.commune)
    }
}

/// A change to append to the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChange {
    /// The document.
    pub doc: Uuid,
    /// The change's hash (32 bytes).
    pub hash: [u8; 32],
    /// The automerge change bytes, as received.
    pub bytes: Vec<u8>,
    /// The device it came from (`None` when written at the hub itself).
    pub origin: Option<NodeId>,
    /// The account that pushed it.
    pub user_id: String,
    /// The document's place just before the change (`None`: the change created the document).
    pub before: Option<Place>,
    /// The document's place just after the change.
    pub after: Place,
}

/// The derived metadata of a document after a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocUpdate {
    /// The document.
    pub doc: Uuid,
    /// Its record kind (`producer`, `visit` …).
    pub kind: String,
    /// Where it is now.
    pub place: Place,
    /// For visits: the photo hashes it refers to now (replacing the earlier list). `None` leaves them.
    pub photos: Option<Vec<String>>,
}

/// One transaction's worth of writes from an ingest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppendBatch {
    /// The changes, in the order they were applied.
    pub changes: Vec<NewChange>,
    /// The documents they touched.
    pub docs: Vec<DocUpdate>,
    /// The pushing peer and how far into its log the hub now holds everything.
    pub peer: Option<(NodeId, u64)>,
    /// Every document the batch was computed from, with the number of its changes stored when it was read (0 for
    /// a document the hub did not hold). The append fails with [`HubError::Conflict`](crate::HubError::Conflict) when any differs.
    pub expect: Vec<(Uuid, u64)>,
}

/// A document as the log knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocMeta {
    /// Record kind.
    pub kind: String,
    /// Current place.
    pub place: Place,
    /// Log position of its latest change.
    pub last_seq: u64,
    /// Number of changes stored for it.
    pub changes: u64,
}

/// A change read back from the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredChange {
    /// Its position in the hub's log.
    pub seq: u64,
    /// The document.
    pub doc: Uuid,
    /// The automerge change bytes.
    pub bytes: Vec<u8>,
    /// The device it came from.
    pub origin: Option<NodeId>,
    /// The document's place just before (`None`: the change created it).
    pub before: Option<Place>,
    /// The document's place just after.
    pub after: Place,
}

/// A page of the log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogPage {
    /// The rows that passed the filter, in log order.
    pub rows: Vec<StoredChange>,
    /// The log position this page covers: the last row's when the page is full, else the log's head (filtered-out
    /// positions are covered too).
    pub through: u64,
    /// The page stopped at its limit; more rows may follow.
    pub full: bool,
}

/// A user's account as an enrollment grants it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Stable user id (stamped into changes).
    pub user_id: String,
    /// Display name (shown to the admin; never logged).
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// What the user may receive and write.
    pub scope: Scope,
}

/// A pending or used enrollment code, stored by the hash of the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollmentRow {
    /// SHA-256 of the normalized code, hex.
    pub code_hash: String,
    /// The account the code grants.
    pub account: Account,
    /// When it was issued (ms since the epoch).
    pub created_at: i64,
    /// When it stops working.
    pub expires_at: i64,
}

/// An enrolled device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRow {
    /// Random id, shown to the admin, used to revoke.
    pub device_id: String,
    /// The name the device gave.
    pub device_name: String,
    /// The account it acts for.
    pub account: Account,
    /// SHA-256 of its bearer token, hex.
    pub token_hash: String,
    /// When it enrolled.
    pub created_at: i64,
    /// When it was revoked.
    pub revoked_at: Option<i64>,
    /// When it last made a request.
    pub last_seen_at: Option<i64>,
}

/// Outcome of redeeming an enrollment code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redeemed {
    /// The code was valid; the device was created with the code's account.
    Enrolled(Box<DeviceRow>),
    /// No such code.
    Unknown,
    /// The code was used already.
    Used,
    /// The code expired.
    Expired,
}

/// How much of a photo the hub holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoHeld {
    /// Complete and verified, with its length.
    Complete(u64),
    /// Partly received: the bytes held (0 when nothing).
    Partial(u64),
}

/// The hub's storage. See the module docs for the contract.
pub trait HubStorage: Send + Sync {
    /// This hub's node id (created with the storage, fixed for its life).
    fn node_id(&self) -> Result<NodeId>;

    /// Appends a batch in one transaction; returns the log position of each change (`None` for a change whose
    /// hash was already stored).
    fn append(&self, batch: &AppendBatch) -> Result<Vec<Option<u64>>>;
    /// A document's metadata, `None` when the hub holds no change of it.
    fn document(&self, doc: Uuid) -> Result<Option<DocMeta>>;
    /// A document's changes after log position `after`, in log order.
    fn document_changes(&self, doc: Uuid, after: u64) -> Result<Vec<StoredChange>>;
    /// Up to `limit` log rows after `after` whose document was visible in `scope` just before or just after the
    /// change (placeless documents are visible everywhere), leaving out rows that came from `exclude`.
    fn log_page(
        &self,
        after: u64,
        scope: &Scope,
        exclude: Option<NodeId>,
        limit: usize,
    ) -> Result<LogPage>;
    /// How far into `peer`'s log the hub holds everything.
    fn received_from(&self, peer: NodeId) -> Result<u64>;

    /// Stores a new enrollment code.
    fn add_enrollment(&self, row: &EnrollmentRow) -> Result<()>;
    /// Atomically marks the code used (if it is valid at `now`) and creates `device` with the code's account
    /// (the account fields of `device` are replaced by the code's).
    fn redeem_enrollment(&self, code_hash: &str, now: i64, device: &DeviceRow) -> Result<Redeemed>;
    /// The device holding the token with this hash (revoked devices included).
    fn device_by_token(&self, token_hash: &str) -> Result<Option<DeviceRow>>;
    /// Every enrolled device, oldest first.
    fn devices(&self) -> Result<Vec<DeviceRow>>;
    /// Revokes a device; false when it does not exist or was revoked already.
    fn revoke_device(&self, device_id: &str, now: i64) -> Result<bool>;
    /// Revokes every device of a user; returns how many.
    fn revoke_user(&self, user_id: &str, now: i64) -> Result<usize>;
    /// Notes that a device made a request (coarse: implementations may skip frequent updates).
    fn touch_device(&self, device_id: &str, now: i64) -> Result<()>;

    /// Photos referenced by documents now in `scope` that the hub lacks or holds in part, with the bytes held.
    fn photos_wanted(&self, scope: &Scope, max: usize) -> Result<Vec<PhotoNeed>>;
    /// The current places of the documents referring to photo `hash`.
    fn photo_places(&self, hash: &str) -> Result<Vec<Place>>;
    /// How much of photo `hash` is held.
    fn photo_held(&self, hash: &str) -> Result<PhotoHeld>;
    /// Appends a chunk at `offset` (which must equal the bytes held); returns the bytes now held.
    fn photo_append(&self, hash: &str, offset: u64, data: &[u8]) -> Result<u64>;
    /// Completes photo `hash` of `total` bytes: verifies length and SHA-256, then makes it available. A damaged
    /// upload is discarded (the next upload starts over) and reported as an error.
    fn photo_finish(&self, hash: &str, total: u64) -> Result<()>;
    /// Reads up to `max` bytes of a complete photo from `offset`; returns its length and the bytes.
    fn photo_read(&self, hash: &str, offset: u64, max: usize) -> Result<(u64, Vec<u8>)>;
}
