//! Photos attached to visits: validated, re-encoded, stripped and stored once by SHA-256.

/// Errors for photos that cannot be attached.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PhotoError {
    /// The file is not an image format we accept.
    #[error("unsupported photo format: {0}")]
    UnsupportedFormat(String),
}

// TEMPORARY stand-ins until the photo module lands (replaced at merge).
/// Photo options.
#[derive(Debug, Clone, Default)]
pub struct PhotoOptions {}
/// Photo store.
#[derive(Debug, Clone)]
pub struct PhotoStore {
    #[allow(dead_code)]
    root: std::path::PathBuf,
}
impl PhotoStore {
    /// New.
    pub fn new(root: std::path::PathBuf) -> Self {
        Self { root }
    }
}
