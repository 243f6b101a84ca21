//! Helpers shared by the integration tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(dead_code)]

use ocop_core::gps::{GpsFix, GpsProvider};
use ocop_core::identity::{Author, Role};
use ocop_core::ids::now_millis;
use ocop_core::records::{Gender, OwnerKind, Person};
use ocop_core::store::{
    NewProducer, ProducerFilter, ProductFilter, Store, StoreOptions, VisitFilter,
};

/// Xã Tân Cương, Thái Nguyên.
pub const TAN_CUONG: &str = "05503";
/// Xã Bát Tràng, Hà Nội.
pub const BAT_TRANG: &str = "00577";

pub fn officer() -> Author {
    Author::new("officer-tn-01", "Nguyễn Văn An", Role::Officer)
}

pub fn union_staff() -> Author {
    Author::new("union-tn-01", "Trần Thị Bình", Role::UnionStaff)
}

pub fn open(dir: &tempfile::TempDir, name: &str) -> Store {
    Store::open(dir.path().join(name), StoreOptions::default()).unwrap()
}

pub fn fix(lat: f64, lon: f64, accuracy: Option<f64>) -> GpsFix {
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

pub fn producer_in(commune: &str, name: &str) -> NewProducer {
    NewProducer {
        owner_kind: OwnerKind::Cooperative,
        name: name.into(),
        registration_no: None,
        representative: Person {
            name: "Lê Thị Hoa".into(),
            gender: Gender::Female,
            position: None,
        },
        phone: Some("0912345678".into()),
        commune_code: commune.into(),
        hamlet: "Xóm 1".into(),
        street: String::new(),
        location: None,
        members: Some(10),
        women_members: Some(6),
        women_owned: Some(true),
        women_led: None,
    }
}

/// Both stores hold the same documents (same heads) and the same projections.
pub fn assert_converged(a: &Store, b: &Store) {
    assert_eq!(
        a.document_heads().unwrap(),
        b.document_heads().unwrap(),
        "same documents, same heads"
    );
    let strip_p = |s: &Store| {
        s.list_producers(&ProducerFilter {
            include_inactive: true,
            limit: 10_000,
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|mut p| {
            p.updated_at = 0;
            p
        })
        .collect::<Vec<_>>()
    };
    assert_eq!(strip_p(a), strip_p(b), "same producer projections");
    let strip_pr = |s: &Store| {
        s.list_products(&ProductFilter {
            limit: 10_000,
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|mut p| {
            p.updated_at = 0;
            p
        })
        .collect::<Vec<_>>()
    };
    assert_eq!(strip_pr(a), strip_pr(b), "same product projections");
    let visits = |s: &Store| {
        s.list_visits(&VisitFilter {
            limit: 10_000,
            ..Default::default()
        })
        .unwrap()
    };
    assert_eq!(visits(a), visits(b), "same visit projections");
    let conflicts = |s: &Store| {
        let mut c: Vec<(String, String)> = s
            .conflicts(None)
            .unwrap()
            .into_iter()
            .map(|c| (c.doc_id.to_string(), c.path))
            .collect();
        c.sort();
        c
    };
    assert_eq!(conflicts(a), conflicts(b), "same open conflicts");
}
