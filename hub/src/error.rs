//! The hub's error type.
//!
//! Storage backends report [`HubError`]; the sync backend turns it into the core's error (so the responder maps it
//! to a status), and the HTTP layer turns it into a status and a reason. Messages carry no personal data.

use ocop_core::photo::PhotoError;

/// Result alias of the hub.
pub type Result<T, E = HubError> = std::result::Result<T, E>;

/// Everything that can go wrong in the hub.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HubError {
    /// The SQLite database refused an operation.
    #[error("storage error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL refused an operation (or could not be reached).
    #[error("storage error: {0}")]
    Postgres(#[from] postgres::Error),
    /// A storage backend failed in a way of its own (a connection pool timing out …).
    #[error("storage error: {0}")]
    Storage(String),
    /// Another hub process wrote one of the batch's documents after the batch was computed: nothing was written;
    /// compute the batch again from the documents as they are now.
    #[error("a document changed concurrently (another hub process wrote it); retry")]
    Conflict,
    /// The database was written by a newer hub.
    #[error(
        "hub database schema version {found} is newer than this hub supports ({supported}); update the hub"
    )]
    TooNew {
        /// Version found in the file.
        found: u32,
        /// Newest version known here.
        supported: u32,
    },
    /// A value given by a caller or a peer is not acceptable.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// Which field.
        field: String,
        /// Why.
        reason: String,
    },
    /// The caller may not do this.
    #[error("not allowed: {0}")]
    Forbidden(String),
    /// Something asked for does not exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Photo storage failed (bad hash, wrong length, damaged upload …).
    #[error(transparent)]
    Photo(#[from] PhotoError),
    /// An error from the core (documents, records).
    #[error(transparent)]
    Core(#[from] ocop_core::Error),
    /// File or socket I/O.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// JSON could not be read or written.
    #[error("json error: {0}")]
    Json(#[from] serde_json::Error),
    /// A QR code could not be made.
    #[error("could not make the QR code: {0}")]
    Qr(String),
}

impl From<HubError> for ocop_core::Error {
    fn from(e: HubError) -> Self {
        match e {
            HubError::Sqlite(e) => ocop_core::Error::Sqlite(e),
            HubError::Invalid { field, reason } => ocop_core::Error::Invalid { field, reason },
            HubError::Forbidden(reason) => ocop_core::Error::Forbidden(reason),
            HubError::NotFound(kind) => ocop_core::Error::NotFound {
                kind,
                id: String::new(),
            },
            HubError::Photo(p) => ocop_core::Error::Photo(p),
            HubError::Core(c) => c,
            HubError::Io(io) => ocop_core::Error::Io(io),
            HubError::Json(j) => ocop_core::Error::Json(j),
            other => ocop_core::Error::Io(std::io::Error::other(other.to_string())),
        }
    }
}
