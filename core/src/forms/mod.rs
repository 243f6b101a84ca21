//! Versioned survey forms and the validation of answers against them.
//!
//! # The model
//!
//! A [`Form`] is a survey an officer fills on a visit: an id (`ocop_producer_product_survey`), a version (1, 2, …),
//! bilingual labels ([`Label`]: Vietnamese required, English falling back to Vietnamese) and an ordered list of
//! [`Question`]s, each of one [`QuestionKind`]. Forms are data, written as JSON (`core/data/forms/*.json`) and loaded
//! with [`Form::from_json`], which refuses a definition that cannot be answered (duplicate ids, a select question
//! without choices, `min > max`, an empty label …) with a typed [`DefinitionProblem`] list.
//!
//! A form version never changes once shipped. A visit records the `(form id, version)` it was started with and its
//! answers are checked against *that* version for the rest of its life, even after a newer version ships: the
//! [`FormRegistry`] keeps every version and refuses a different definition under a `(form id, version)` it already
//! holds.
//!
//! An [`Answer`] is checked twice:
//! - [`Form::validate_answer`] when it is entered: the question exists, the answer's variant matches the question's
//!   kind, and the value keeps the question's rules (range, choices, phone format, photo hash …). A draft may be
//!   incomplete.
//! - [`Form::validate_submission`] when the visit is submitted: every answer again, and every *required* question
//!   that is *relevant* is answered. A question with a `relevant` condition (`{ "question": "visit_purpose",
//!   "equals": "certificate_renewal" }`) is asked only when an earlier select question has that choice; a required
//!   question that is not relevant is not required.
//!
//! # What `min` and `max` mean
//!
//! | kind | `min` / `max` bound |
//! |---|---|
//! | `integer` | the value, whole numbers |
//! | `decimal` | the value, numbers |
//! | `date` | the date, `"YYYY-MM-DD"` |
//! | `text` | the length in characters (default maximum [`DEFAULT_TEXT_MAX_CHARS`]) |
//! | `select_multiple` | how many choices are selected |
//!
//! Other kinds take no bounds: a `photo` answer is one photo (ask several photo questions for several photos), a
//! `geoshape` needs at least 3 distinct points, a `phone` must be a valid Vietnamese number ([`phone`]).
//!
//! # Privacy
//!
//! Error messages name the question and the rule that was broken, never the value: answers hold names and phone
//! numbers, and messages end up in logs.

mod check;
mod definition;
pub mod phone;
mod registry;
mod validate;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::gps::{GpsFix, LatLon};
use crate::ids::Date;

pub use definition::{
    Bound, Choice, Condition, Form, Label, Lang, Question, QuestionKind, Settings,
};
pub use phone::PhoneProblem;
pub use registry::FormRegistry;
pub use validate::{DEFAULT_TEXT_MAX_CHARS, MAX_SHAPE_POINTS};

/// One answer to one question of a form. The variant must match the question's type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

impl Answer {
    /// The question kind this answer variant fits (each kind has exactly one answer variant).
    pub fn kind(&self) -> QuestionKind {
        match self {
            Answer::Text(_) => QuestionKind::Text,
            Answer::Integer(_) => QuestionKind::Integer,
            Answer::Decimal(_) => QuestionKind::Decimal,
            Answer::Date(_) => QuestionKind::Date,
            Answer::SelectOne(_) => QuestionKind::SelectOne,
            Answer::SelectMultiple(_) => QuestionKind::SelectMultiple,
            Answer::GeoPoint(_) => QuestionKind::Geopoint,
            Answer::GeoShape(_) => QuestionKind::Geoshape,
            Answer::Photo(_) => QuestionKind::Photo,
            Answer::Phone(_) => QuestionKind::Phone,
        }
    }
}

/// Errors for form definitions and answers. Messages name forms, questions and rules, never an answer's value.
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
    /// No version at all of this form is known.
    #[error("unknown form {form_id} (no version is installed)")]
    UnknownFormId {
        /// The form's id.
        form_id: String,
    },
    /// The form's JSON could not be read as a form (syntax, a missing or misspelt field, a wrong type).
    #[error("form JSON is not a valid form definition: {reason}")]
    InvalidJson {
        /// The parser's explanation, with line and column.
        reason: String,
    },
    /// The JSON is a form, but one that cannot be answered as written.
    #[error("form {form_id} version {version} is invalid: {}", join_problems(.problems))]
    InvalidDefinition {
        /// The form's id, as written.
        form_id: String,
        /// The version, as written.
        version: u32,
        /// Everything wrong with it (at least one).
        problems: Vec<DefinitionProblem>,
    },
    /// A different definition is already registered under this form id and version; a version never changes.
    #[error("form {form_id} version {version} is already registered with a different definition")]
    ConflictingDefinition {
        /// The form's id.
        form_id: String,
        /// The version.
        version: u32,
    },
    /// The form version has no question with this id.
    #[error("form {form_id} version {version} has no question {question_id}")]
    UnknownQuestion {
        /// The form's id.
        form_id: String,
        /// The form's version.
        version: u32,
        /// The question id asked for.
        question_id: String,
    },
    /// The answer's type does not fit the question's kind.
    #[error("question {question_id} expects a {expected} answer, got a {got} answer")]
    WrongType {
        /// The question.
        question_id: String,
        /// The question's kind.
        expected: QuestionKind,
        /// The kind the answer fits.
        got: QuestionKind,
    },
    /// A number, date, length or count is outside the allowed range.
    #[error("answer to {question_id} is out of range: {measure} must be {}", range_text(.min.as_ref(), .max.as_ref()))]
    OutOfRange {
        /// The question.
        question_id: String,
        /// What was measured: "value", "date", "length in characters", "number of choices selected" …
        measure: &'static str,
        /// The lowest allowed, if any.
        min: Option<Bound>,
        /// The highest allowed, if any.
        max: Option<Bound>,
    },
    /// A decimal or a coordinate is NaN or infinite.
    #[error("answer to {question_id}: {field} is not a finite number")]
    NotFinite {
        /// The question.
        question_id: String,
        /// Which number ("value", "latitude", "accuracy" …).
        field: &'static str,
    },
    /// A coordinate is beyond the range of the Earth (latitude ±90°, longitude ±180°) or negative where it cannot be.
    #[error("answer to {question_id}: {field} is outside {allowed}")]
    InvalidCoordinate {
        /// The question.
        question_id: String,
        /// Which number.
        field: &'static str,
        /// The allowed range, in words.
        allowed: &'static str,
    },
    /// A selected value is not one of the question's choices.
    #[error("answer to {question_id} names a choice the question does not have")]
    UnknownChoice {
        /// The question.
        question_id: String,
    },
    /// A select-multiple answer names the same choice twice.
    #[error("answer to {question_id} selects the same choice more than once")]
    DuplicateChoice {
        /// The question.
        question_id: String,
    },
    /// An exclusive choice ("none") is selected together with other choices.
    #[error("answer to {question_id}: choice {choice} cannot be combined with other choices")]
    ExclusiveChoice {
        /// The question.
        question_id: String,
        /// The exclusive choice's value (from the form, not from the user).
        choice: String,
    },
    /// A photo answer is not a SHA-256 written as 64 lowercase hexadecimal digits.
    #[error("answer to {question_id} is not a photo hash (64 lowercase hexadecimal digits)")]
    InvalidPhotoHash {
        /// The question.
        question_id: String,
    },
    /// A phone number that is not a valid Vietnamese number (from [`phone::normalize`]).
    #[error("invalid Vietnamese phone number: {problem}")]
    InvalidPhone {
        /// What is wrong with it.
        problem: PhoneProblem,
    },
    /// A phone answer that is not a valid Vietnamese number.
    #[error("answer to {question_id} is not a valid Vietnamese phone number: {problem}")]
    InvalidPhoneAnswer {
        /// The question.
        question_id: String,
        /// What is wrong with it.
        problem: PhoneProblem,
    },
    /// A required (and relevant) question has no answer at submission.
    #[error("question {question_id} is required but has no answer")]
    MissingRequired {
        /// The question.
        question_id: String,
    },
}

/// One reason a form definition cannot be used. Positions are given by question id where the id is valid, else by
/// index (0-based) in the question list.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DefinitionProblem {
    /// Versions start at 1.
    #[error("version must be 1 or more")]
    VersionZero,
    /// The form id is not snake_case ASCII (`a-z`, `0-9`, `_`, starting with a letter, at most 64 characters).
    #[error(
        "form id must be snake_case ASCII (a-z, 0-9, _), starting with a letter, at most 64 characters"
    )]
    InvalidFormId,
    /// The form has no questions.
    #[error("the form has no questions")]
    NoQuestions,
    /// A question id is not snake_case ASCII.
    #[error(
        "question #{index}: id must be snake_case ASCII (a-z, 0-9, _), starting with a letter, at most 64 characters"
    )]
    InvalidQuestionId {
        /// Position of the question, from 0.
        index: usize,
    },
    /// Two questions share an id.
    #[error("question id {question_id} is used more than once")]
    DuplicateQuestionId {
        /// The repeated id.
        question_id: String,
    },
    /// A label is empty or only spaces.
    #[error("{location}: label is empty")]
    EmptyLabel {
        /// Where: "title", "question x label", "question x choice y" …
        location: String,
    },
    /// A select question has no choices.
    #[error("question {question_id}: a select question needs at least one choice")]
    MissingChoices {
        /// The question.
        question_id: String,
    },
    /// A question that is not a select question lists choices.
    #[error("question {question_id}: only select questions take choices")]
    ChoicesNotAllowed {
        /// The question.
        question_id: String,
    },
    /// A choice value is not snake_case ASCII.
    #[error(
        "question {question_id}, choice #{index}: value must be snake_case ASCII (a-z, 0-9, _), starting with a letter or digit"
    )]
    InvalidChoiceValue {
        /// The question.
        question_id: String,
        /// Position of the choice, from 0.
        index: usize,
    },
    /// Two choices of a question share a value.
    #[error("question {question_id}: choice {value} is listed more than once")]
    DuplicateChoiceValue {
        /// The question.
        question_id: String,
        /// The repeated value.
        value: String,
    },
    /// `min`/`max` on a kind that takes no bounds.
    #[error("question {question_id}: a {kind} question takes no min/max")]
    BoundsNotAllowed {
        /// The question.
        question_id: String,
        /// Its kind.
        kind: QuestionKind,
    },
    /// A bound of the wrong sort for the kind (a date on an integer question, a fraction on an integer question,
    /// a negative length or count).
    #[error("question {question_id}: {which} must be {expected}")]
    BoundWrongType {
        /// The question.
        question_id: String,
        /// `"min"` or `"max"`.
        which: &'static str,
        /// What the kind needs, in words.
        expected: &'static str,
    },
    /// `min` is greater than `max`, or `min` asks for more choices than there are.
    #[error("question {question_id}: min/max can never be met")]
    BoundsUnsatisfiable {
        /// The question.
        question_id: String,
    },
    /// A `relevant` condition that cannot be evaluated.
    #[error("question {question_id}: relevant condition {reason}")]
    InvalidCondition {
        /// The question carrying the condition.
        question_id: String,
        /// Why.
        reason: &'static str,
    },
    /// The GPS accuracy threshold is not a positive finite number of metres.
    #[error("settings: gps_accuracy_threshold_m must be a positive number of metres")]
    InvalidAccuracyThreshold,
}

fn join_problems(problems: &[DefinitionProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

fn range_text(min: Option<&Bound>, max: Option<&Bound>) -> String {
    match (min, max) {
        (Some(lo), Some(hi)) => format!("between {lo} and {hi}"),
        (Some(lo), None) => format!("at least {lo}"),
        (None, Some(hi)) => format!("at most {hi}"),
        (None, None) => "within its range".to_string(),
    }
}
