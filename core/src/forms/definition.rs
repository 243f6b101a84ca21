//! The form definition as read from JSON: forms, questions, choices, labels and bounds.
//!
//! The JSON mirrors these types field for field (see `core/data/forms/ocop-survey-v1.json`). Unknown fields are
//! refused rather than ignored: a misspelt `"requried": true` must not silently make a question optional.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use super::FormError;
use crate::ids::Date;

/// A versioned survey form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Form {
    /// Stable id shared by all versions, snake_case ASCII (`ocop_producer_product_survey`).
    pub id: String,
    /// Version, from 1. A version never changes once shipped.
    pub version: u32,
    /// The form's title.
    pub title: Label,
    /// A longer description, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Label>,
    /// The questions, in the order they are asked.
    pub questions: Vec<Question>,
    /// Settings for capture.
    #[serde(default)]
    pub settings: Settings,
}

/// Capture settings of a form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// A GPS fix less accurate than this (metres) is flagged as poor. Default 50.
    #[serde(default = "default_accuracy")]
    pub gps_accuracy_threshold_m: f64,
}

fn default_accuracy() -> f64 {
    50.0
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            gps_accuracy_threshold_m: default_accuracy(),
        }
    }
}

/// A display language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// Vietnamese (always present).
    Vi,
    /// English (falls back to Vietnamese).
    En,
}

/// A bilingual label: Vietnamese is required, English is optional and falls back to Vietnamese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Label {
    /// Vietnamese text.
    pub vi: String,
    /// English text, if translated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl Label {
    /// A label with both languages.
    pub fn new(vi: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            vi: vi.into(),
            en: Some(en.into()),
        }
    }

    /// The text in `lang`, falling back to Vietnamese when there is no English.
    pub fn text(&self, lang: Lang) -> &str {
        match (lang, &self.en) {
            (Lang::En, Some(en)) => en,
            _ => &self.vi,
        }
    }
}

/// One question of a form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Id, snake_case ASCII, unique in the form; answers are keyed by it.
    pub id: String,
    /// What sort of answer it takes.
    pub kind: QuestionKind,
    /// The question as shown.
    pub label: Label,
    /// A help text shown under the question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<Label>,
    /// Whether a submission must answer it (when it is relevant).
    #[serde(default)]
    pub required: bool,
    /// Lower bound; its meaning depends on the kind (see the module docs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Bound>,
    /// Upper bound; its meaning depends on the kind (see the module docs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Bound>,
    /// The choices of a select question, in display order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Choice>,
    /// When present, the question is asked only if this condition holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevant: Option<Condition>,
}

impl Question {
    /// The choice with this value, if the question has it.
    pub fn choice(&self, value: &str) -> Option<&Choice> {
        self.choices.iter().find(|c| c.value == value)
    }
}

/// The kinds of question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// Free text ([`Answer::Text`](super::Answer::Text)).
    Text,
    /// A whole number.
    Integer,
    /// A decimal number.
    Decimal,
    /// A calendar date.
    Date,
    /// One of the choices.
    SelectOne,
    /// Any number of distinct choices.
    SelectMultiple,
    /// A GPS position.
    #[serde(rename = "geopoint")]
    Geopoint,
    /// A polygon of at least 3 points.
    #[serde(rename = "geoshape")]
    Geoshape,
    /// One photo, by its SHA-256.
    Photo,
    /// A Vietnamese phone number.
    Phone,
}

impl QuestionKind {
    /// The kind's name as written in form JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionKind::Text => "text",
            QuestionKind::Integer => "integer",
            QuestionKind::Decimal => "decimal",
            QuestionKind::Date => "date",
            QuestionKind::SelectOne => "select_one",
            QuestionKind::SelectMultiple => "select_multiple",
            QuestionKind::Geopoint => "geopoint",
            QuestionKind::Geoshape => "geoshape",
            QuestionKind::Photo => "photo",
            QuestionKind::Phone => "phone",
        }
    }

    /// Whether the kind answers with choice values.
    pub fn is_select(self) -> bool {
        matches!(self, QuestionKind::SelectOne | QuestionKind::SelectMultiple)
    }
}

impl fmt::Display for QuestionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One choice of a select question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// The stored value, snake_case ASCII, unique in the question.
    pub value: String,
    /// The choice as shown.
    pub label: Label,
    /// In a select-multiple question, this choice ("none") cannot be selected with any other.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exclusive: bool,
}

/// A relevance condition: the question is asked only when the earlier select question `question` has the choice
/// `equals` (selected, for a select-multiple question).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// The id of an earlier select question.
    pub question: String,
    /// One of its choice values.
    pub equals: String,
}

/// A `min`/`max` bound: a whole number, a decimal number or a date, written in JSON as a number or a
/// `"YYYY-MM-DD"` string. Which sort a question takes depends on its kind (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Bound {
    /// A whole number.
    Integer(i64),
    /// A number with a fraction.
    Decimal(f64),
    /// A date.
    Date(Date),
}

impl Bound {
    /// The bound as a number, if it is one.
    pub fn as_f64(self) -> Option<f64> {
        match self {
            Bound::Integer(i) => Some(i as f64),
            Bound::Decimal(d) => Some(d),
            Bound::Date(_) => None,
        }
    }
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bound::Integer(i) => write!(f, "{i}"),
            Bound::Decimal(d) => write!(f, "{d}"),
            Bound::Date(d) => write!(f, "{d}"),
        }
    }
}

impl<'de> Deserialize<'de> for Bound {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(BoundVisitor)
    }
}

struct BoundVisitor;

impl Visitor<'_> for BoundVisitor {
    type Value = Bound;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number or a YYYY-MM-DD date")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Bound, E> {
        Ok(Bound::Integer(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Bound, E> {
        i64::try_from(v)
            .map(Bound::Integer)
            .map_err(|_| E::custom("bound too large"))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Bound, E> {
        Ok(Bound::Decimal(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Bound, E> {
        chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(|d| Bound::Date(Date(d)))
            .map_err(|_| E::custom("a string bound must be a YYYY-MM-DD date"))
    }
}

impl Form {
    /// Reads a form from JSON and checks that it can be answered ([`Form::check`]).
    ///
    /// Fails with [`FormError::InvalidJson`] (with line and column) when the JSON is not a form, and with
    /// [`FormError::InvalidDefinition`] listing every problem when it is a form that cannot be used.
    pub fn from_json(json: &str) -> Result<Self, FormError> {
        let form: Form = serde_json::from_str(json).map_err(|e| FormError::InvalidJson {
            reason: e.to_string(),
        })?;
        form.check()?;
        Ok(form)
    }

    /// The form as pretty-printed JSON (what [`Form::from_json`] reads).
    pub fn to_json(&self) -> Result<String, FormError> {
        serde_json::to_string_pretty(self).map_err(|e| FormError::InvalidJson {
            reason: e.to_string(),
        })
    }

    /// The question with this id, or [`FormError::UnknownQuestion`].
    pub fn question(&self, question_id: &str) -> Result<&Question, FormError> {
        self.questions
            .iter()
            .find(|q| q.id == question_id)
            .ok_or_else(|| FormError::UnknownQuestion {
                form_id: self.id.clone(),
                version: self.version,
                question_id: question_id.to_string(),
            })
    }
}
