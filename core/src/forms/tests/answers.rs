//! One answer at a time: each kind accepts a good answer and refuses a bad one with the right error.

use super::{OCOP, date, fix, form_with, photo_hash, v1, v2, zone};
use crate::forms::{Answer, Bound, FormError, PhoneProblem, QuestionKind};
use crate::gps::LatLon;

fn s(v: &str) -> String {
    v.to_string()
}

#[test]
fn each_kind_accepts_a_good_answer() -> Result<(), FormError> {
    let form = v1();
    form.validate_answer(
        "officer_notes",
        &Answer::Text(s("Cơ sở sạch sẽ, cần hỗ trợ nhãn.")),
    )?;
    form.validate_answer("readiness_self_assessment", &Answer::Integer(5))?;
    form.validate_answer("annual_output", &Answer::Decimal(0.0))?;
    v2().validate_answer("ocop_certificate_expiry", &Answer::Date(date("2027-03-31")))?;
    form.validate_answer("product_group", &Answer::SelectOne(s("tourism")))?;
    form.validate_answer(
        "ecommerce_channels",
        &Answer::SelectMultiple(vec![s("tiktok_shop"), s("postmart")]),
    )?;
    form.validate_answer(
        "ecommerce_channels",
        &Answer::SelectMultiple(vec![s("none")]),
    )?;
    form.validate_answer("facility_location", &Answer::GeoPoint(fix(10.77, 106.70)))?;
    form.validate_answer("raw_material_zone", &Answer::GeoShape(zone()))?;
    form.validate_answer("photo_product", &Answer::Photo(photo_hash()))?;
    form.validate_answer("respondent_phone", &Answer::Phone(s("0912 345 678")))?;
    Ok(())
}

#[test]
fn unknown_question_names_the_form_version_and_question() {
    let err = v1().validate_answer("ocop_certificate_expiry", &Answer::Date(date("2027-03-31")));
    assert_eq!(
        err,
        Err(FormError::UnknownQuestion {
            form_id: OCOP.into(),
            version: 1,
            question_id: "ocop_certificate_expiry".into()
        })
    );
}

#[test]
fn wrong_answer_type_says_what_was_expected() {
    let err = v1().validate_answer("workers_total", &Answer::Text(s("hai mươi")));
    assert_eq!(
        err,
        Err(FormError::WrongType {
            question_id: "workers_total".into(),
            expected: QuestionKind::Integer,
            got: QuestionKind::Text
        })
    );
    // A phone typed as text on a phone question is the wrong type too (it would skip the phone check).
    let err = v1().validate_answer("respondent_phone", &Answer::Text(s("0912345678")));
    assert!(
        matches!(
            err,
            Err(FormError::WrongType {
                expected: QuestionKind::Phone,
                ..
            })
        ),
        "{err:?}"
    );
}

#[test]
fn integers_and_decimals_keep_their_range() {
    let err = v1().validate_answer("readiness_self_assessment", &Answer::Integer(6));
    assert_eq!(
        err,
        Err(FormError::OutOfRange {
            question_id: "readiness_self_assessment".into(),
            measure: "value",
            min: Some(Bound::Integer(1)),
            max: Some(Bound::Integer(5)),
        })
    );
    let msg = err.err().map(|e| e.to_string()).unwrap_or_default();
    assert_eq!(
        msg,
        "answer to readiness_self_assessment is out of range: value must be between 1 and 5"
    );

    assert!(matches!(
        v1().validate_answer("workers_women", &Answer::Integer(-1)),
        Err(FormError::OutOfRange { .. })
    ));
    assert!(matches!(
        v1().validate_answer("annual_output", &Answer::Decimal(-0.5)),
        Err(FormError::OutOfRange { .. })
    ));
    assert_eq!(
        v1().validate_answer("annual_output", &Answer::Decimal(f64::NAN)),
        Err(FormError::NotFinite {
            question_id: "annual_output".into(),
            field: "value"
        })
    );
    assert!(matches!(
        v1().validate_answer(
            "annual_revenue_million_vnd",
            &Answer::Decimal(f64::INFINITY)
        ),
        Err(FormError::NotFinite { .. })
    ));
}

#[test]
fn dates_keep_their_range() {
    let err = v2().validate_answer("ocop_certificate_expiry", &Answer::Date(date("2018-12-31")));
    assert!(
        matches!(
            err,
            Err(FormError::OutOfRange {
                measure: "date",
                ..
            })
        ),
        "{err:?}"
    );
    let err = v2().validate_answer("ocop_certificate_expiry", &Answer::Date(date("2041-01-01")));
    assert!(
        matches!(
            err,
            Err(FormError::OutOfRange {
                measure: "date",
                ..
            })
        ),
        "{err:?}"
    );
}

#[test]
fn text_has_a_length_limit_and_the_error_does_not_repeat_it() -> Result<(), FormError> {
    let name = "Nguyễn Văn Bình ".repeat(7);
    let err = v1().validate_answer("respondent_name", &Answer::Text(name.clone()));
    assert!(
        matches!(
            err,
            Err(FormError::OutOfRange {
                measure: "length in characters",
                ..
            })
        ),
        "{err:?}"
    );
    let msg = err.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        !msg.contains("Nguyễn") && msg.contains("respondent_name") && msg.contains("100"),
        "{msg}"
    );

    // Length counts characters, not bytes: 100 Vietnamese letters fit a 100-character limit.
    v1().validate_answer("respondent_name", &Answer::Text("ễ".repeat(100)))?;

    // With no max set, the default limit applies.
    let form = form_with(r#"{ "id": "ghi_chu", "kind": "text", "label": { "vi": "Ghi chú" } }"#)?;
    form.validate_answer("ghi_chu", &Answer::Text("a".repeat(2_000)))?;
    let err = form.validate_answer("ghi_chu", &Answer::Text("a".repeat(2_001)));
    assert!(
        matches!(
            err,
            Err(FormError::OutOfRange {
                max: Some(Bound::Integer(2_000)),
                ..
            })
        ),
        "{err:?}"
    );
    Ok(())
}

#[test]
fn select_one_takes_only_a_listed_choice() {
    let err = v1().validate_answer("product_group", &Answer::SelectOne(s("my_pham")));
    assert_eq!(
        err,
        Err(FormError::UnknownChoice {
            question_id: "product_group".into()
        })
    );
    // The v2 choice is unknown to v1.
    let err = v1().validate_answer(
        "visit_purpose",
        &Answer::SelectOne(s("post_certification_monitoring")),
    );
    assert_eq!(
        err,
        Err(FormError::UnknownChoice {
            question_id: "visit_purpose".into()
        })
    );
}

#[test]
fn select_multiple_refuses_unknown_duplicate_and_none_with_others() {
    let q = "food_safety_certificates";
    let err = v1().validate_answer(
        q,
        &Answer::SelectMultiple(vec![s("vietgap"), s("globalgap")]),
    );
    assert_eq!(
        err,
        Err(FormError::UnknownChoice {
            question_id: q.into()
        })
    );
    let err = v1().validate_answer(q, &Answer::SelectMultiple(vec![s("haccp"), s("haccp")]));
    assert_eq!(
        err,
        Err(FormError::DuplicateChoice {
            question_id: q.into()
        })
    );
    let err = v1().validate_answer(q, &Answer::SelectMultiple(vec![s("vietgap"), s("none")]));
    assert_eq!(
        err,
        Err(FormError::ExclusiveChoice {
            question_id: q.into(),
            choice: "none".into()
        })
    );
}

#[test]
fn select_multiple_counts_keep_min_and_max() -> Result<(), FormError> {
    let form = form_with(
        r#"{ "id": "kenh", "kind": "select_multiple", "label": { "vi": "Kênh" }, "min": 1, "max": 2, "choices": [
            { "value": "a", "label": { "vi": "A" } }, { "value": "b", "label": { "vi": "B" } },
            { "value": "c", "label": { "vi": "C" } } ] }"#,
    )?;
    form.validate_answer("kenh", &Answer::SelectMultiple(vec![s("a"), s("c")]))?;
    for bad in [vec![], vec![s("a"), s("b"), s("c")]] {
        let err = form.validate_answer("kenh", &Answer::SelectMultiple(bad));
        assert!(
            matches!(
                err,
                Err(FormError::OutOfRange {
                    measure: "number of choices selected",
                    ..
                })
            ),
            "{err:?}"
        );
    }
    Ok(())
}

#[test]
fn geopoint_must_be_a_real_position() {
    let q = "facility_location";
    assert_eq!(
        v1().validate_answer(q, &Answer::GeoPoint(fix(f64::NAN, 106.0))),
        Err(FormError::NotFinite {
            question_id: q.into(),
            field: "latitude"
        })
    );
    assert!(matches!(
        v1().validate_answer(q, &Answer::GeoPoint(fix(21.0, 181.0))),
        Err(FormError::InvalidCoordinate {
            field: "longitude",
            ..
        })
    ));
    let mut bad_accuracy = fix(21.0, 105.8);
    bad_accuracy.accuracy_m = Some(-5.0);
    assert!(matches!(
        v1().validate_answer(q, &Answer::GeoPoint(bad_accuracy)),
        Err(FormError::InvalidCoordinate {
            field: "accuracy",
            ..
        })
    ));
}

#[test]
fn geoshape_needs_three_distinct_valid_points() {
    let q = "raw_material_zone";
    let p = |lat, lon| LatLon { lat, lon };
    // Two points, closed back to the first, is still a line, not an area.
    let line = vec![p(20.9, 106.0), p(20.91, 106.0), p(20.9, 106.0)];
    assert!(matches!(
        v1().validate_answer(q, &Answer::GeoShape(line)),
        Err(FormError::OutOfRange {
            measure: "number of distinct points",
            ..
        })
    ));
    let mut shape = zone();
    shape.push(p(95.0, 106.0));
    assert!(matches!(
        v1().validate_answer(q, &Answer::GeoShape(shape)),
        Err(FormError::InvalidCoordinate {
            field: "latitude",
            ..
        })
    ));
}

#[test]
fn photo_must_be_a_lowercase_sha256() {
    for bad in [
        photo_hash().to_uppercase(),
        s("abc"),
        format!("{}0", photo_hash()),
        "g".repeat(64),
    ] {
        assert_eq!(
            v1().validate_answer("photo_product", &Answer::Photo(bad)),
            Err(FormError::InvalidPhotoHash {
                question_id: "photo_product".into()
            })
        );
    }
}

#[test]
fn phone_answer_must_be_vietnamese_and_the_error_hides_the_number() {
    let err = v1().validate_answer("respondent_phone", &Answer::Phone(s("0123 456 7890")));
    assert_eq!(
        err,
        Err(FormError::InvalidPhoneAnswer {
            question_id: "respondent_phone".into(),
            problem: PhoneProblem::OldMobilePrefix {
                old: "0123",
                new: "083"
            },
        })
    );
    let msg = err.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(!msg.contains("456") && !msg.contains("7890"), "{msg}");
}

#[test]
fn normalize_answer_stores_phone_in_national_form() -> Result<(), FormError> {
    let stored = v1().normalize_answer("respondent_phone", Answer::Phone(s("+84 912-345-678")))?;
    assert_eq!(stored, Answer::Phone(s("0912345678")));
    let stored = v1().normalize_answer("officer_notes", Answer::Text(s("  Ghi chú  ")))?;
    assert_eq!(stored, Answer::Text(s("Ghi chú")));
    assert!(
        v1().normalize_answer("respondent_phone", Answer::Phone(s("12345")))
            .is_err()
    );
    Ok(())
}
