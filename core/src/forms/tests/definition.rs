//! Loading form definitions: the shipped forms load, broken definitions are refused with a reason.

use super::{OCOP, form_with, v1, v2};
use crate::forms::{Bound, DefinitionProblem, Form, FormError, FormRegistry, Lang, QuestionKind};

fn problems(result: Result<Form, FormError>) -> Vec<DefinitionProblem> {
    match result {
        Err(FormError::InvalidDefinition { problems, .. }) => problems,
        other => panic!("expected InvalidDefinition, got {other:?}"),
    }
}

#[test]
fn shipped_forms_load_and_check() -> Result<(), FormError> {
    let registry = FormRegistry::embedded();
    assert_eq!(registry.versions(OCOP), vec![1, 2]);
    for form in registry.iter() {
        form.check()?;
        // What is shipped reads back identically after a JSON round trip (the hub stores forms as JSON).
        assert_eq!(Form::from_json(&form.to_json()?)?, *form);
    }
    let v1 = v1();
    assert!((22..=30).contains(&v1.questions.len()));
    assert_eq!(v1.settings.gps_accuracy_threshold_m, 50.0);
    assert_eq!(v1.title.text(Lang::En), "OCOP producer and product survey");
    assert_eq!(
        v1.title.text(Lang::Vi),
        "Phiếu khảo sát chủ thể và sản phẩm OCOP"
    );
    Ok(())
}

#[test]
fn every_question_and_choice_of_the_shipped_forms_is_bilingual() {
    for form in FormRegistry::embedded().iter() {
        for q in &form.questions {
            assert!(q.label.en.is_some(), "{} has no English label", q.id);
            assert!(
                q.choices.iter().all(|c| c.label.en.is_some()),
                "{} has a choice without English",
                q.id
            );
        }
    }
}

#[test]
fn ocop_product_groups_are_the_six_of_decision_148() -> Result<(), FormError> {
    let values: Vec<&str> = v1()
        .question("product_group")?
        .choices
        .iter()
        .map(|c| c.value.as_str())
        .collect();
    // The choices are the product groups of the criteria decision, with the same codes, so an answer can be
    // carried into a product record as it is.
    let decision = crate::reference::Catalog::embedded()
        .decision("qd-148-2023")
        .expect("decision 148/2023 is embedded");
    let groups: Vec<&str> = decision
        .product_groups
        .iter()
        .map(|g| g.code.as_str())
        .collect();
    assert_eq!(values, groups);
    assert_eq!(values.len(), 6);
    Ok(())
}

#[test]
fn english_falls_back_to_vietnamese() -> Result<(), FormError> {
    let form = form_with(r#"{ "id": "ten", "kind": "text", "label": { "vi": "Tên" } }"#)?;
    assert_eq!(form.question("ten")?.label.text(Lang::En), "Tên");
    assert_eq!(
        form.settings.gps_accuracy_threshold_m, 50.0,
        "default threshold"
    );
    Ok(())
}

#[test]
fn invalid_json_is_refused_with_the_place_and_the_reason() {
    let err =
        Form::from_json(r#"{ "id": "x", "version": 1, "title": { "vi": "T" }, "questions": [ "#);
    assert!(
        matches!(err, Err(FormError::InvalidJson { ref reason }) if reason.contains("line")),
        "{err:?}"
    );

    // A misspelt field is not silently ignored: it would make a required question optional.
    let err =
        form_with(r#"{ "id": "ten", "kind": "text", "label": { "vi": "Tên" }, "requried": true }"#);
    assert!(
        matches!(err, Err(FormError::InvalidJson { ref reason }) if reason.contains("requried")),
        "{err:?}"
    );

    let err = form_with(r#"{ "id": "ten", "kind": "essay", "label": { "vi": "Tên" } }"#);
    assert!(
        matches!(err, Err(FormError::InvalidJson { ref reason }) if reason.contains("essay")),
        "{err:?}"
    );

    let err =
        form_with(r#"{ "id": "n", "kind": "integer", "label": { "vi": "Số" }, "min": "nhiều" }"#);
    assert!(
        matches!(err, Err(FormError::InvalidJson { ref reason }) if reason.contains("YYYY-MM-DD")),
        "{err:?}"
    );
}

#[test]
fn form_level_problems_are_all_reported() {
    let err = Form::from_json(
        r#"{ "id": "Bad-Id", "version": 0, "title": { "vi": " " }, "questions": [],
             "settings": { "gps_accuracy_threshold_m": -1 } }"#,
    );
    let p = problems(err);
    for expected in [
        DefinitionProblem::VersionZero,
        DefinitionProblem::InvalidFormId,
        DefinitionProblem::EmptyLabel {
            location: "title".into(),
        },
        DefinitionProblem::InvalidAccuracyThreshold,
        DefinitionProblem::NoQuestions,
    ] {
        assert!(p.contains(&expected), "missing {expected:?} in {p:?}");
    }
}

#[test]
fn question_ids_must_be_snake_case_and_unique() {
    let p = problems(Form::from_json(
        r#"{ "id": "f", "version": 1, "title": { "vi": "T" }, "questions": [
            { "id": "ten", "kind": "text", "label": { "vi": "Tên" } },
            { "id": "ten", "kind": "text", "label": { "vi": "Tên nữa" } },
            { "id": "Số lượng", "kind": "integer", "label": { "vi": "Số" } } ] }"#,
    ));
    assert_eq!(
        p,
        vec![
            DefinitionProblem::DuplicateQuestionId {
                question_id: "ten".into()
            },
            DefinitionProblem::InvalidQuestionId { index: 2 },
        ]
    );
}

#[test]
fn select_questions_need_unique_choices_and_others_take_none() {
    let p = problems(form_with(
        r#"{ "id": "nhom", "kind": "select_one", "label": { "vi": "Nhóm" } }"#,
    ));
    assert_eq!(
        p,
        vec![DefinitionProblem::MissingChoices {
            question_id: "nhom".into()
        }]
    );

    let p = problems(form_with(
        r#"{ "id": "nhom", "kind": "select_multiple", "label": { "vi": "Nhóm" }, "choices": [
            { "value": "a", "label": { "vi": "A" } }, { "value": "a", "label": { "vi": "A2" } },
            { "value": "B c", "label": { "vi": "B" } }, { "value": "d", "label": { "vi": "", "en": "D" } } ] }"#,
    ));
    assert_eq!(
        p,
        vec![
            DefinitionProblem::DuplicateChoiceValue {
                question_id: "nhom".into(),
                value: "a".into()
            },
            DefinitionProblem::InvalidChoiceValue {
                question_id: "nhom".into(),
                index: 2
            },
            DefinitionProblem::EmptyLabel {
                location: "question nhom choice #3".into()
            },
        ]
    );

    let p = problems(form_with(
        r#"{ "id": "ten", "kind": "text", "label": { "vi": "Tên" }, "choices": [ { "value": "a", "label": { "vi": "A" } } ] }"#,
    ));
    assert_eq!(
        p,
        vec![DefinitionProblem::ChoicesNotAllowed {
            question_id: "ten".into()
        }]
    );
}

#[test]
fn bounds_must_fit_the_kind_and_be_ordered() {
    let p = problems(form_with(
        r#"{ "id": "n", "kind": "integer", "label": { "vi": "Số" }, "min": 5, "max": 1 }"#,
    ));
    assert_eq!(
        p,
        vec![DefinitionProblem::BoundsUnsatisfiable {
            question_id: "n".into()
        }]
    );

    let p = problems(form_with(
        r#"{ "id": "d", "kind": "date", "label": { "vi": "Ngày" }, "min": "2025-01-02", "max": "2025-01-01" }"#,
    ));
    assert_eq!(
        p,
        vec![DefinitionProblem::BoundsUnsatisfiable {
            question_id: "d".into()
        }]
    );

    let p = problems(form_with(
        r#"{ "id": "n", "kind": "integer", "label": { "vi": "Số" }, "max": 2.5 }"#,
    ));
    assert_eq!(
        p,
        vec![DefinitionProblem::BoundWrongType {
            question_id: "n".into(),
            which: "max",
            expected: "a whole number"
        }]
    );

    let p = problems(form_with(
        r#"{ "id": "d", "kind": "date", "label": { "vi": "Ngày" }, "min": 2020 }"#,
    ));
    assert!(
        matches!(
            p.as_slice(),
            [DefinitionProblem::BoundWrongType { which: "min", .. }]
        ),
        "{p:?}"
    );

    let p = problems(form_with(
        r#"{ "id": "t", "kind": "text", "label": { "vi": "Ghi chú" }, "max": -3 }"#,
    ));
    assert!(
        matches!(
            p.as_slice(),
            [DefinitionProblem::BoundWrongType { which: "max", .. }]
        ),
        "{p:?}"
    );

    let p = problems(form_with(
        r#"{ "id": "p", "kind": "photo", "label": { "vi": "Ảnh" }, "max": 3 }"#,
    ));
    assert_eq!(
        p,
        vec![DefinitionProblem::BoundsNotAllowed {
            question_id: "p".into(),
            kind: QuestionKind::Photo
        }]
    );

    // Asking for more selections than there are choices can never be met.
    let p = problems(form_with(
        r#"{ "id": "m", "kind": "select_multiple", "label": { "vi": "M" }, "min": 2,
             "choices": [ { "value": "a", "label": { "vi": "A" } } ] }"#,
    ));
    assert_eq!(
        p,
        vec![DefinitionProblem::BoundsUnsatisfiable {
            question_id: "m".into()
        }]
    );
}

#[test]
fn decimal_bounds_accept_whole_and_fractional_numbers() -> Result<(), FormError> {
    let form = form_with(
        r#"{ "id": "x", "kind": "decimal", "label": { "vi": "X" }, "min": 0, "max": 0.5 }"#,
    )?;
    let q = form.question("x")?;
    assert_eq!(
        (q.min, q.max),
        (Some(Bound::Integer(0)), Some(Bound::Decimal(0.5)))
    );
    Ok(())
}

#[test]
fn conditions_must_point_to_an_earlier_select_question_and_its_choice() {
    let make = |cond: &str| {
        Form::from_json(&format!(
            r#"{{ "id": "f", "version": 1, "title": {{ "vi": "T" }}, "questions": [
                {{ "id": "co", "kind": "select_one", "label": {{ "vi": "Có?" }},
                   "choices": [ {{ "value": "yes", "label": {{ "vi": "Có" }} }} ] }},
                {{ "id": "ten", "kind": "text", "label": {{ "vi": "Tên" }}, "relevant": {cond} }},
                {{ "id": "sau", "kind": "select_one", "label": {{ "vi": "Sau" }},
                   "choices": [ {{ "value": "yes", "label": {{ "vi": "Có" }} }} ] }} ] }}"#
        ))
    };
    assert!(make(r#"{ "question": "co", "equals": "yes" }"#).is_ok());
    for (cond, reason) in [
        (
            r#"{ "question": "sau", "equals": "yes" }"#,
            "must refer to an earlier question",
        ),
        (
            r#"{ "question": "ten", "equals": "yes" }"#,
            "must refer to an earlier question",
        ),
        (
            r#"{ "question": "co", "equals": "no" }"#,
            "names a choice the question does not have",
        ),
    ] {
        let p = problems(make(cond));
        assert_eq!(
            p,
            vec![DefinitionProblem::InvalidCondition {
                question_id: "ten".into(),
                reason
            }],
            "{cond}"
        );
    }
}

#[test]
fn registry_keeps_versions_and_refuses_a_changed_definition() -> Result<(), FormError> {
    let mut registry = FormRegistry::embedded().clone();
    assert_eq!(registry.latest(OCOP)?.version, 2);
    assert_eq!(registry.get(OCOP, 1)?, v1());

    // The same definition again (it arrives on every sync) is accepted.
    registry.add(v2().clone())?;

    let mut changed = v1().clone();
    changed.questions.retain(|q| q.id != "officer_notes");
    assert_eq!(
        registry.add(changed),
        Err(FormError::ConflictingDefinition {
            form_id: OCOP.into(),
            version: 1
        })
    );
    assert_eq!(
        registry.get(OCOP, 1)?,
        v1(),
        "the stored version is untouched"
    );

    let mut v3 = v2().clone();
    v3.version = 3;
    registry.add(v3)?;
    assert_eq!(registry.latest(OCOP)?.version, 3);
    assert_eq!(registry.versions(OCOP), vec![1, 2, 3]);

    let mut broken = v2().clone();
    broken.version = 4;
    broken.questions.clear();
    assert!(matches!(
        registry.add(broken),
        Err(FormError::InvalidDefinition { .. })
    ));
    Ok(())
}

#[test]
fn unknown_form_or_version_is_a_clear_error() {
    let registry = FormRegistry::embedded();
    let err = registry.get(OCOP, 9).err();
    assert_eq!(
        err,
        Some(FormError::UnknownForm {
            form_id: OCOP.into(),
            version: 9
        })
    );
    assert_eq!(
        err.map(|e| e.to_string()).as_deref(),
        Some("unknown form ocop_producer_product_survey version 9")
    );
    assert_eq!(
        registry.latest("khong_co").err(),
        Some(FormError::UnknownFormId {
            form_id: "khong_co".into()
        })
    );
}
