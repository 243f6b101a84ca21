//! Checking answers against the form version a visit was started with.
//!
//! [`Form::validate_answer`] checks one answer as it is entered (a draft may be incomplete);
//! [`Form::validate_submission`] checks a whole visit before it goes to review. Neither ever puts an answer's value
//! in an error: errors name the question and the rule.

use std::collections::{BTreeMap, BTreeSet};

use super::definition::{Bound, Form, Question, QuestionKind};
use super::{Answer, FormError, phone};
use crate::gps::GpsFix;

/// Longest text answer, in characters, when a text question sets no `max`.
pub const DEFAULT_TEXT_MAX_CHARS: usize = 2_000;

/// Most points a geoshape answer may have (a zone walked with a fix every few metres stays far below it).
pub const MAX_SHAPE_POINTS: usize = 10_000;

/// Fewest distinct points of a geoshape answer.
const MIN_SHAPE_POINTS: usize = 3;

impl Form {
    /// Checks one answer against this form version: the question exists, the answer's variant fits its kind,
    /// and the value keeps the question's rules. It does not check other answers (a draft may be incomplete).
    pub fn validate_answer(&self, question_id: &str, answer: &Answer) -> Result<(), FormError> {
        let q = self.question(question_id)?;
        check_answer(q, answer)
    }

    /// Checks one answer like [`Form::validate_answer`] and returns it in its stored form: phone numbers in
    /// national form (`0912345678`), text without surrounding whitespace.
    pub fn normalize_answer(&self, question_id: &str, answer: Answer) -> Result<Answer, FormError> {
        let q = self.question(question_id)?;
        let answer = match answer {
            Answer::Phone(p) if q.kind == QuestionKind::Phone => {
                Answer::Phone(phone::normalize(&p).map_err(|e| phone_answer_error(&q.id, e))?)
            }
            Answer::Text(t) => Answer::Text(t.trim().to_string()),
            other => other,
        };
        check_answer(q, &answer)?;
        Ok(answer)
    }

    /// Checks every answer of a draft, without asking for completeness. Returns every error found.
    pub fn validate_draft(&self, answers: &BTreeMap<String, Answer>) -> Result<(), Vec<FormError>> {
        let errors: Vec<FormError> = answers
            .iter()
            .filter_map(|(id, a)| self.validate_answer(id, a).err())
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Checks a visit for submission: every answer is valid (as in [`Form::validate_draft`]) and every required
    /// question that is relevant has an answer. Blank text and an empty selection count as no answer.
    /// Returns every error found, in question order after the answer errors.
    pub fn validate_submission(
        &self,
        answers: &BTreeMap<String, Answer>,
    ) -> Result<(), Vec<FormError>> {
        let mut errors = self.validate_draft(answers).err().unwrap_or_default();
        for q in &self.questions {
            let answered = answers.get(&q.id).is_some_and(|a| !is_blank(a));
            if q.required && !answered && self.is_relevant(q, answers) {
                errors.push(FormError::MissingRequired {
                    question_id: q.id.clone(),
                });
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Whether `question` is asked given these answers: it has no condition, or the condition's question is itself
    /// relevant and has the named choice. An answer to a question that is not relevant is still checked but never
    /// required.
    pub fn is_relevant(&self, question: &Question, answers: &BTreeMap<String, Answer>) -> bool {
        let mut current = question;
        // Conditions refer only to earlier questions (checked at load), so this walk ends; the bound guards
        // against a form that was built by hand without `check`.
        for _ in 0..=self.questions.len() {
            let Some(cond) = &current.relevant else {
                return true;
            };
            let holds = match answers.get(&cond.question) {
                Some(Answer::SelectOne(v)) => *v == cond.equals,
                Some(Answer::SelectMultiple(vs)) => vs.contains(&cond.equals),
                _ => false,
            };
            if !holds {
                return false;
            }
            match self.questions.iter().find(|q| q.id == cond.question) {
                Some(next) => current = next,
                None => return false,
            }
        }
        false
    }
}

fn is_blank(answer: &Answer) -> bool {
    match answer {
        Answer::Text(t) | Answer::Phone(t) | Answer::Photo(t) | Answer::SelectOne(t) => {
            t.trim().is_empty()
        }
        Answer::SelectMultiple(v) => v.is_empty(),
        Answer::GeoShape(points) => points.is_empty(),
        Answer::Integer(_) | Answer::Decimal(_) | Answer::Date(_) | Answer::GeoPoint(_) => false,
    }
}

fn check_answer(q: &Question, answer: &Answer) -> Result<(), FormError> {
    if answer.kind() != q.kind {
        return Err(FormError::WrongType {
            question_id: q.id.clone(),
            expected: q.kind,
            got: answer.kind(),
        });
    }
    let out_of_range = |measure: &'static str| FormError::OutOfRange {
        question_id: q.id.clone(),
        measure,
        min: q.min,
        max: q.max,
    };
    match answer {
        Answer::Text(t) => {
            let len = t.chars().count();
            let max = bound_count(q.max).unwrap_or(DEFAULT_TEXT_MAX_CHARS);
            if len > max || bound_count(q.min).is_some_and(|min| len < min) {
                let max = Some(
                    q.max
                        .unwrap_or(Bound::Integer(DEFAULT_TEXT_MAX_CHARS as i64)),
                );
                return Err(FormError::OutOfRange {
                    question_id: q.id.clone(),
                    measure: "length in characters",
                    min: q.min,
                    max,
                });
            }
        }
        Answer::Integer(v) => {
            let below = matches!(q.min, Some(Bound::Integer(lo)) if *v < lo);
            let above = matches!(q.max, Some(Bound::Integer(hi)) if *v > hi);
            if below || above {
                return Err(out_of_range("value"));
            }
        }
        Answer::Decimal(v) => {
            if !v.is_finite() {
                return Err(FormError::NotFinite {
                    question_id: q.id.clone(),
                    field: "value",
                });
            }
            let below = q.min.and_then(Bound::as_f64).is_some_and(|lo| *v < lo);
            let above = q.max.and_then(Bound::as_f64).is_some_and(|hi| *v > hi);
            if below || above {
                return Err(out_of_range("value"));
            }
        }
        Answer::Date(d) => {
            let below = matches!(q.min, Some(Bound::Date(lo)) if *d < lo);
            let above = matches!(q.max, Some(Bound::Date(hi)) if *d > hi);
            if below || above {
                return Err(out_of_range("date"));
            }
        }
        Answer::SelectOne(v) => {
            if q.choice(v).is_none() {
                return Err(FormError::UnknownChoice {
                    question_id: q.id.clone(),
                });
            }
        }
        Answer::SelectMultiple(values) => check_select_multiple(q, values)?,
        Answer::GeoPoint(fix) => check_fix(&q.id, fix)?,
        Answer::GeoShape(points) => {
            for p in points {
                check_lat_lon(&q.id, p.lat, p.lon)?;
            }
            let distinct = distinct_vertices(points);
            if !(MIN_SHAPE_POINTS..=MAX_SHAPE_POINTS).contains(&distinct) {
                return Err(FormError::OutOfRange {
                    question_id: q.id.clone(),
                    measure: "number of distinct points",
                    min: Some(Bound::Integer(MIN_SHAPE_POINTS as i64)),
                    max: Some(Bound::Integer(MAX_SHAPE_POINTS as i64)),
                });
            }
        }
        Answer::Photo(hash) => {
            let ok = hash.len() == 64
                && hash
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            if !ok {
                return Err(FormError::InvalidPhotoHash {
                    question_id: q.id.clone(),
                });
            }
        }
        Answer::Phone(p) => {
            phone::normalize(p).map_err(|e| phone_answer_error(&q.id, e))?;
        }
    }
    Ok(())
}

fn check_select_multiple(q: &Question, values: &[String]) -> Result<(), FormError> {
    let mut seen = BTreeSet::new();
    for v in values {
        if q.choice(v).is_none() {
            return Err(FormError::UnknownChoice {
                question_id: q.id.clone(),
            });
        }
        if !seen.insert(v.as_str()) {
            return Err(FormError::DuplicateChoice {
                question_id: q.id.clone(),
            });
        }
    }
    if values.len() > 1
        && let Some(c) = q
            .choices
            .iter()
            .find(|c| c.exclusive && seen.contains(c.value.as_str()))
    {
        return Err(FormError::ExclusiveChoice {
            question_id: q.id.clone(),
            choice: c.value.clone(),
        });
    }
    let n = values.len();
    if bound_count(q.min).is_some_and(|lo| n < lo) || bound_count(q.max).is_some_and(|hi| n > hi) {
        return Err(FormError::OutOfRange {
            question_id: q.id.clone(),
            measure: "number of choices selected",
            min: q.min,
            max: q.max,
        });
    }
    Ok(())
}

/// A bound used as a count (text length, selections); negative or non-integer bounds are refused at load.
fn bound_count(b: Option<Bound>) -> Option<usize> {
    match b {
        Some(Bound::Integer(n)) => usize::try_from(n).ok(),
        _ => None,
    }
}

fn phone_answer_error(question_id: &str, e: FormError) -> FormError {
    match e {
        FormError::InvalidPhone { problem } => FormError::InvalidPhoneAnswer {
            question_id: question_id.to_string(),
            problem,
        },
        other => other,
    }
}

/// The position checks a geopoint answer needs.
///
/// CALL POINT: once `GpsFix::validate()` lands in `crate::gps`, call it here as well (mapping its error to this
/// question); until then the form layer does its own finite/range checks so that no impossible number is stored.
fn check_fix(question_id: &str, fix: &GpsFix) -> Result<(), FormError> {
    check_lat_lon(question_id, fix.lat, fix.lon)?;
    if let Some(acc) = fix.accuracy_m {
        if !acc.is_finite() {
            return Err(FormError::NotFinite {
                question_id: question_id.to_string(),
                field: "accuracy",
            });
        }
        if acc < 0.0 {
            return Err(FormError::InvalidCoordinate {
                question_id: question_id.to_string(),
                field: "accuracy",
                allowed: "0 m or more",
            });
        }
    }
    if fix.altitude_m.is_some_and(|a| !a.is_finite()) {
        return Err(FormError::NotFinite {
            question_id: question_id.to_string(),
            field: "altitude",
        });
    }
    Ok(())
}

fn check_lat_lon(question_id: &str, lat: f64, lon: f64) -> Result<(), FormError> {
    for (field, v, limit, allowed) in [
        ("latitude", lat, 90.0, "-90..90 degrees"),
        ("longitude", lon, 180.0, "-180..180 degrees"),
    ] {
        if !v.is_finite() {
            return Err(FormError::NotFinite {
                question_id: question_id.to_string(),
                field,
            });
        }
        if v.abs() > limit {
            return Err(FormError::InvalidCoordinate {
                question_id: question_id.to_string(),
                field,
                allowed,
            });
        }
    }
    Ok(())
}

/// Distinct vertices of a ring: a closing point equal to the first is not counted, nor are repeats of a point
/// (a phone standing still keeps reporting the same fix). Stops counting past [`MAX_SHAPE_POINTS`].
fn distinct_vertices(points: &[crate::gps::LatLon]) -> usize {
    if points.len() > MAX_SHAPE_POINTS + 1 {
        return points.len();
    }
    let mut seen: Vec<(u64, u64)> = points
        .iter()
        .map(|p| ((p.lat + 0.0).to_bits(), (p.lon + 0.0).to_bits()))
        .collect();
    seen.sort_unstable();
    seen.dedup();
    seen.len()
}
