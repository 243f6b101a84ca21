//! Robustness: nothing a file, a user or a peer sends makes the form layer panic.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::{OCOP, v1, v2};
use crate::forms::{Answer, Form, FormError, phone};
use crate::gps::{GpsFix, GpsProvider, LatLon};
use crate::ids::Date;

fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        -200.0..200.0f64,
        Just(f64::NAN),
        Just(f64::INFINITY)
    ]
}

fn any_answer() -> impl Strategy<Value = Answer> {
    let text = ".{0,40}";
    let choice = prop_oneof![
        Just("none".to_string()),
        Just("shopee".to_string()),
        "[a-z_]{0,12}"
    ];
    prop_oneof![
        text.prop_map(Answer::Text),
        any::<i64>().prop_map(Answer::Integer),
        any_f64().prop_map(Answer::Decimal),
        (-100_000i32..1_000_000)
            .prop_filter_map("a date", chrono::NaiveDate::from_num_days_from_ce_opt)
            .prop_map(|d| Answer::Date(Date(d))),
        choice.clone().prop_map(Answer::SelectOne),
        prop::collection::vec(choice, 0..6).prop_map(Answer::SelectMultiple),
        (
            any_f64(),
            any_f64(),
            prop::option::of(any_f64()),
            prop::option::of(any_f64()),
            any::<bool>()
        )
            .prop_map(|(lat, lon, accuracy_m, altitude_m, mock)| Answer::GeoPoint(
                GpsFix {
                    lat,
                    lon,
                    accuracy_m,
                    altitude_m,
                    time: 0,
                    provider: GpsProvider::Gnss,
                    mock,
                }
            )),
        prop::collection::vec(
            (any_f64(), any_f64()).prop_map(|(lat, lon)| LatLon { lat, lon }),
            0..8
        )
        .prop_map(Answer::GeoShape),
        "[0-9a-fA-F]{0,66}".prop_map(Answer::Photo),
        "[0-9 +().\\-a]{0,20}".prop_map(Answer::Phone),
    ]
}

fn question_id() -> impl Strategy<Value = String> {
    let known: Vec<String> = v2().questions.iter().map(|q| q.id.clone()).collect();
    prop_oneof![prop::sample::select(known), "[a-z_]{0,10}"]
}

proptest! {
    #[test]
    fn arbitrary_strings_as_form_json_never_panic(json in ".{0,300}") {
        let _ = Form::from_json(&json);
    }

    /// The shipped JSON, cut and spliced at random places, is either a form that passed its checks or an error.
    #[test]
    fn damaged_form_json_never_panics(cut in 0usize..30_000, len in 0usize..200, insert in ".{0,8}") {
        let json = v1().to_json().unwrap_or_default();
        let chars: Vec<char> = json.chars().collect();
        let at = cut.min(chars.len());
        let end = (at + len).min(chars.len());
        let damaged: String = chars.get(..at).unwrap_or_default().iter().copied()
            .chain(insert.chars())
            .chain(chars.get(end..).unwrap_or_default().iter().copied())
            .collect();
        if let Ok(form) = Form::from_json(&damaged) {
            prop_assert!(form.check().is_ok());
        }
    }

    #[test]
    fn arbitrary_answers_never_panic(qid in question_id(), answer in any_answer()) {
        for form in [v1(), v2()] {
            let checked = form.validate_answer(&qid, &answer);
            let normalized = form.normalize_answer(&qid, answer.clone());
            // An answer accepted as entered is still accepted in its stored (normalized) form.
            if checked.is_ok() {
                prop_assert!(normalized.is_ok());
            }
        }
    }

    #[test]
    fn arbitrary_visits_never_panic(answers in prop::collection::btree_map(question_id(), any_answer(), 0..12)) {
        let answers: BTreeMap<String, Answer> = answers;
        for form in [v1(), v2()] {
            if let Err(errors) = form.validate_submission(&answers) {
                prop_assert!(!errors.is_empty());
                // Messages name forms and questions, never free text from the answers.
                for e in &errors {
                    if let FormError::UnknownQuestion { form_id, .. } = e {
                        prop_assert_eq!(form_id.as_str(), OCOP);
                    }
                }
            }
            let _ = form.validate_draft(&answers);
        }
    }

    #[test]
    fn phone_normalization_never_panics_and_is_idempotent(input in ".{0,30}") {
        if let Ok(national) = phone::normalize(&input) {
            prop_assert_eq!(phone::normalize(&national), Ok(national.clone()));
            prop_assert!(national.len() == 10 || national.len() == 11);
            prop_assert!(national.starts_with('0'));
            prop_assert!(phone::to_e164(&input).is_ok_and(|e| e.starts_with("+84")));
        }
    }

    /// Errors never carry the typed text: a text answer too long, or a bad phone, is reported without its value.
    #[test]
    fn errors_do_not_echo_typed_values(text in "[a-zA-Zà-ỹ]{101,140}", phone_digits in "[0-9]{5,9}") {
        let err = v1().validate_answer("respondent_name", &Answer::Text(text.clone()));
        let msg = err.err().map(|e| e.to_string()).unwrap_or_default();
        prop_assert!(!msg.is_empty() && !msg.contains(&text));
        let err = v1().validate_answer("respondent_phone", &Answer::Phone(phone_digits.clone()));
        let msg = err.err().map(|e| e.to_string()).unwrap_or_default();
        prop_assert!(!msg.is_empty() && !msg.contains(&phone_digits));
    }
}
