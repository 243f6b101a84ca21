//! The one error type of the FFI surface, and the one place where core errors are mapped to it.
//!
//! Variants are sorted by what the app will do about them, not by where they came from: show the user what to fix
//! (`Invalid`), go back (`NotFound`), retry later (`Network`), re-enroll (`Unauthorized`), tell the user they may
//! not (`Forbidden`), report a broken device (`Storage`), or report a bug (`Internal`).
//!
//! Variants carry fields rather than being flat (`#[uniffi(flat_error)]` would give the app only a string): a form
//! screen needs `field` to put the message next to the right input. In Kotlin each variant is a subclass of
//! `OcopException` with those fields as properties and a `message` of the form `field=…, reason=…`
//! (`tests/kotlin/` checks exactly what Kotlin shows). The core's messages carry no personal data (names, phone
//! numbers), and nothing here adds any, so they are safe to log.

use ocop_core::sync::{SyncError, TransportError};

/// Everything that can go wrong in a call to OCOP Field. Kotlin: `OcopException`; Swift: `OcopError`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum OcopError {
    /// A value given by the app is not acceptable (a GPS fix that cannot be a position, a corrupt or HEIC photo,
    /// an answer that does not fit its question, a bad phone number, an unknown commune code …).
    /// `field` names the input (`gps`, `photo`, `phone`, `answers`, a question id …); `reason` says why.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// Which field or argument.
        field: String,
        /// Why it was refused, in words a person can act on.
        reason: String,
    },
    /// A record, unit or file that was asked for does not exist.
    #[error("{kind} not found: {id}")]
    NotFound {
        /// What kind of thing was looked for (`producer`, `commune`, `photo` …).
        kind: String,
        /// Its identifier.
        id: String,
    },
    /// The store is not open: call `open()` first (or it was closed).
    #[error("the store is not open")]
    NotOpen,
    /// The hub or peer could not be reached, the connection broke, or it answered with an error. Everything
    /// received before the failure is kept; sync again later to resume.
    #[error("network: {reason}")]
    Network {
        /// What happened.
        reason: String,
    },
    /// The hub does not accept this device's credentials (unknown, used or expired enrollment code; revoked
    /// token): enroll again.
    #[error("unauthorized: {reason}")]
    Unauthorized {
        /// The hub's reason.
        reason: String,
    },
    /// The operation is outside what this person may do (role or scope).
    #[error("forbidden: {reason}")]
    Forbidden {
        /// Why.
        reason: String,
    },
    /// The database or the disk failed (damaged file, disk full, a database from a newer app). The database file
    /// is never deleted.
    #[error("storage: {reason}")]
    Storage {
        /// What happened.
        reason: String,
    },
    /// Something that should not happen: a bug, or a callback implemented by the app that failed unexpectedly.
    #[error("internal: {reason}")]
    Internal {
        /// What happened.
        reason: String,
    },
}

/// Shorthand for results of the FFI surface.
pub type Result<T, E = OcopError> = std::result::Result<T, E>;

impl OcopError {
    /// An `Invalid` error.
    pub(crate) fn invalid(field: &str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.to_string(),
            reason: reason.into(),
        }
    }
}

impl From<ocop_core::Error> for OcopError {
    fn from(e: ocop_core::Error) -> Self {
        use ocop_core::Error as E;
        let reason = e.to_string();
        match e {
            E::Invalid { field, reason } => Self::Invalid { field, reason },
            E::NotFound { kind, id } => Self::NotFound {
                kind: kind.to_string(),
                id,
            },
            E::Gps(_) => Self::invalid("gps", reason),
            E::Photo(_) => Self::invalid("photo", reason),
            E::Form(_) => Self::invalid("answers", reason),
            E::Json(_) => Self::invalid("json", reason),
            E::Forbidden(reason) => Self::Forbidden { reason },
            E::Sqlite(_) | E::StoreTooNew { .. } | E::Corrupt(_) | E::Io(_) => {
                Self::Storage { reason }
            }
            E::Sync(s) => s.into(),
            E::Automerge(_) | E::Shape(_) => Self::Internal { reason },
            // The core's error is non-exhaustive: a variant added later is reported, not lost.
            _ => Self::Internal { reason },
        }
    }
}

impl From<SyncError> for OcopError {
    fn from(e: SyncError) -> Self {
        match e {
            SyncError::Transport(TransportError::Unauthorized(reason)) => {
                Self::Unauthorized { reason }
            }
            SyncError::Transport(TransportError::Forbidden(reason)) => Self::Forbidden { reason },
            SyncError::Refused { code, message } if code == "unauthorized" => Self::Unauthorized {
                reason: message,
            },
            SyncError::Refused { code, message } if code == "forbidden" => Self::Forbidden {
                reason: message,
            },
            other => Self::Network {
                reason: other.to_string(),
            },
        }
    }
}

/// A foreign callback (progress listener, transport) that failed in a way its signature does not allow — in
/// Kotlin, any exception other than `OcopException`.
impl From<uniffi::UnexpectedUniFFICallbackError> for OcopError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::Internal {
            reason: format!("callback failed: {}", e.reason),
        }
    }
}
