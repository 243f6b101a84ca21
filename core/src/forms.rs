//! Versioned survey forms and the validation of answers against them.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::gps::{GpsFix, LatLon};
use crate::ids::Date;

/// One answer to one question of a form. The variant must match the question's type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Answer {
    /// Free text.
    Text(String),
    /// A whole number.
    Integer(i64),
    /// A decimal number.
    Decimal(f64),
    /// A calendar date.
    Date(Date),
    /// One choice's value.
    SelectOne(String),
    /// Several choices' values.
    SelectMultiple(Vec<String>),
    /// A GPS position.
    GeoPoint(GpsFix),
    /// A polygon (a raw-material zone), as its ring of points.
    GeoShape(Vec<LatLon>),
    /// A photo attached to the visit, by its SHA-256 (hex).
    Photo(String),
    /// A Vietnamese phone number.
    Phone(String),
}

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
