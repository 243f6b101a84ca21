//! Photos attached to visits: validated, re-encoded, stripped and stored once by SHA-256.

/// Errors for photos that cannot be attached.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PhotoError {
    /// The file is not an image format we accept.
    #[error("unsupported photo format: {0}")]
    UnsupportedFormat(String),
}
