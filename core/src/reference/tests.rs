#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;

const QD_148: &str = include_str!("../../data/reference/qd-148-2023.json");

fn date(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn qd148() -> &'static Decision {
    Catalog::embedded().decision("qd-148-2023").unwrap()
}

/// The 148/2023 file with one change applied, as JSON text.
fn edited(edit: impl FnOnce(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(QD_148).unwrap();
    edit(&mut v);
    v.to_string()
}

fn refused_field(json: &str) -> String {
    match Decision::from_json(json) {
        Err(Error::Invalid { field, .. }) => field,
        other => panic!("expected Error::Invalid, got {other:?}"),
    }
}

#[test]
fn every_shipped_decision_loads() {
    let catalog = Catalog::embedded();
    assert_eq!(
        catalog.decisions().len(),
        EMBEDDED.len(),
        "a shipped decision file was refused"
    );
    let ids: Vec<&str> = catalog.decisions().iter().map(|d| d.id()).collect();
    assert_eq!(ids, ["qd-1048-2019", "qd-148-2023"]);
}

#[test]
fn every_file_in_the_data_folder_is_shipped() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/reference");
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".json") {
            assert!(
                EMBEDDED.iter().any(|(n, _)| *n == name),
                "{name} is not listed in EMBEDDED"
            );
        }
    }
}

#[test]
fn decision_148_has_its_groups_parts_and_validity() {
    let d = qd148();
    assert_eq!(d.decision.number, "148/QĐ-TTg");
    assert_eq!(d.decision.in_force_from, date("2023-02-24"));
    assert_eq!(d.product_groups.len(), 6);
    let parts: Vec<(&str, f64)> = d
        .parts
        .iter()
        .map(|p| (p.code.as_str(), p.max_points))
        .collect();
    assert_eq!(parts, [("A", 40.0), ("B", 25.0), ("C", 35.0)]);
    assert_eq!(d.parts[0].title_vi, "Sản phẩm và sức mạnh cộng đồng");
    assert_eq!(d.certificate_validity_months, 36);
    assert_eq!(
        d.group("ornamental").map(|g| g.name_vi.as_str()),
        Some("Sinh vật cảnh")
    );
    assert!(d.subgroup("food", "food.fresh_produce").is_some());
    assert!(d.subgroup("beverage", "food.fresh_produce").is_none());
    assert!(
        d.group("textile").is_none(),
        "textiles were a group of 1048/2019 only"
    );
}

#[test]
fn totals_map_to_certifiable_stars_under_148() {
    let d = qd148();
    let cases = [
        (100.0, Some(5)),
        (90.0, Some(5)),
        (89.9, Some(4)),
        (70.0, Some(4)),
        (69.0, Some(3)),
    ];
    let more = [
        (50.0, Some(3)),
        (49.0, None),
        (0.0, None),
        (100.1, None),
        (-1.0, None),
        (f64::NAN, None),
    ];
    for (total, stars) in cases.into_iter().chain(more) {
        assert_eq!(d.stars_for(total), stars, "total {total}");
    }
    // Below 50 the decision still names a band (2★ from 30, 1★ below), but it is not certified.
    assert_eq!(d.rating_for(49.0), Some(2));
    assert_eq!(d.rating_for(29.9), Some(1));
}

#[test]
fn scores_are_checked_against_each_parts_maximum() {
    let d = qd148();
    let s = d.score(39.7, 24.8, 25.5).unwrap();
    assert_eq!(
        s.total, 90.0,
        "decimal points must not drop a product out of its band"
    );
    assert_eq!((s.rating, s.stars), (Some(5), Some(5)));
    assert_eq!(s.decision_id, "qd-148-2023");
    let low = d.score(20.0, 10.0, 15.0).unwrap();
    assert_eq!((low.total, low.rating, low.stars), (45.0, Some(2), None));
    for (a, b, c, part) in [
        (41.0, 0.0, 0.0, "A"),
        (0.0, -0.5, 0.0, "B"),
        (0.0, 0.0, f64::NAN, "C"),
    ] {
        match d.score(a, b, c) {
            Err(Error::Invalid { field, .. }) => assert_eq!(field, format!("score part {part}")),
            other => panic!("expected part {part} refused, got {other:?}"),
        }
    }
    // 1048/2019 weighted quality (C) at 40 points; 148/2023 at 35.
    let old = Catalog::embedded().decision("qd-1048-2019").unwrap();
    assert_eq!(old.score(35.0, 25.0, 40.0).unwrap().stars, Some(5));
    assert!(d.score(35.0, 25.0, 40.0).is_err());
    assert!(d.score_parts(&[10.0, 10.0]).is_err());
}

#[test]
fn certificates_expire_after_the_decisions_validity() {
    let d = qd148();
    assert_eq!(d.certificate_expiry(date("2024-01-31")), date("2027-01-31"));
    assert_eq!(d.certificate_expiry(date("2024-02-29")), date("2027-02-28"));
}

#[test]
fn the_decision_in_force_follows_the_date() {
    let c = Catalog::embedded();
    let id = |d: &str| c.in_force(date(d)).map(|d| d.id().to_string());
    assert_eq!(id("2019-08-20"), None);
    assert_eq!(id("2019-08-21").as_deref(), Some("qd-1048-2019"));
    assert_eq!(id("2023-02-23").as_deref(), Some("qd-1048-2019"));
    assert_eq!(id("2023-02-24").as_deref(), Some("qd-148-2023"));
    assert_eq!(id("2030-01-01").as_deref(), Some("qd-148-2023"));
}

#[test]
fn a_decision_loaded_at_run_time_takes_over_from_its_date() {
    let newer = edited(|v| {
        v["decision"]["id"] = json!("qd-999-2026");
        v["decision"]["number"] = json!("999/QĐ-TTg");
        v["decision"]["date"] = json!("2025-12-20");
        v["decision"]["in_force_from"] = json!("2026-01-01");
        v["star_bands"] = json!([{"min_points": 92, "stars": 5}, {"min_points": 75, "stars": 4}, {"min_points": 55, "stars": 3}]);
    });
    let mut catalog = Catalog::embedded().clone();
    let added = catalog.add_json(&newer).unwrap();
    assert_eq!(added.id(), "qd-999-2026");
    assert_eq!(
        catalog.in_force(date("2025-12-31")).unwrap().id(),
        "qd-148-2023"
    );
    let current = catalog.in_force(date("2026-06-01")).unwrap();
    assert_eq!(current.id(), "qd-999-2026");
    assert_eq!(current.stars_for(90.0), Some(4));
    assert_eq!(current.stars_for(54.0), None);
    // The same decision cannot be added twice.
    assert!(
        matches!(catalog.add_json(&newer), Err(Error::Invalid { field, .. }) if field == "decision.id")
    );
}

#[test]
fn a_catalog_reads_an_array_of_decisions() {
    let both = format!(
        "[{}, {}]",
        QD_148,
        include_str!("../../data/reference/qd-1048-2019.json")
    );
    let catalog = Catalog::from_json(&both).unwrap();
    assert_eq!(catalog.decisions().len(), 2);
    assert_eq!(
        catalog.decisions()[0].id(),
        "qd-1048-2019",
        "ordered by in-force date"
    );
    assert!(
        Catalog::from_json(&format!("[{QD_148}, {QD_148}]")).is_err(),
        "duplicate ids"
    );
    assert!(
        Catalog::from_json(QD_148).is_err(),
        "a single object is not a catalog"
    );
}

#[test]
fn malformed_decision_files_are_refused_with_the_field_named() {
    assert_eq!(refused_field("{ not json"), "decision file");
    assert_eq!(
        refused_field(&edited(|v| v["parts"] = Value::Null)),
        "decision file"
    );
    let bands_up = edited(|v| {
        v["star_bands"] = json!([{"min_points": 50, "stars": 3}, {"min_points": 70, "stars": 4}])
    });
    assert_eq!(refused_field(&bands_up), "star_bands[1].min_points");
    let stars_up = edited(|v| {
        v["star_bands"] = json!([{"min_points": 70, "stars": 3}, {"min_points": 50, "stars": 4}])
    });
    assert_eq!(refused_field(&stars_up), "star_bands[1].stars");
    assert_eq!(
        refused_field(&edited(|v| v["parts"][2]["max_points"] = json!(30))),
        "parts"
    );
    assert_eq!(
        refused_field(&edited(|v| v["parts"][1]["code"] = json!("A"))),
        "parts[1].code"
    );
    assert_eq!(
        refused_field(&edited(|v| v["product_groups"][1]["code"] = json!("food"))),
        "product_groups[1].code"
    );
    let dup_sub =
        edited(|v| v["product_groups"][0]["subgroups"][1]["code"] = json!("food.fresh_produce"));
    assert_eq!(
        refused_field(&dup_sub),
        "product_groups[0].subgroups[1].code"
    );
    assert_eq!(refused_field(&edited(|v| v["schema"] = json!(2))), "schema");
    assert_eq!(
        refused_field(&edited(|v| v["certifiable_min_stars"] = json!(6))),
        "certifiable_min_stars"
    );
    assert_eq!(
        refused_field(&edited(|v| v["certificate_validity_months"] = json!(0))),
        "certificate_validity_months"
    );
    assert_eq!(
        refused_field(&edited(|v| v["decision"]["id"] = json!(" "))),
        "decision.id"
    );
    let message = Decision::from_json(&edited(|v| v["decision"]["date"] = json!("24/02/2023")))
        .unwrap_err()
        .to_string();
    assert!(message.contains("decision file"), "{message}");
}

proptest! {
    #[test]
    fn arbitrary_scores_never_panic_and_stars_agree_with_rating(a in any::<f64>(), b in -5.0..45.0f64, c in 0.0..40.0f64, t in any::<f64>()) {
        let d = qd148();
        let _ = d.stars_for(t);
        let _ = d.rating_for(t);
        if let Ok(s) = d.score(a, b, c) {
            prop_assert!((0.0..=100.0).contains(&s.total));
            prop_assert!(s.rating.is_some());
            prop_assert_eq!(s.stars, s.rating.filter(|r| *r >= 3));
        }
    }

    #[test]
    fn arbitrary_text_never_panics(s in ".{0,200}") {
        let _ = Decision::from_json(&s);
        let _ = Catalog::from_json(&s);
    }

    #[test]
    fn arbitrary_issue_dates_never_panic(days in 0u64..200_000_000) {
        if let Some(day) = chrono::NaiveDate::MIN.checked_add_days(chrono::Days::new(days)) {
            let issued = Date(day);
            prop_assert!(qd148().certificate_expiry(issued) >= issued);
        }
    }
}
