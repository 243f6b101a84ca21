//! Versioned survey forms and the validation of answers against them.

/// Errors for form definitions and answers.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FormError {
    /// The form (or this version of it) is not known.
    #[error("unknown form {form_id} version {version}")]
    UnknownForm {
        /// The form's id.
        form_id: String,
        /// The version asked for.
        version: u32,
    },
}
