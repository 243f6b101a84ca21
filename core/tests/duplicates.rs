//! Duplicate producers: registrations of the same cooperative by different people are found with a score and
//! reasons; neighbours with similar names and namesakes far away are not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ocop_core::duplicates::{DuplicateFilter, DuplicatePair, Reason};
use ocop_core::gps::{LatLon, distance_m};
use ocop_core::ids::RecordId;
use ocop_core::places::Places;
use ocop_core::records::OwnerKind;
use ocop_core::store::{NewProducer, Store};

fn reg(
    store: &Store,
    commune: &str,
    name: &str,
    phone: &str,
    at: Option<(f64, f64)>,
) -> RecordId {
    let mut p: NewProducer = producer_in(commune, name);
    p.phone = Some(phone.into());
    // Different cooperatives have different chairs; the same one registered twice may name either.
    const CHAIRS: &[&str] = &["Lê Thị Hoa", "Nguyễn Văn Bình", "Trần Thị Mai", "Phạm Đức Long", "Hoàng Thị Lan"];
    let digits: usize = phone.chars().filter(char::is_ascii_digit).map(|c| c as usize).sum();
    p.representative.name = CHAIRS[digits % CHAIRS.len()].into();
    p.location = at.map(|(lat, lon)| fix(lat, lon, Some(5.0)));
    if name.contains("THT") || name.contains("Tổ hợp tác") {
        p.owner_kind = OwnerKind::CooperativeGroup;
    }
    store.create_producer(&officer(), p).unwrap().id
}

fn pair_of(pairs: &[DuplicatePair], x: RecordId, y: RecordId) -> Option<&DuplicatePair> {
    pairs
        .iter()
        .find(|p| (p.a.id == x && p.b.id == y) || (p.a.id == y && p.b.id == x))
}

fn centroid(code: &str) -> LatLon {
    Places::embedded().commune(code).unwrap().centroid.unwrap()
}

#[test]
fn true_pairs_are_found_and_neighbours_and_far_namesakes_are_not() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, "dups.db");
    let tc = centroid(TAN_CUONG);
    let bt = centroid(BAT_TRANG);

    // Tân Cương: the same tea cooperative registered twice (an officer and a union staffer), and a neighbour.
    let dong_tam_1 = reg(&store, TAN_CUONG, "HTX Chè Đồng Tâm", "0912000001", Some((tc.lat, tc.lon)));
    let dong_tam_2 = reg(
        &store,
        TAN_CUONG,
        "Hợp tác xã chè Đồng Tâm",
        "0987000002",
        Some((tc.lat + 0.0004, tc.lon + 0.0003)),
    );
    let tan_cuong = reg(&store, TAN_CUONG, "HTX Chè Tân Cương", "0912000003", Some((tc.lat + 0.002, tc.lon)));
    // Bát Tràng: the pottery group, once abbreviated.
    let gom_1 = reg(&store, BAT_TRANG, "THT Gốm Bát Tràng", "02438740001", None);
    let gom_2 = reg(&store, BAT_TRANG, "Tổ hợp tác gốm Bát Tràng", "0912000005", None);
    // Same name in another province, far away (Hà Nội, not Thái Nguyên).
    let hanoi_namesake = reg(&store, BAT_TRANG, "HTX Chè Đồng Tâm", "0912000006", Some((bt.lat, bt.lon)));
    // Same name in the same province but a commune more than 30 km away.
    let far = ocop_core::sample::communes_of("19")
        .into_iter()
        .find(|c| c.centroid.is_some_and(|p| distance_m(p, tc) > 30_000.0))
        .unwrap();
    let fc = far.centroid.unwrap();
    let far_namesake = reg(&store, &far.code, "HTX Chè Đồng Tâm", "0912000007", Some((fc.lat, fc.lon)));
    // A company registered in two neighbouring communes with the same phone, names written differently.
    let near = ocop_core::sample::communes_of("19")
        .into_iter()
        .find(|c| c.code != TAN_CUONG && c.centroid.is_some_and(|p| distance_m(p, tc) < 15_000.0))
        .unwrap();
    let tra_1 = reg(&store, TAN_CUONG, "Cty TNHH Trà Thái Hưng", "0977123456", None);
    let tra_2 = reg(&store, &near.code, "Công ty trách nhiệm hữu hạn trà Thái Hưng", "0977 123 456", None);

    let pairs = store.duplicate_candidates(&DuplicateFilter::default()).unwrap();

    let p = pair_of(&pairs, dong_tam_1, dong_tam_2).expect("HTX Chè Đồng Tâm twice");
    assert!(p.score >= 0.8, "{p:?}");
    assert!(p.reasons.contains(&Reason::SameName));
    assert!(p.reasons.contains(&Reason::SameCommune));
    assert!(p.reasons.iter().any(|r| matches!(r, Reason::Near { metres } if *metres < 100.0)));
    assert_eq!(p.a.id, dong_tam_1, "the older registration comes first");

    let g = pair_of(&pairs, gom_1, gom_2).expect("THT Gốm Bát Tràng twice");
    assert!(g.reasons.contains(&Reason::SameName), "{g:?}");

    let t = pair_of(&pairs, tra_1, tra_2).expect("the company in two communes, same phone");
    assert!(t.reasons.contains(&Reason::SamePhone), "{t:?}");
    assert!(!t.reasons.contains(&Reason::SameCommune));

    assert!(pair_of(&pairs, tan_cuong, dong_tam_1).is_none(), "neighbours: Tân Cương vs Đồng Tâm");
    assert!(pair_of(&pairs, tan_cuong, dong_tam_2).is_none());
    for x in [dong_tam_1, dong_tam_2] {
        assert!(pair_of(&pairs, x, hanoi_namesake).is_none(), "different provinces");
        assert!(pair_of(&pairs, x, far_namesake).is_none(), "same name 30+ km apart");
    }
    assert_eq!(pairs.len(), 3, "{pairs:#?}");

    // Far namesakes are still compared when asked with a low threshold, and the distance counts against them.
    let all = store
        .duplicate_candidates(&DuplicateFilter {
            min_score: 0.0,
            producer_id: Some(far_namesake),
            ..Default::default()
        })
        .unwrap();
    let f = pair_of(&all, dong_tam_1, far_namesake).expect("compared through the word block");
    assert!(f.score < 0.6);
    assert!(f.reasons.iter().any(|r| matches!(r, Reason::Far { km } if *km > 30.0)), "{f:?}");
    assert!(all.iter().all(|p| p.a.id == far_namesake || p.b.id == far_namesake));
}

#[test]
fn filters_and_reason_texts() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, "dups.db");
    let a = reg(&store, TAN_CUONG, "HTX Chè Đồng Tâm", "0912000001", None);
    let b = reg(&store, TAN_CUONG, "hop tac xa che dong tam", "0912000001", None);
    let c = reg(&store, BAT_TRANG, "THT Gốm Bát Tràng", "0912000011", None);
    let d = reg(&store, BAT_TRANG, "Tổ hợp tác gốm Bát Tràng", "0912000012", None);

    let in_tn = store
        .duplicate_candidates(&DuplicateFilter {
            province_code: Some("19".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(in_tn.len(), 1);
    let p = &in_tn[0];
    assert_eq!((p.a.id, p.b.id), (a, b));
    assert!(p.reasons.contains(&Reason::SamePhone));
    let vi: Vec<String> = p.reasons.iter().map(Reason::text_vi).collect();
    let en: Vec<String> = p.reasons.iter().map(Reason::text_en).collect();
    assert!(vi.iter().any(|t| t.contains("Trùng tên")), "{vi:?}");
    assert!(vi.iter().any(|t| t == "Trùng số điện thoại"));
    assert!(en.iter().any(|t| t == "Same phone number"), "{en:?}");
    // Codes for programs.
    let json = serde_json::to_value(&p.reasons).unwrap();
    assert!(json.as_array().unwrap().iter().any(|r| r["code"] == "same_phone"));

    let in_bt = store
        .duplicate_candidates(&DuplicateFilter {
            commune_code: Some(BAT_TRANG.into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(in_bt.len(), 1);
    assert_eq!((in_bt[0].a.id, in_bt[0].b.id), (c, d));

    let limited = store
        .duplicate_candidates(&DuplicateFilter {
            limit: 1,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(limited.len(), 1);
    assert!(limited[0].score >= in_bt[0].score, "best first");

    let strict = store
        .duplicate_candidates(&DuplicateFilter {
            min_score: 0.99,
            ..Default::default()
        })
        .unwrap();
    assert!(strict.iter().all(|p| p.score >= 0.99));
}

#[test]
fn blocking_compares_far_fewer_pairs_than_all() {
    use ocop_core::duplicates::{Candidate, comparisons};
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, "dups.db");
    let mut s = ocop_core::sample::Sampler::new(3);
    let communes = ocop_core::sample::communes_of("19");
    for i in 0..300 {
        let commune = communes[i % 30];
        let mut p = s.producer(commune);
        p.name = format!("{} {i}", p.name);
        store.create_producer(&officer(), p).unwrap();
    }
    let input: Vec<Candidate> = store.duplicate_candidates_input(Some("19")).unwrap();
    assert_eq!(input.len(), 300);
    let compared = comparisons(&input);
    assert!(compared > 0);
    assert!(compared < 300 * 299 / 2 / 4, "compared {compared} pairs of 44,850");
}

// ---------------------------------------------------------------------------------------------------------------
// Merging duplicates
// ---------------------------------------------------------------------------------------------------------------

use ocop_core::identity::{Author, Role};
use ocop_core::records::{EcommerceListing, ProducerStatus, ProductPatch};
use ocop_core::store::{NewProduct, NewVisit, ProducerFilter, ProductFilter, VisitFilter};
use ocop_core::sync::link::{Link, LinkProfile};
use ocop_core::sync::{self, Principal, Scope, SyncOptions};

fn supervisor() -> Author {
    Author::new("supervisor-tn-01", "Đỗ Thị Hạnh", Role::Supervisor)
}

fn sync_with(device: &Store, hub: &Store) {
    let principal = Principal {
        user_id: "peer".into(),
        role: Role::Supervisor,
        scope: Scope::all(),
    };
    let mut link = Link::new(hub, principal, LinkProfile::INSTANT);
    sync::sync(device, "hub", &mut link, &SyncOptions::default(), &()).unwrap();
}

fn product_of(store: &Store, author: &Author, producer: RecordId, name: &str) -> RecordId {
    store
        .create_product(
            author,
            NewProduct {
                producer,
                name: name.into(),
                group: "food".into(),
                subgroup: None,
                description: String::new(),
                raw_material_zone: None,
                packaging: None,
                trademark: None,
                traceability_stamp: false,
                certifications: Default::default(),
                ecommerce: Default::default(),
                ocop: None,
            },
        )
        .unwrap()
        .id
}

fn visit_of(store: &Store, author: &Author, producer: RecordId) -> RecordId {
    store
        .start_visit(
            author,
            NewVisit {
                producer: Some(producer),
                product: None,
                form_id: "ocop_producer_product_survey".into(),
                form_version: Some(1),
                commune_code: None,
            },
        )
        .unwrap()
        .id
}

fn products_of(store: &Store, producer: RecordId) -> Vec<RecordId> {
    let mut v: Vec<RecordId> = store
        .list_products(&ProductFilter {
            producer_id: Some(producer),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    v.sort();
    v
}

#[test]
fn a_merge_on_one_device_syncs_and_converges_with_concurrent_edits_landing_on_the_kept_producer() {
    let dir = tempfile::tempdir().unwrap();
    let hub = open(&dir, "hub.db");
    let officer_phone = open(&dir, "officer.db");
    let union_phone = open(&dir, "union.db");
    let sup_phone = open(&dir, "supervisor.db");
    let devices = [&officer_phone, &union_phone, &sup_phone];

    // The officer and the union staffer register the same cooperative, each with products and a visit.
    let a = reg(&officer_phone, TAN_CUONG, "HTX Chè Đồng Tâm", "0912000001", None);
    let p1 = product_of(&officer_phone, &officer(), a, "Chè búp Đồng Tâm");
    let v1 = visit_of(&officer_phone, &officer(), a);
    let b = union_phone
        .create_producer(&union_staff(), {
            let mut p = producer_in(TAN_CUONG, "Hợp tác xã chè Đồng Tâm");
            p.phone = Some("0987000002".into());
            p
        })
        .unwrap()
        .id;
    let p2 = product_of(&union_phone, &union_staff(), b, "Trà xanh Đồng Tâm");
    let p3 = product_of(&union_phone, &union_staff(), b, "Chè móc câu");
    let v2 = visit_of(&union_phone, &union_staff(), b);
    for _ in 0..2 {
        for d in devices {
            sync_with(d, &hub);
        }
    }

    // The supervisor finds the pair and merges B into A.
    let pairs = sup_phone.duplicate_candidates(&DuplicateFilter::default()).unwrap();
    let pair = pair_of(&pairs, a, b).expect("the pair is listed");
    assert_eq!((pair.a.id, pair.b.id), (a, b));
    let report = sup_phone.merge_producers(&supervisor(), a, b).unwrap();
    assert_eq!(report.products_moved.len(), 2);
    assert_eq!(report.visits_moved, vec![v2]);

    // Meanwhile, offline, the union staffer edits one of B's products and registers a new one for B.
    union_phone
        .update_product(
            &union_staff(),
            p2,
            ProductPatch {
                name: Some("Trà xanh Đồng Tâm loại đặc biệt".into()),
                ecommerce: [("shopee".to_string(), Some(EcommerceListing { url: None }))].into(),
                ..Default::default()
            },
        )
        .unwrap();
    let p4 = product_of(&union_phone, &union_staff(), b, "Chè hoa nhài");

    for _ in 0..2 {
        for d in [&union_phone, &sup_phone, &officer_phone] {
            sync_with(d, &hub);
        }
    }
    for d in devices {
        assert_converged(d, &hub);
        let edited = d.product(p2).unwrap();
        assert_eq!(edited.producer, a, "the merge moved P2");
        assert_eq!(edited.name, "Trà xanh Đồng Tâm loại đặc biệt", "and the concurrent edit is kept");
        assert!(edited.ecommerce.contains_key("shopee"));
        assert_eq!(d.producer(b).unwrap().status, ProducerStatus::MergedInto(a));
        assert!(d.conflicts(None).unwrap().is_empty());
    }

    // The product created for B before the union phone knew of the merge is a straggler until a supervisor's
    // device moves it; readers can already file it under A.
    let stragglers = sup_phone.merge_stragglers().unwrap();
    assert_eq!(stragglers.products, vec![(p4, a)]);
    assert_eq!(sup_phone.effective_producer(b).unwrap(), a);
    sup_phone.repoint_stragglers(&supervisor()).unwrap();
    for _ in 0..2 {
        for d in devices {
            sync_with(d, &hub);
        }
    }
    let mut expected = vec![p1, p2, p3, p4];
    expected.sort();
    for d in devices {
        assert_converged(d, &hub);
        assert!(d.merge_stragglers().unwrap().is_empty());
        assert_eq!(products_of(d, a), expected);
        assert!(products_of(d, b).is_empty());
        let visits: Vec<RecordId> = d
            .list_visits(&VisitFilter {
                producer_id: Some(a),
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .map(|v| v.id)
            .collect();
        assert!(visits.contains(&v1) && visits.contains(&v2));
        // B is hidden from lists, searches and duplicate lists, but readable.
        let listed = d.list_producers(&ProducerFilter::default()).unwrap();
        assert!(listed.iter().any(|p| p.id == a) && !listed.iter().any(|p| p.id == b));
        let all = d
            .list_producers(&ProducerFilter {
                include_inactive: true,
                ..Default::default()
            })
            .unwrap();
        let shown_b = all.iter().find(|p| p.id == b).unwrap();
        assert_eq!((shown_b.status.as_str(), shown_b.merged_into), ("merged_into", Some(a)));
        let hits = d.search("dong tam", 50).unwrap();
        assert!(hits.iter().any(|h| h.id == a) && !hits.iter().any(|h| h.id == b));
        assert_eq!(d.producer(b).unwrap().name, "Hợp tác xã chè Đồng Tâm");
        assert!(pair_of(&d.duplicate_candidates(&DuplicateFilter::default()).unwrap(), a, b).is_none());
    }
}

#[test]
fn merging_twice_into_a_merged_producer_or_without_the_role_gives_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, "sup.db");
    let a = reg(&store, TAN_CUONG, "HTX Chè Đồng Tâm", "0912000001", None);
    let b = reg(&store, TAN_CUONG, "Hợp tác xã chè Đồng Tâm", "0987000002", None);
    let c = reg(&store, TAN_CUONG, "HTX chè Đồng Tâm (đăng ký lại)", "0987000003", None);

    let err = store.merge_producers(&officer(), a, b).unwrap_err();
    assert!(matches!(err, ocop_core::Error::Forbidden(_)), "{err}");
    let err = store.merge_producers(&union_staff(), a, b).unwrap_err();
    assert!(matches!(err, ocop_core::Error::Forbidden(_)), "{err}");
    assert_eq!(store.producer(b).unwrap().status, ProducerStatus::Active, "nothing written");

    let err = store.merge_producers(&supervisor(), a, a).unwrap_err();
    assert!(err.to_string().contains("into itself"), "{err}");
    let err = store.merge_producers(&supervisor(), a, RecordId::new()).unwrap_err();
    assert!(matches!(err, ocop_core::Error::NotFound { .. }), "{err}");

    store.merge_producers(&supervisor(), a, b).unwrap();
    let err = store.merge_producers(&supervisor(), a, b).unwrap_err();
    assert!(err.to_string().contains("already merged into this producer"), "{err}");
    let err = store.merge_producers(&supervisor(), c, b).unwrap_err();
    assert!(err.to_string().contains("already merged into another producer"), "{err}");
    let err = store.merge_producers(&supervisor(), b, c).unwrap_err();
    assert!(err.to_string().contains("itself merged into"), "{err}");
    // The error names no person (messages end up in logs).
    assert!(!err.to_string().contains("Đồng Tâm"));
    assert_eq!(store.producer(c).unwrap().status, ProducerStatus::Active);
}
