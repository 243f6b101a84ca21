//! The core's one error type.
//!
//! Every fallible public function returns [`Result`]. Variants say what went wrong in terms a caller can act on;
//! messages never carry personal data (names, phone numbers), because they end up in logs.

use crate::{forms::FormError, gps::GpsError, photo::PhotoError};

/// Result alias used throughout the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the core.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A value given by the caller is not acceptable.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// Which field or argument.
        field: String,
        /// Why it was refused.
        reason: String,
    },
    /// A record, unit or file that was asked for does not exist.
    #[error("{kind} not found: {id}")]
    NotFound {
        /// What kind of thing was looked for.
        kind: &'static str,
        /// Its identifier.
        id: String,
    },
    /// A GPS fix that cannot be stored.
    #[error(transparent)]
    Gps(#[from] GpsError),
    /// A photo that cannot be attached.
    #[error(transparent)]
    Photo(#[from] PhotoError),
    /// A form definition or an answer that does not fit its form.
    #[error(transparent)]
    Form(#[from] FormError),
    /// The document layer refused an operation or could not read bytes as a document.
    #[error("document error: {0}")]
    Automerge(#[from] automerge::AutomergeError),
    /// A record's document does not have the shape of its record type.
    #[error("document does not match its record type: {0}")]
    Shape(String),
    /// The database refused an operation.
    #[error("storage error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The database was written by a newer version of OCOP Field.
    #[error(
        "database schema version {found} is newer than this app supports ({supported}); update the app"
    )]
    StoreTooNew {
        /// The version found in the file.
        found: u32,
        /// The newest version this build knows.
        supported: u32,
    },
    /// The database file is damaged. The file is kept as it is: field data is never deleted.
    #[error("database is damaged ({0}); the file was kept untouched")]
    Corrupt(String),
    /// The operation is not allowed for this person (role or scope).
    #[error("not allowed: {0}")]
    Forbidden(String),
    /// Sync failed (transport, protocol, or a refusal by the peer).
    #[error(transparent)]
    Sync(#[from] crate::sync::SyncError),
    /// An I/O error (disk full, permission denied …).
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// JSON could not be parsed or written.
    #[error("json error: {0}")]
    Json(#[from] serde_json::Error),
}
