//! An officer's day through the capture API, and what a Women's Union staffer's concurrent edit does to it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use ocop_core::Error;
use ocop_core::doc::Resolution;
use ocop_core::forms::Answer;
use ocop_core::gps::{GpsFix, GpsFlag, GpsProvider, LatLon};
use ocop_core::identity::{Author, Role};
use ocop_core::ids::{Date, now_millis};
use ocop_core::photo::testing::{ExifSpec, generate_jpeg};
use ocop_core::records::{
    EcommerceListing, Gender, OcopStage, OcopStatus, OwnerKind, Person, PhotoKind, ProducerPatch,
    ProductPatch, VisitState,
};
use ocop_core::store::{
    NewProducer, NewProduct, NewVisit, ProducerFilter, Store, StoreOptions, VisitFilter,
};

const TAN_CUONG: &str = "05503"; // Xã Tân Cương, Thái Nguyên

fn officer() -> Author {
    Author::new("officer-tn-01", "Nguyễn Văn An", Role::Officer)
}

fn union_staff() -> Author {
    Author::new("union-tn-01", "Trần Thị Bình", Role::UnionStaff)
}

fn new_producer() -> NewProducer {
    NewProducer {
        owner_kind: OwnerKind::Cooperative,
        name: "Hợp tác xã Chè Tân Cương Xanh".into(),
        registration_no: Some("1701234567".into()),
        representative: Person {
            name: "Lê Thị Hoa".into(),
            gender: Gender::Female,
            position: Some("Giám đốc".into()),
        },
        phone: Some("0912 345 678".into()),
        commune_code: TAN_CUONG.into(),
        hamlet: "Xóm Hồng Thái 2".into(),
        street: String::new(),
        location: Some(fix(21.5194, 105.787, Some(8.0))),
        members: Some(32),
        women_members: Some(20),
        women_owned: Some(true),
        women_led: None,
    }
}

fn fix(lat: f64, lon: f64, accuracy: Option<f64>) -> GpsFix {
    GpsFix {
        lat,
        lon,
        accuracy_m: accuracy,
        altitude_m: None,
        time: now_millis() - 1000,
        provider: GpsProvider::Gnss,
        mock: false,
    }
}

fn open(dir: &tempfile::TempDir, name: &str) -> Store {
    Store::open(dir.path().join(name), StoreOptions::default()).unwrap()
}

#[test]
fn an_officers_day_registers_a_producer_a_product_and_a_complete_visit() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, "phone.db");
    let me = officer();

    let producer = store.create_producer(&me, new_producer()).unwrap();
    assert_eq!(
        producer.phone.as_deref(),
        Some("0912345678"),
        "phone stored in national form"
    );
    assert_eq!(producer.address.commune.name, "Xã Tân Cương");
    assert_eq!(producer.address.province.code, "19");
    assert_eq!(
        producer.women_led,
        Some(true),
        "a female representative makes it women-led by default"
    );

    let product = store
        .create_product(
            &me,
            NewProduct {
                producer: producer.id,
                name: "Chè búp Tân Cương".into(),
                group: "food".into(),
                subgroup: None,
                description: "Chè xanh sao suốt".into(),
                raw_material_zone: Some(vec![
                    LatLon::new(21.52, 105.78),
                    LatLon::new(21.52, 105.79),
                    LatLon::new(21.53, 105.79),
                    LatLon::new(21.53, 105.78),
                ]),
                packaging: Some("Túi hút chân không 200 g".into()),
                trademark: None,
                traceability_stamp: true,
                certifications: BTreeMap::new(),
                ecommerce: BTreeMap::from([("shopee".to_string(), EcommerceListing { url: None })]),
                ocop: Some(OcopStatus {
                    stage: OcopStage::FourStar,
                    score: Some(78.5),
                    criteria: None,
                    certificate_no: Some("123/QĐ-UBND".into()),
                    issued: Some(Date::parse("2024-03-15").unwrap()),
                    expires: None,
                    authority: Some("UBND tỉnh Thái Nguyên".into()),
                }),
            },
        )
        .unwrap();
    let zone = product.raw_material_zone.as_ref().unwrap();
    assert!(
        (zone.area_ha - 115.0).abs() < 10.0,
        "zone area {} ha",
        zone.area_ha
    );
    assert_eq!(
        product.ocop.expires,
        Some(Date::parse("2027-03-15").unwrap()),
        "expiry = issued + 36 months"
    );
    assert_eq!(
        product.commune.code, TAN_CUONG,
        "a product lives where its producer is"
    );

    let visit = store
        .start_visit(
            &me,
            NewVisit {
                producer: Some(producer.id),
                product: Some(product.id),
                form_id: "ocop_producer_product_survey".into(),
                form_version: Some(1),
                commune_code: None,
            },
        )
        .unwrap();
    assert_eq!(visit.state, VisitState::Draft);

    // A fix in the valley with poor accuracy is kept, with a flag.
    let vf = store
        .add_fix(&me, visit.id, fix(21.5195, 105.7871, Some(120.0)))
        .unwrap();
    assert!(
        matches!(vf.flags.as_slice(), [GpsFlag::PoorAccuracy { .. }]),
        "{:?}",
        vf.flags
    );

    // A photo with EXIF: stored once, stripped, its GPS kept in the reference.
    let jpg = dir.path().join("IMG_0001.jpg");
    let exif = ExifSpec {
        gps: Some((21.5196, 105.7872)),
        owner_name: Some("Nguyen Van An".into()),
        ..Default::default()
    };
    generate_jpeg(&jpg, 2400, 1800, 7, Some(&exif)).unwrap();
    let photo = store
        .attach_photo(&me, visit.id, &jpg, PhotoKind::Product, "Chè đóng gói")
        .unwrap();
    assert_eq!((photo.width, photo.height), (1600, 1200));
    assert!(photo.gps.is_some() && photo.flags.is_empty());
    assert!(store.photos().contains(&photo.hash));

    let answers = vec![
        (
            "visit_purpose".to_string(),
            Answer::SelectOne("product_assessment".into()),
        ),
        (
            "respondent_name".to_string(),
            Answer::Text("Lê Thị Hoa".into()),
        ),
        (
            "respondent_role".to_string(),
            Answer::SelectOne("owner".into()),
        ),
        (
            "respondent_phone".to_string(),
            Answer::Phone("+84 912 345 678".into()),
        ),
        (
            "producer_legal_form".to_string(),
            Answer::SelectOne("cooperative".into()),
        ),
        (
            "main_product_name".to_string(),
            Answer::Text("Chè búp Tân Cương".into()),
        ),
        (
            "product_group".to_string(),
            Answer::SelectOne("food".into()),
        ),
        (
            "facility_location".to_string(),
            Answer::GeoPoint(fix(21.5194, 105.787, Some(6.0))),
        ),
        (
            "photo_product".to_string(),
            Answer::Photo(photo.hash.clone()),
        ),
    ];
    let valid_answers: Vec<(String, Answer)> = answers
        .into_iter()
        .filter(|(q, _)| {
            ocop_core::forms::FormRegistry::embedded()
                .get("ocop_producer_product_survey", 1)
                .unwrap()
                .question(q)
                .is_ok()
        })
        .collect();
    // Submitting before the required answers are in is refused, naming what is missing.
    let err = store.submit_visit(&me, visit.id).unwrap_err();
    assert!(matches!(err, Error::Invalid { .. }), "{err}");
    store.set_answers(&me, visit.id, &valid_answers).unwrap();
    store
        .set_notes(&me, visit.id, "Cơ sở sạch sẽ; cần bổ sung tem truy xuất.")
        .unwrap();
    let submitted = store
        .submit_visit(&me, visit.id)
        .unwrap_or_else(|e| panic!("submit: {e}"));
    assert_eq!(submitted.state, VisitState::Submitted);
    assert_eq!(
        submitted.answers.get("respondent_phone"),
        Some(&Answer::Phone("0912345678".into()))
    );
    assert_eq!(
        submitted.notes.as_str(),
        "Cơ sở sạch sẽ; cần bổ sung tem truy xuất."
    );

    // Lists and search.
    let producers = store
        .list_producers(&ProducerFilter {
            commune_code: Some(TAN_CUONG.into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(producers.len(), 1);
    let visits = store
        .list_visits(&VisitFilter {
            producer_id: Some(producer.id),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(visits[0].photo_count, 1);
    assert_eq!(visits[0].flags, vec!["poor_accuracy".to_string()]);
    let mut kinds: Vec<_> = store
        .search("che tan cuong", 10)
        .unwrap()
        .into_iter()
        .map(|h| h.kind)
        .collect();
    kinds.sort();
    use ocop_core::records::RecordKind;
    assert_eq!(
        kinds,
        vec![RecordKind::Producer, RecordKind::Product, RecordKind::Visit]
    );
    assert_eq!(
        store.search("tem truy xuat", 10).unwrap()[0].id,
        visit.id,
        "notes are searchable"
    );
}

#[test]
fn bad_input_is_refused_with_a_clear_error_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, "phone.db");
    let me = officer();
    let before = store.log_since(0, 100).unwrap().len();

    let mut p = new_producer();
    p.commune_code = "99999".into();
    assert!(matches!(
        store.create_producer(&me, p).unwrap_err(),
        Error::NotFound {
            kind: "commune",
            ..
        }
    ));

    let mut p = new_producer();
    p.location = Some(fix(f64::NAN, 105.0, None));
    assert!(matches!(
        store.create_producer(&me, p).unwrap_err(),
        Error::Gps(_)
    ));

    let mut p = new_producer();
    p.phone = Some("0123 456 7890".into());
    assert!(
        matches!(store.create_producer(&me, p).unwrap_err(), Error::Form(_)),
        "old 11-digit mobile numbers are refused"
    );

    let mut p = new_producer();
    p.women_members = Some(50);
    assert!(matches!(
        store.create_producer(&me, p).unwrap_err(),
        Error::Invalid { .. }
    ));
    assert_eq!(
        store.log_since(0, 100).unwrap().len(),
        before,
        "nothing was written"
    );

    let producer = store.create_producer(&me, new_producer()).unwrap();
    let visit = store
        .start_visit(
            &me,
            NewVisit {
                producer: Some(producer.id),
                product: None,
                form_id: "ocop_producer_product_survey".into(),
                form_version: Some(1),
                commune_code: None,
            },
        )
        .unwrap();
    assert!(matches!(
        store
            .set_answer(&me, visit.id, "no_such_question", Some(Answer::Integer(1)))
            .unwrap_err(),
        Error::Form(_)
    ));
    assert!(matches!(
        store
            .set_answer(
                &me,
                visit.id,
                "workers_total",
                Some(Answer::Text("ten".into()))
            )
            .unwrap_err(),
        Error::Form(_)
    ));
    assert!(matches!(
        store
            .start_visit(
                &me,
                NewVisit {
                    producer: Some(producer.id),
                    product: None,
                    form_id: "ocop_producer_product_survey".into(),
                    form_version: Some(99),
                    commune_code: None
                }
            )
            .unwrap_err(),
        Error::Form(_)
    ));
    assert!(matches!(
        store
            .add_fix(&me, visit.id, fix(95.0, 500.0, None))
            .unwrap_err(),
        Error::Gps(_)
    ));

    let corrupt = dir.path().join("broken.jpg");
    generate_jpeg(&corrupt, 800, 600, 1, None).unwrap();
    ocop_core::photo::testing::truncate(&corrupt, 500).unwrap();
    assert!(matches!(
        store
            .attach_photo(&me, visit.id, &corrupt, PhotoKind::Other, "")
            .unwrap_err(),
        Error::Photo(_)
    ));
    let heic = dir.path().join("IMG_0002.HEIC");
    std::fs::write(&heic, ocop_core::photo::testing::heic_sample()).unwrap();
    let err = store
        .attach_photo(&me, visit.id, &heic, PhotoKind::Other, "")
        .unwrap_err();
    assert!(err.to_string().to_lowercase().contains("heic"), "{err}");
    assert_eq!(store.visit(visit.id).unwrap().photos.len(), 0);
}

#[test]
fn a_swapped_fix_is_corrected_and_flagged_and_a_far_fix_is_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, "phone.db");
    let me = officer();
    let producer = store.create_producer(&me, new_producer()).unwrap();
    let visit = store
        .start_visit(
            &me,
            NewVisit {
                producer: Some(producer.id),
                product: None,
                form_id: "ocop_producer_product_survey".into(),
                form_version: None,
                commune_code: None,
            },
        )
        .unwrap();
    let swapped = store
        .add_fix(&me, visit.id, fix(105.787, 21.5194, Some(5.0)))
        .unwrap();
    assert!(swapped.flags.contains(&GpsFlag::ProbableSwap));
    assert!((swapped.fix.lat - 21.5194).abs() < 1e-9);
    let far = store
        .add_fix(&me, visit.id, fix(21.60, 105.787, Some(5.0)))
        .unwrap();
    assert!(
        far.flags
            .iter()
            .any(|f| matches!(f, GpsFlag::FarFromProducer { .. })),
        "{:?}",
        far.flags
    );
    assert_eq!(store.visit(visit.id).unwrap().fixes.len(), 2);
}

#[test]
fn an_officer_and_a_union_staffer_edit_the_same_producer_offline() {
    let dir = tempfile::tempdir().unwrap();
    let officer_phone = open(&dir, "officer.db");
    let union_phone = open(&dir, "union.db");
    let p = officer_phone
        .create_producer(&officer(), new_producer())
        .unwrap();
    union_phone.merge_from(&officer_phone).unwrap();

    // Offline, the same day: different fields merge; the same field conflicts.
    officer_phone
        .update_producer(
            &officer(),
            p.id,
            ProducerPatch {
                members: Some(Some(35)),
                phone: Some(Some("0987 654 321".into())),
                ..Default::default()
            },
        )
        .unwrap();
    union_phone
        .update_producer(
            &union_staff(),
            p.id,
            ProducerPatch {
                women_members: Some(Some(24)),
                phone: Some(Some("0911 222 333".into())),
                ..Default::default()
            },
        )
        .unwrap();
    officer_phone.merge_from(&union_phone).unwrap();
    union_phone.merge_from(&officer_phone).unwrap();

    for phone in [&officer_phone, &union_phone] {
        let got = phone.producer(p.id).unwrap();
        assert_eq!(
            (got.members, got.women_members),
            (Some(35), Some(24)),
            "both edits kept"
        );
        let conflicts = phone.conflicts(None).unwrap();
        assert_eq!(conflicts.len(), 1);
        assert_eq!(conflicts[0].path, "phone");
        let mut authors: Vec<String> = conflicts[0]
            .values
            .iter()
            .map(|v| v.author.as_ref().unwrap().user_id.clone())
            .collect();
        authors.sort();
        assert_eq!(authors, vec!["officer-tn-01", "union-tn-01"]);
    }
    assert_eq!(
        officer_phone.heads(p.id).unwrap(),
        union_phone.heads(p.id).unwrap()
    );

    // The officer enters the number both agree on after calling the cooperative.
    officer_phone
        .resolve_conflict(
            &officer(),
            p.id,
            "phone",
            &Resolution::Value("0912 000 111".into()),
        )
        .unwrap_err();
    officer_phone
        .resolve_conflict(
            &officer(),
            p.id,
            "phone",
            &Resolution::Value("0912000111".into()),
        )
        .unwrap();
    union_phone.merge_from(&officer_phone).unwrap();
    for phone in [&officer_phone, &union_phone] {
        assert!(phone.conflicts(None).unwrap().is_empty());
        assert_eq!(
            phone.producer(p.id).unwrap().phone.as_deref(),
            Some("0912000111")
        );
    }
}

#[test]
fn moving_a_producer_moves_its_products_and_a_visit_answers_the_form_version_it_started_with() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, "phone.db");
    let me = officer();
    let p = store.create_producer(&me, new_producer()).unwrap();
    let product = store
        .create_product(
            &me,
            NewProduct {
                producer: p.id,
                name: "Chè móc câu".into(),
                group: "food".into(),
                subgroup: None,
                description: String::new(),
                raw_material_zone: None,
                packaging: None,
                trademark: None,
                traceability_stamp: false,
                certifications: BTreeMap::new(),
                ecommerce: BTreeMap::new(),
                ocop: None,
            },
        )
        .unwrap();
    let mut address = p.address.clone();
    address.commune.code = "00577".into(); // Bát Tràng, Hà Nội
    store
        .update_producer(
            &me,
            p.id,
            ProducerPatch {
                address: Some(address),
                ..Default::default()
            },
        )
        .unwrap();
    let moved = store.product(product.id).unwrap();
    assert_eq!(
        (
            moved.province.code.as_str(),
            moved.commune.code.as_str(),
            moved.commune.name.as_str()
        ),
        ("01", "00577", "Xã Bát Tràng")
    );

    let v1 = store
        .start_visit(
            &me,
            NewVisit {
                producer: Some(p.id),
                product: None,
                form_id: "ocop_producer_product_survey".into(),
                form_version: Some(1),
                commune_code: None,
            },
        )
        .unwrap();
    // `ocop_certificate_expiry` exists only in v2: a v1 visit refuses it.
    let err = store
        .set_answer(
            &me,
            v1.id,
            "ocop_certificate_expiry",
            Some(Answer::Date(Date::parse("2027-01-01").unwrap())),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Form(_)), "{err}");
    let latest = store
        .start_visit(
            &me,
            NewVisit {
                producer: Some(p.id),
                product: None,
                form_id: "ocop_producer_product_survey".into(),
                form_version: None,
                commune_code: None,
            },
        )
        .unwrap();
    assert_eq!(latest.form_version, 2);
    store
        .set_answer(
            &me,
            latest.id,
            "ocop_certificate_expiry",
            Some(Answer::Date(Date::parse("2027-01-01").unwrap())),
        )
        .unwrap();

    // Ratings are checked against the criteria: 78.5 points is 4 stars, not 5.
    let err = store
        .update_product(
            &me,
            product.id,
            ProductPatch {
                ocop: Some(OcopStatus {
                    stage: OcopStage::FiveStar,
                    score: Some(78.5),
                    criteria: None,
                    certificate_no: None,
                    issued: None,
                    expires: None,
                    authority: None,
                }),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert!(matches!(err, Error::Invalid { .. }), "{err}");
}
