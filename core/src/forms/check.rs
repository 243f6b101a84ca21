//! Checking a form definition before it is used: every problem that would make a question unanswerable, or a
//! rule meaningless, is reported at load time rather than discovered in the field.

use std::collections::{BTreeMap, BTreeSet};

use super::definition::{Bound, Form, Label, Question, QuestionKind};
use super::{DefinitionProblem, FormError};

/// Longest id accepted for a form, a question or a choice.
const MAX_ID_LEN: usize = 64;

impl Form {
    /// Checks the definition: version ≥ 1, snake_case ids, unique question ids, non-empty labels, choices present
    /// and unique on select questions (and only there), bounds of the right sort with `min ≤ max`, relevance
    /// conditions that point to an earlier select question and one of its choices, a positive GPS threshold.
    ///
    /// Returns [`FormError::InvalidDefinition`] listing every problem found.
    pub fn check(&self) -> Result<(), FormError> {
        let mut problems = Vec::new();
        if self.version == 0 {
            problems.push(DefinitionProblem::VersionZero);
        }
        if !is_snake_id(&self.id) {
            problems.push(DefinitionProblem::InvalidFormId);
        }
        check_label(&self.title, "title", &mut problems);
        if let Some(d) = &self.description {
            check_label(d, "description", &mut problems);
        }
        let t = self.settings.gps_accuracy_threshold_m;
        if !(t.is_finite() && t > 0.0) {
            problems.push(DefinitionProblem::InvalidAccuracyThreshold);
        }
        if self.questions.is_empty() {
            problems.push(DefinitionProblem::NoQuestions);
        }
        // Questions seen so far, by id: a condition may only refer to an earlier question, so there are no cycles.
        let mut earlier: BTreeMap<&str, &Question> = BTreeMap::new();
        for (index, q) in self.questions.iter().enumerate() {
            if !is_snake_id(&q.id) {
                problems.push(DefinitionProblem::InvalidQuestionId { index });
            } else if earlier.contains_key(q.id.as_str()) {
                problems.push(DefinitionProblem::DuplicateQuestionId {
                    question_id: q.id.clone(),
                });
            }
            check_question(q, &earlier, &mut problems);
            earlier.entry(q.id.as_str()).or_insert(q);
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(FormError::InvalidDefinition {
                form_id: self.id.clone(),
                version: self.version,
                problems,
            })
        }
    }
}

fn check_question(
    q: &Question,
    earlier: &BTreeMap<&str, &Question>,
    problems: &mut Vec<DefinitionProblem>,
) {
    check_label(&q.label, &format!("question {} label", q.id), problems);
    if let Some(h) = &q.hint {
        check_label(h, &format!("question {} hint", q.id), problems);
    }
    check_choices(q, problems);
    check_bounds(q, problems);
    if let Some(cond) = &q.relevant {
        let reason = match earlier.get(cond.question.as_str()) {
            None => Some("must refer to an earlier question"),
            Some(target) if !target.kind.is_select() => Some("must refer to a select question"),
            Some(target) if target.choice(&cond.equals).is_none() => {
                Some("names a choice the question does not have")
            }
            Some(_) => None,
        };
        if let Some(reason) = reason {
            problems.push(DefinitionProblem::InvalidCondition {
                question_id: q.id.clone(),
                reason,
            });
        }
    }
}

fn check_choices(q: &Question, problems: &mut Vec<DefinitionProblem>) {
    if !q.kind.is_select() {
        if !q.choices.is_empty() {
            problems.push(DefinitionProblem::ChoicesNotAllowed {
                question_id: q.id.clone(),
            });
        }
        return;
    }
    if q.choices.is_empty() {
        problems.push(DefinitionProblem::MissingChoices {
            question_id: q.id.clone(),
        });
    }
    let mut seen = BTreeSet::new();
    for (index, c) in q.choices.iter().enumerate() {
        if !is_choice_value(&c.value) {
            problems.push(DefinitionProblem::InvalidChoiceValue {
                question_id: q.id.clone(),
                index,
            });
        } else if !seen.insert(c.value.as_str()) {
            problems.push(DefinitionProblem::DuplicateChoiceValue {
                question_id: q.id.clone(),
                value: c.value.clone(),
            });
        }
        check_label(
            &c.label,
            &format!("question {} choice #{index}", q.id),
            problems,
        );
    }
}

fn check_bounds(q: &Question, problems: &mut Vec<DefinitionProblem>) {
    if q.min.is_none() && q.max.is_none() {
        return;
    }
    let wrong = |which: &'static str, expected: &'static str| DefinitionProblem::BoundWrongType {
        question_id: q.id.clone(),
        which,
        expected,
    };
    let before = problems.len();
    for (which, bound) in [("min", q.min), ("max", q.max)] {
        let Some(bound) = bound else { continue };
        match (q.kind, bound) {
            (QuestionKind::Integer, Bound::Integer(_)) => {}
            (QuestionKind::Integer, _) => problems.push(wrong(which, "a whole number")),
            (QuestionKind::Decimal, Bound::Integer(_)) => {}
            (QuestionKind::Decimal, Bound::Decimal(d)) if d.is_finite() => {}
            (QuestionKind::Decimal, _) => problems.push(wrong(which, "a finite number")),
            (QuestionKind::Date, Bound::Date(_)) => {}
            (QuestionKind::Date, _) => problems.push(wrong(which, "a YYYY-MM-DD date")),
            (QuestionKind::Text | QuestionKind::SelectMultiple, Bound::Integer(n)) if n >= 0 => {}
            (QuestionKind::Text | QuestionKind::SelectMultiple, _) => {
                problems.push(wrong(which, "a whole number, 0 or more"));
            }
            (kind, _) => {
                problems.push(DefinitionProblem::BoundsNotAllowed {
                    question_id: q.id.clone(),
                    kind,
                });
                return;
            }
        }
    }
    if problems.len() > before {
        return;
    }
    let unsatisfiable = match (q.min, q.max) {
        (Some(Bound::Date(lo)), Some(Bound::Date(hi))) => lo > hi,
        (Some(lo), Some(hi)) => match (lo, hi) {
            (Bound::Integer(a), Bound::Integer(b)) => a > b,
            _ => lo.as_f64().zip(hi.as_f64()).is_some_and(|(a, b)| a > b),
        },
        _ => false,
    };
    let too_many_required = q.kind == QuestionKind::SelectMultiple
        && matches!(q.min, Some(Bound::Integer(n)) if usize::try_from(n).map_or(true, |n| n > q.choices.len()));
    if unsatisfiable || too_many_required {
        problems.push(DefinitionProblem::BoundsUnsatisfiable {
            question_id: q.id.clone(),
        });
    }
}

fn check_label(label: &Label, location: &str, problems: &mut Vec<DefinitionProblem>) {
    let en_empty = label.en.as_deref().is_some_and(|en| en.trim().is_empty());
    if label.vi.trim().is_empty() || en_empty {
        problems.push(DefinitionProblem::EmptyLabel {
            location: location.to_string(),
        });
    }
}

/// snake_case ASCII: a lowercase letter, then lowercase letters, digits and underscores; at most 64 characters.
pub(super) fn is_snake_id(s: &str) -> bool {
    s.len() <= MAX_ID_LEN
        && s.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// A choice value: like an id, but it may start with a digit (`iso_22000` could as well be `22000`).
fn is_choice_value(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_ID_LEN
        && s.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}
