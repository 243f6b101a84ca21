//! Visits: answers, photos, starting one, capturing a whole one, the record.

use std::collections::HashMap;

use ocop_core::forms::Answer as CoreAnswer;
use ocop_core::ids::Date;
use ocop_core::records as core;

use super::gps::{GpsFix, GpsFlag, LatLon, VisitFix};
use super::{UnitRef, opt_record_id};
use crate::error::{OcopError, Result};

/// One answer to one question of a form; the variant must match the question's type.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum Answer {
    /// Free text.
    Text {
        /// The text.
        value: String,
    },
    /// A whole number.
    Integer {
        /// The number.
        value: i64,
    },
    /// A decimal number.
    Decimal {
        /// The number.
        value: f64,
    },
    /// A calendar date.
    Date {
        /// `YYYY-MM-DD`.
        value: String,
    },
    /// One choice's value.
    SelectOne {
        /// The choice.
        value: String,
    },
    /// Several choices' values.
    SelectMultiple {
        /// The choices.
        values: Vec<String>,
    },
    /// A GPS position.
    GeoPoint {
        /// The fix.
        fix: GpsFix,
    },
    /// A polygon, as its ring of points.
    GeoShape {
        /// The ring.
        ring: Vec<LatLon>,
    },
    /// A photo attached to the visit, by its SHA-256 (hex).
    Photo {
        /// The photo's hash.
        hash: String,
    },
    /// A Vietnamese phone number.
    Phone {
        /// The number in any common format.
        value: String,
    },
}

impl From<CoreAnswer> for Answer {
    fn from(a: CoreAnswer) -> Self {
        match a {
            CoreAnswer::Text(value) => Self::Text { value },
            CoreAnswer::Integer(value) => Self::Integer { value },
            CoreAnswer::Decimal(value) => Self::Decimal { value },
            CoreAnswer::Date(d) => Self::Date {
                value: d.to_string(),
            },
            CoreAnswer::SelectOne(value) => Self::SelectOne { value },
            CoreAnswer::SelectMultiple(values) => Self::SelectMultiple { values },
            CoreAnswer::GeoPoint(fix) => Self::GeoPoint { fix: fix.into() },
            CoreAnswer::GeoShape(ring) => Self::GeoShape {
                ring: ring.into_iter().map(Into::into).collect(),
            },
            CoreAnswer::Photo(hash) => Self::Photo { hash },
            CoreAnswer::Phone(value) => Self::Phone { value },
        }
    }
}

impl TryFrom<Answer> for CoreAnswer {
    type Error = OcopError;
    fn try_from(a: Answer) -> Result<Self> {
        Ok(match a {
            Answer::Text { value } => Self::Text(value),
            Answer::Integer { value } => Self::Integer(value),
            Answer::Decimal { value } => Self::Decimal(value),
            Answer::Date { value } => Self::Date(
                Date::parse(&value)
                    .map_err(|_| OcopError::invalid("answers", "expected a date as YYYY-MM-DD"))?,
            ),
            Answer::SelectOne { value } => Self::SelectOne(value),
            Answer::SelectMultiple { values } => Self::SelectMultiple(values),
            Answer::GeoPoint { fix } => Self::GeoPoint(fix.into()),
            Answer::GeoShape { ring } => Self::GeoShape(ring.into_iter().map(Into::into).collect()),
            Answer::Photo { hash } => Self::Photo(hash),
            Answer::Phone { value } => Self::Phone(value),
        })
    }
}

/// An answer with the id of the question it answers.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct QuestionAnswer {
    /// The question's id in the form.
    pub question: String,
    /// The answer.
    pub answer: Answer,
}

/// What a photo shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PhotoKind {
    /// The product.
    Product,
    /// The production facility.
    Facility,
    /// Packaging and labels.
    Packaging,
    /// Papers (licences, certificates).
    Papers,
    /// Anything else.
    Other,
}

impl From<core::PhotoKind> for PhotoKind {
    fn from(k: core::PhotoKind) -> Self {
        match k {
            core::PhotoKind::Product => Self::Product,
            core::PhotoKind::Facility => Self::Facility,
            core::PhotoKind::Packaging => Self::Packaging,
            core::PhotoKind::Papers => Self::Papers,
            core::PhotoKind::Other => Self::Other,
        }
    }
}

impl From<PhotoKind> for core::PhotoKind {
    fn from(k: PhotoKind) -> Self {
        match k {
            PhotoKind::Product => Self::Product,
            PhotoKind::Facility => Self::Facility,
            PhotoKind::Packaging => Self::Packaging,
            PhotoKind::Papers => Self::Papers,
            PhotoKind::Other => Self::Other,
        }
    }
}

/// A photo attached to a visit: the file is stored once by hash beside the database, re-encoded and stripped
/// of EXIF; its time and position are kept here.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct PhotoRef {
    /// SHA-256 of the stored file (hex).
    pub hash: String,
    /// Size of the stored file.
    pub bytes: u64,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Caption.
    pub caption: String,
    /// What it shows.
    pub kind: PhotoKind,
    /// When it was taken (from EXIF), ms since the epoch.
    pub taken_at: Option<i64>,
    /// Where it was taken (from EXIF).
    pub gps: Option<GpsFix>,
    /// Quality flags (far from the visit's fix).
    pub flags: Vec<GpsFlag>,
    /// When it was attached, ms since the epoch.
    pub attached_at: i64,
}

impl From<core::PhotoRef> for PhotoRef {
    fn from(p: core::PhotoRef) -> Self {
        Self {
            hash: p.hash,
            bytes: p.bytes,
            width: p.width,
            height: p.height,
            caption: p.caption,
            kind: p.kind.into(),
            taken_at: p.taken_at,
            gps: p.gps.map(Into::into),
            flags: p.flags.into_iter().map(Into::into).collect(),
            attached_at: p.attached_at,
        }
    }
}

/// A photo file to attach while capturing a whole visit.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PhotoFile {
    /// Path of the file (JPEG, PNG or WebP; HEIC must be converted on the platform first).
    pub path: String,
    /// What it shows.
    pub kind: PhotoKind,
    /// Caption.
    #[uniffi(default = "")]
    pub caption: String,
}

/// A visit's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum VisitState {
    /// Being filled.
    Draft,
    /// Submitted for review.
    Submitted,
}

impl From<core::VisitState> for VisitState {
    fn from(s: core::VisitState) -> Self {
        match s {
            core::VisitState::Draft => Self::Draft,
            core::VisitState::Submitted => Self::Submitted,
        }
    }
}

/// What starts a visit.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct NewVisit {
    /// The form to answer (e.g. `ocop_producer_product_survey`).
    pub form_id: String,
    /// The producer visited.
    #[uniffi(default = None)]
    pub producer_id: Option<String>,
    /// The product assessed.
    #[uniffi(default = None)]
    pub product_id: Option<String>,
    /// The form version; default: the newest known.
    #[uniffi(default = None)]
    pub form_version: Option<u32>,
    /// The commune of the visit; default: the producer's.
    #[uniffi(default = None)]
    pub commune_code: Option<String>,
}

impl TryFrom<NewVisit> for ocop_core::store::NewVisit {
    type Error = OcopError;
    fn try_from(n: NewVisit) -> Result<Self> {
        Ok(Self {
            producer: opt_record_id("producer_id", n.producer_id)?,
            product: opt_record_id("product_id", n.product_id)?,
            form_id: n.form_id,
            form_version: n.form_version,
            commune_code: n.commune_code,
        })
    }
}

/// A whole visit saved at once (one durable write): the "save" of a completed survey.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct VisitCapture {
    /// What it is a visit of, and which form.
    pub visit: NewVisit,
    /// Answers.
    #[uniffi(default = [])]
    pub answers: Vec<QuestionAnswer>,
    /// GPS fixes, in the order taken.
    #[uniffi(default = [])]
    pub fixes: Vec<GpsFix>,
    /// Photo files to import and attach.
    #[uniffi(default = [])]
    pub photos: Vec<PhotoFile>,
    /// Notes.
    #[uniffi(default = "")]
    pub notes: String,
    /// Submit it for review (every required question must be answered).
    #[uniffi(default = false)]
    pub submit: bool,
}

/// A visit record.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Visit {
    /// Id.
    pub id: String,
    /// The producer visited.
    pub producer_id: Option<String>,
    /// The product assessed.
    pub product_id: Option<String>,
    /// Province of the visit.
    pub province: UnitRef,
    /// Commune of the visit.
    pub commune: UnitRef,
    /// The form answered.
    pub form_id: String,
    /// The form version.
    pub form_version: u32,
    /// Answers by question id.
    pub answers: HashMap<String, Answer>,
    /// GPS fixes with their flags, in the order taken.
    pub fixes: Vec<VisitFix>,
    /// Photos, by hash order.
    pub photos: Vec<PhotoRef>,
    /// Notes.
    pub notes: String,
    /// The collector's user id.
    pub collector: String,
    /// Started, ms since the epoch.
    pub started_at: i64,
    /// Submitted, ms since the epoch.
    pub submitted_at: Option<i64>,
    /// State.
    pub state: VisitState,
}

impl From<core::Visit> for Visit {
    fn from(v: core::Visit) -> Self {
        Self {
            id: v.id.to_string(),
            producer_id: v.producer.map(|p| p.to_string()),
            product_id: v.product.map(|p| p.to_string()),
            province: v.province.into(),
            commune: v.commune.into(),
            form_id: v.form_id,
            form_version: v.form_version,
            answers: v
                .answers
                .into_iter()
                .map(|(k, a)| (k, a.into()))
                .collect(),
            fixes: v.fixes.into_iter().map(Into::into).collect(),
            photos: v.photos.into_values().map(Into::into).collect(),
            notes: v.notes.as_str().to_string(),
            collector: v.collector,
            started_at: v.started_at,
            submitted_at: v.submitted_at,
            state: v.state.into(),
        }
    }
}
