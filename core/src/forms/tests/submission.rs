//! Whole visits: drafts may be incomplete, submissions may not; a visit keeps its form version.

use super::{OCOP, complete_v1_answers, date, v1, v2};
use crate::forms::{Answer, FormError, FormRegistry};

fn missing(errors: &[FormError]) -> Vec<&str> {
    errors
        .iter()
        .filter_map(|e| match e {
            FormError::MissingRequired { question_id } => Some(question_id.as_str()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_complete_visit_submits() {
    assert_eq!(v1().validate_submission(&complete_v1_answers()), Ok(()));
}

#[test]
fn a_draft_may_be_incomplete_but_a_submission_may_not() {
    let mut answers = complete_v1_answers();
    answers.remove("facility_location");
    answers.remove("main_product_name");
    assert_eq!(v1().validate_draft(&answers), Ok(()));

    let errors = v1().validate_submission(&answers).err().unwrap_or_default();
    assert_eq!(missing(&errors), ["main_product_name", "facility_location"]);
    assert_eq!(errors.len(), 2);
    assert_eq!(
        errors.first().map(ToString::to_string).as_deref(),
        Some("question main_product_name is required but has no answer")
    );
}

#[test]
fn blank_text_and_empty_selection_do_not_answer_a_required_question() {
    let mut answers = complete_v1_answers();
    answers.insert("respondent_name".into(), Answer::Text("   ".into()));
    let errors = v1().validate_submission(&answers).err().unwrap_or_default();
    assert_eq!(missing(&errors), ["respondent_name"]);
}

#[test]
fn every_bad_answer_is_reported_at_submission() {
    let mut answers = complete_v1_answers();
    answers.insert("readiness_self_assessment".into(), Answer::Integer(9));
    answers.insert("respondent_phone".into(), Answer::Phone("12345".into()));
    answers.insert("khong_co_cau_nay".into(), Answer::Integer(1));
    answers.remove("product_group");
    let errors = v1().validate_submission(&answers).err().unwrap_or_default();
    assert_eq!(errors.len(), 4, "{errors:?}");
    assert!(errors.iter().any(|e| matches!(e, FormError::UnknownQuestion { question_id, .. } if question_id == "khong_co_cau_nay")));
    assert!(
        errors
            .iter()
            .any(|e| matches!(e, FormError::OutOfRange { .. }))
    );
    assert!(
        errors
            .iter()
            .any(|e| matches!(e, FormError::InvalidPhoneAnswer { .. }))
    );
    assert_eq!(missing(&errors), ["product_group"]);
}

#[test]
fn a_v1_visit_still_validates_against_v1_after_v2_ships() -> Result<(), FormError> {
    let registry = FormRegistry::embedded();
    assert_eq!(registry.latest(OCOP)?.version, 2);
    // The visit recorded (form id, version 1) when it was started; it is checked against that version.
    let form = registry.get(OCOP, 1)?;
    assert_eq!(form.validate_submission(&complete_v1_answers()), Ok(()));
    // v2's new choice is not part of v1 …
    assert!(
        form.validate_answer(
            "visit_purpose",
            &Answer::SelectOne("post_certification_monitoring".into())
        )
        .is_err()
    );
    // … while a v2 visit may use it.
    v2().validate_answer(
        "visit_purpose",
        &Answer::SelectOne("post_certification_monitoring".into()),
    )?;
    // The same v1 answers are a complete v2 visit as well (v2 only adds a question asked on renewals).
    assert_eq!(v2().validate_submission(&complete_v1_answers()), Ok(()));
    Ok(())
}

#[test]
fn a_required_question_is_required_only_when_relevant() -> Result<(), FormError> {
    let form = v2();
    let expiry = form.question("ocop_certificate_expiry")?;
    let mut answers = complete_v1_answers();
    assert!(!form.is_relevant(expiry, &answers));
    assert_eq!(form.validate_submission(&answers), Ok(()));

    answers.insert(
        "visit_purpose".into(),
        Answer::SelectOne("certificate_renewal".into()),
    );
    assert!(form.is_relevant(expiry, &answers));
    let errors = form.validate_submission(&answers).err().unwrap_or_default();
    assert_eq!(missing(&errors), ["ocop_certificate_expiry"]);

    answers.insert(
        "ocop_certificate_expiry".into(),
        Answer::Date(date("2026-08-15")),
    );
    assert_eq!(form.validate_submission(&answers), Ok(()));

    // v1 never asks it: a v1 visit carrying that answer is refused with the form and version named.
    let errors = v1().validate_submission(&answers).err().unwrap_or_default();
    assert_eq!(
        errors,
        vec![FormError::UnknownQuestion {
            form_id: OCOP.into(),
            version: 1,
            question_id: "ocop_certificate_expiry".into()
        }]
    );
    Ok(())
}
