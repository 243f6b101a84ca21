//! No input to the public capture API panics: random strings, numbers (NaN, ±∞, huge) and bytes get an `Ok` or
//! a typed error, and the store stays sound.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ocop_core::doc::Resolution;
use ocop_core::forms::Answer;
use ocop_core::gps::{GpsFix, GpsProvider, LatLon};
use ocop_core::ids::{Date, RecordId};
use ocop_core::records::{Gender, OwnerKind, Person, PhotoKind, ProducerPatch};
use ocop_core::store::{NewProducer, NewVisit, Store, StoreOptions};
use proptest::prelude::*;

fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(f64::MAX),
        Just(-0.0),
        -200.0f64..200.0,
        any::<f64>(),
    ]
}

fn any_fix() -> impl Strategy<Value = GpsFix> {
    (
        any_f64(),
        any_f64(),
        proptest::option::of(any_f64()),
        proptest::option::of(any_f64()),
        any::<i64>(),
        any::<bool>(),
    )
        .prop_map(|(lat, lon, accuracy_m, altitude_m, time, mock)| GpsFix {
            lat,
            lon,
            accuracy_m,
            altitude_m,
            time,
            provider: GpsProvider::Manual,
            mock,
        })
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".*",
        "[a-zđĐàáảãạăâêôơưỳ ]{0,40}",
        Just(String::new()),
        Just("x".repeat(5000)),
        Just("\u{0}\u{202e}💥".into())
    ]
}

fn any_answer() -> impl Strategy<Value = Answer> {
    prop_oneof![
        any_text().prop_map(Answer::Text),
        any::<i64>().prop_map(Answer::Integer),
        any_f64().prop_map(Answer::Decimal),
        any_text().prop_map(Answer::SelectOne),
        proptest::collection::vec(any_text(), 0..4).prop_map(Answer::SelectMultiple),
        any_fix().prop_map(Answer::GeoPoint),
        proptest::collection::vec(
            (any_f64(), any_f64()).prop_map(|(lat, lon)| LatLon { lat, lon }),
            0..6
        )
        .prop_map(Answer::GeoShape),
        any_text().prop_map(Answer::Photo),
        any_text().prop_map(Answer::Phone),
        (0i32..3_000_000).prop_map(|d| Answer::Date(Date(
            chrono::NaiveDate::from_num_days_from_ce_opt(d).unwrap_or_default()
        ))),
    ]
}

fn store() -> (tempfile::TempDir, Store, RecordId, RecordId) {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(
        dir.path().join("a.db"),
        StoreOptions {
            durable: false,
            ..Default::default()
        },
    )
    .unwrap();
    let p = s
        .create_producer(&officer(), producer_in(TAN_CUONG, "HTX"))
        .unwrap();
    let v = s
        .start_visit(
            &officer(),
            NewVisit {
                producer: Some(p.id),
                product: None,
                form_id: "ocop_producer_product_survey".into(),
                form_version: Some(1),
                commune_code: None,
            },
        )
        .unwrap();
    (dir, s, p.id, v.id)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn registering_anything_never_panics(
        name in any_text(), rep in any_text(), phone in proptest::option::of(any_text()), commune in any_text(),
        hamlet in any_text(), fix in proptest::option::of(any_fix()), members in proptest::option::of(any::<u32>()),
        women in proptest::option::of(any::<u32>()),
    ) {
        let (_d, s, p, _) = store();
        let _ = s.create_producer(&officer(), NewProducer {
            owner_kind: OwnerKind::HouseholdBusiness, name: name.clone(), registration_no: Some(rep.clone()),
            representative: Person { name: rep, gender: Gender::Other, position: None }, phone: phone.clone(),
            commune_code: commune, hamlet, street: String::new(), location: fix.clone(), members, women_members: women,
            women_owned: None, women_led: None,
        });
        let _ = s.update_producer(&officer(), p, ProducerPatch { name: Some(name), phone: phone.map(Some), location: Some(fix), members: Some(members), women_members: Some(women), ..Default::default() });
        s.integrity_check().unwrap();
        prop_assert!(s.producer(p).is_ok());
    }

    #[test]
    fn answering_anything_never_panics(question in prop_oneof![any_text(), Just("workers_total".to_string()), Just("respondent_phone".to_string()), Just("facility_location".to_string())], answer in any_answer(), fix in any_fix(), notes in any_text()) {
        let (_d, s, _, v) = store();
        let _ = s.set_answer(&officer(), v, &question, Some(answer.clone()));
        let _ = s.set_answers(&officer(), v, &[(question, answer)]);
        let _ = s.add_fix(&officer(), v, fix);
        let _ = s.set_notes(&officer(), v, &notes);
        let _ = s.submit_visit(&officer(), v);
        s.integrity_check().unwrap();
        prop_assert!(s.visit(v).is_ok());
    }

    #[test]
    fn any_file_as_a_photo_and_any_text_elsewhere_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2048), q in any_text(), path in any_text(), json in any_text(), id in any_text()) {
        let (d, s, p, v) = store();
        let file = d.path().join("photo.jpg");
        std::fs::write(&file, &bytes).unwrap();
        prop_assert!(s.attach_photo(&officer(), v, &file, PhotoKind::Other, &q).is_err());
        let _ = s.search(&q, 10);
        let _ = id.parse::<RecordId>();
        let value = serde_json::from_str(&json).unwrap_or(serde_json::Value::String(json));
        let _ = s.resolve_conflict(&officer(), p, &path, &Resolution::Value(value));
        let _ = s.resolve_conflict(&officer(), p, &path, &Resolution::Keep(q));
        s.integrity_check().unwrap();
    }
}
