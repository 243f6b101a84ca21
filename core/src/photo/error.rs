//! The photo module's error type.
//!
//! Messages name what went wrong and never echo file contents, EXIF text (owner names, serials) or the source
//! path: they end up in logs.

use std::io;

/// Errors for photos that cannot be attached, stored, read or received.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PhotoError {
    /// The file is not an image format we accept (JPEG, PNG, WebP). The string names what was recognised.
    #[error("unsupported photo format: {0}")]
    UnsupportedFormat(String),
    /// The file is HEIC/HEIF, which the core does not decode.
    #[error("HEIC/HEIF photos are not accepted: convert to JPEG on the platform before attaching")]
    Heic,
    /// The file is empty.
    #[error("the photo file is empty")]
    Empty,
    /// The file is bigger than [`PhotoOptions::max_input_bytes`](super::PhotoOptions::max_input_bytes) or, when
    /// received from a peer, than [`MAX_RECEIVE_BYTES`](super::MAX_RECEIVE_BYTES).
    #[error("the photo file is too large: {bytes} bytes, at most {max} accepted")]
    TooLarge {
        /// Size of the file (or of what it would become).
        bytes: u64,
        /// The limit.
        max: u64,
    },
    /// The image claims more pixels than [`PhotoOptions::max_pixels`](super::PhotoOptions::max_pixels).
    #[error(
        "the photo is too large: {width}×{height} pixels, at most {max_pixels} pixels accepted"
    )]
    TooManyPixels {
        /// Claimed width.
        width: u32,
        /// Claimed height.
        height: u32,
        /// The limit.
        max_pixels: u64,
    },
    /// The file has an accepted format but is corrupt or truncated.
    #[error("the photo could not be decoded (corrupt or truncated): {0}")]
    Corrupt(String),
    /// Re-encoding the photo as JPEG failed.
    #[error("the photo could not be encoded: {0}")]
    Encode(String),
    /// A photo hash given from outside is not 64 lowercase hex digits.
    #[error("invalid photo hash: expected 64 lowercase hex digits")]
    InvalidHash,
    /// No stored photo has this hash.
    #[error("photo not found: {hash}")]
    NotFound {
        /// The hash looked for.
        hash: String,
    },
    /// A received chunk does not start where the partial file ends.
    #[error("photo chunk at offset {got}, expected offset {expected}")]
    OffsetMismatch {
        /// Bytes already held: where the next chunk must start.
        expected: u64,
        /// Where the chunk said it starts.
        got: u64,
    },
    /// The photo is already completely stored; no more chunks are accepted for it.
    #[error("photo already stored completely")]
    AlreadyComplete,
    /// A received photo does not have the length announced.
    #[error("photo length {actual} bytes, expected {expected}")]
    LengthMismatch {
        /// The announced length.
        expected: u64,
        /// What is held.
        actual: u64,
    },
    /// A received photo's content does not hash to its name; the partial file was deleted.
    #[error("photo content does not match its hash (expected {expected}, got {actual})")]
    HashMismatch {
        /// The hash the photo was announced under.
        expected: String,
        /// The hash of the bytes received.
        actual: String,
    },
    /// A file system operation failed. The [`io::ErrorKind`] is kept in `source`; the message carries no path.
    #[error("photo store could not {op}: {source}")]
    Io {
        /// What was being done ("read the photo file", "write a stored photo" …).
        op: &'static str,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
}

impl PhotoError {
    /// The I/O error kind when this is an [`PhotoError::Io`] (`NotFound` for a missing source file,
    /// `PermissionDenied`, `StorageFull` …).
    pub fn io_kind(&self) -> Option<io::ErrorKind> {
        match self {
            Self::Io { source, .. } => Some(source.kind()),
            _ => None,
        }
    }

    /// Wraps an I/O error with what was being done.
    pub(crate) fn io(op: &'static str) -> impl FnOnce(io::Error) -> Self {
        move |source| Self::Io { op, source }
    }
}
