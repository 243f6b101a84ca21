//! Every cell of the permission matrix on a device: each role × record kind × create / edit × in / out of scope,
//! through the store's own write calls. A refused write is `Error::Forbidden` with a reason, and the store is
//! left exactly as it was. The expected table is written out here, independently of `permissions::rule`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use automerge::AutoCommit;
use automerge::transaction::Transactable;
use common::*;
use ocop_core::Error;
use ocop_core::doc::Resolution;
use ocop_core::forms::{Answer, FormRegistry};
use ocop_core::identity::{Author, Role, Scope};
use ocop_core::ids::RecordId;
use ocop_core::records::{OcopStage, OcopStatus, ProducerPatch, ProducerStatus, ProductPatch};
use ocop_core::review::{Comments, Decision};
use ocop_core::store::{NewProduct, NewVisit, Store, VisitCapture};

/// The people under test (in Tân Cương's scope on their devices).
fn person(role: Role) -> Author {
    match role {
        Role::Officer => Author::new("t-officer", "Nguyễn Văn An", Role::Officer),
        Role::UnionStaff => Author::new("t-union", "Trần Thị Bình", Role::UnionStaff),
        Role::Supervisor => Author::new("t-sup", "Phạm Thị Minh", Role::Supervisor),
        Role::HubAdmin => Author::new("t-admin", "Quản trị viên", Role::HubAdmin),
    }
}

const ROLES: [Role; 4] = [
    Role::Officer,
    Role::UnionStaff,
    Role::Supervisor,
    Role::HubAdmin,
];

/// The matrix as `docs/permissions.md` states it: (role, kind, action) → allowed in scope. Out of scope nothing is
/// allowed, except forms (which have no place). Visit edits here are of *someone else's* visit.
const MATRIX: &[(&str, &str, &str, bool)] = &[
    ("officer", "producer", "create", true),
    ("officer", "producer", "edit", true),
    ("officer", "product", "create", true),
    ("officer", "product", "edit", true),
    ("officer", "visit", "create", true),
    ("officer", "visit", "edit", false),
    ("officer", "review", "create", false),
    ("officer", "review", "edit", false),
    ("officer", "form", "create", false),
    ("officer", "form", "edit", false),
    ("union_staff", "producer", "create", true),
    ("union_staff", "producer", "edit", true),
    ("union_staff", "product", "create", true),
    ("union_staff", "product", "edit", true),
    ("union_staff", "visit", "create", true),
    ("union_staff", "visit", "edit", false),
    ("union_staff", "review", "create", false),
    ("union_staff", "review", "edit", false),
    ("union_staff", "form", "create", false),
    ("union_staff", "form", "edit", false),
    ("supervisor", "producer", "create", true),
    ("supervisor", "producer", "edit", true),
    ("supervisor", "product", "create", true),
    ("supervisor", "product", "edit", true),
    ("supervisor", "visit", "create", true),
    ("supervisor", "visit", "edit", true),
    ("supervisor", "review", "create", true),
    ("supervisor", "review", "edit", false),
    ("supervisor", "form", "create", false),
    ("supervisor", "form", "edit", false),
    ("hub_admin", "producer", "create", false),
    ("hub_admin", "producer", "edit", false),
    ("hub_admin", "product", "create", false),
    ("hub_admin", "product", "edit", false),
    ("hub_admin", "visit", "create", false),
    ("hub_admin", "visit", "edit", false),
    ("hub_admin", "review", "create", false),
    ("hub_admin", "review", "edit", false),
    ("hub_admin", "form", "create", true),
    ("hub_admin", "form", "edit", true),
];

/// Records written by other people, in Tân Cương (in scope) and Bát Tràng (out of scope).
struct Seed {
    store: Store,
    producer: [RecordId; 2],
    product: [RecordId; 2],
    visit: [RecordId; 2],
    review: [RecordId; 2],
    form: RecordId,
}

fn seed_officer() -> Author {
    Author::new("seed-officer", "Hoàng Đức Long", Role::Officer)
}

fn seed_sup() -> Author {
    Author::new("seed-sup", "Đỗ Văn Hùng", Role::Supervisor)
}

fn seed_admin() -> Author {
    Author::new("seed-admin", "Quản trị", Role::HubAdmin)
}

fn answers() -> Vec<(String, Answer)> {
    vec![
        (
            "visit_purpose",
            Answer::SelectOne("product_assessment".into()),
        ),
        ("respondent_name", Answer::Text("Lê Thị Hoa".into())),
        ("respondent_role", Answer::SelectOne("owner".into())),
        (
            "producer_legal_form",
            Answer::SelectOne("cooperative".into()),
        ),
        (
            "main_product_name",
            Answer::Text("Chè búp Tân Cương".into()),
        ),
        ("product_group", Answer::SelectOne("food".into())),
        (
            "facility_location",
            Answer::GeoPoint(fix(21.5194, 105.787, Some(6.0))),
        ),
    ]
    .into_iter()
    .map(|(q, a)| (q.to_string(), a))
    .collect()
}

fn new_product(producer: RecordId) -> NewProduct {
    NewProduct {
        producer,
        name: "Chè búp khô".into(),
        group: "food".into(),
        subgroup: None,
        description: "Chè xanh sao sấy thủ công".into(),
        raw_material_zone: None,
        packaging: None,
        trademark: None,
        traceability_stamp: false,
        certifications: Default::default(),
        ecommerce: Default::default(),
        ocop: None,
    }
}

fn visit_of(producer: RecordId) -> NewVisit {
    NewVisit {
        producer: Some(producer),
        product: None,
        form_id: "ocop_producer_product_survey".into(),
        form_version: Some(1),
        commune_code: None,
    }
}

/// Two concurrent raw edits of `key` in a document, applied to `store`: a conflict a person could resolve (the only
/// way a store call edits a review or a form).
fn make_conflict(store: &Store, id: RecordId, key: &str, a: i64, b: i64) {
    let bytes = store.export_document(id).unwrap();
    let mut changes = Vec::new();
    for (v, who) in [(a, seed_sup()), (b, seed_admin())] {
        let mut doc = AutoCommit::load(&bytes).unwrap();
        let before = doc.get_heads();
        doc.put(automerge::ROOT, key, v).unwrap();
        ocop_core::doc::commit(&mut doc, &who, 1);
        changes.extend(
            doc.get_changes(&before)
                .into_iter()
                .map(|mut c| c.bytes().to_vec()),
        );
    }
    let report = store.apply_changes(vec![(id, changes)]).unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
}

fn seed(dir: &tempfile::TempDir) -> Seed {
    let store = open(dir, "seed.db");
    let o = seed_officer();
    let mut producer = [RecordId::new(); 2];
    let mut product = [RecordId::new(); 2];
    let mut visit = [RecordId::new(); 2];
    let mut review = [RecordId::new(); 2];
    for (i, commune) in [TAN_CUONG, BAT_TRANG].into_iter().enumerate() {
        producer[i] = store
            .create_producer(&o, producer_in(commune, "HTX Chè Xanh"))
            .unwrap()
            .id;
        product[i] = store
            .create_product(&o, new_product(producer[i]))
            .unwrap()
            .id;
        visit[i] = store
            .capture_visit(
                &o,
                VisitCapture {
                    visit: visit_of(producer[i]),
                    answers: answers(),
                    fixes: vec![],
                    photos: vec![],
                    notes: String::new(),
                    submit: true,
                },
            )
            .unwrap()
            .id;
        review[i] = store
            .write_review(
                &seed_sup(),
                visit[i],
                Decision::Approved,
                Comments::default(),
            )
            .unwrap()
            .id;
        make_conflict(&store, review[i], "at", 1, 2);
    }
    let mut form = FormRegistry::embedded()
        .latest("ocop_producer_product_survey")
        .unwrap()
        .clone();
    form.version = 90;
    let form = store.publish_form(&seed_admin(), &form).unwrap();
    make_conflict(&store, form, "published_at", 1, 2);
    Seed {
        store,
        producer,
        product,
        visit,
        review,
        form,
    }
}

/// A device in Tân Cương holding the seed.
fn device(dir: &tempfile::TempDir, seed: &Seed, name: &str) -> Store {
    let store = open(dir, name);
    store.merge_from(&seed.store).unwrap();
    store
        .set_scope(Some(Scope {
            provinces: vec![],
            communes: vec![TAN_CUONG.into()],
        }))
        .unwrap();
    store
}

fn keep_first(store: &Store, id: RecordId, path: &str) -> Resolution {
    let c = store
        .conflicts(Some(id))
        .unwrap()
        .into_iter()
        .find(|c| c.path == path)
        .unwrap_or_else(|| panic!("no conflict on {path}"));
    Resolution::Keep(c.values[0].op.clone())
}

/// Does one write; `Ok` when it was written.
fn attempt(
    store: &Store,
    seed: &Seed,
    who: &Author,
    kind: &str,
    action: &str,
    i: usize,
) -> Result<(), Error> {
    let commune = [TAN_CUONG, BAT_TRANG][i];
    match (kind, action) {
        ("producer", "create") => store
            .create_producer(who, producer_in(commune, "Tổ hợp tác Mây tre đan"))
            .map(drop),
        ("producer", "edit") => store
            .update_producer(
                who,
                seed.producer[i],
                ProducerPatch {
                    phone: Some(Some("0987654321".into())),
                    ..Default::default()
                },
            )
            .map(drop),
        ("product", "create") => store
            .create_product(who, new_product(seed.producer[i]))
            .map(drop),
        ("product", "edit") => store
            .update_product(
                who,
                seed.product[i],
                ProductPatch {
                    description: Some("Chè xanh đóng hộp giấy".into()),
                    ..Default::default()
                },
            )
            .map(drop),
        ("visit", "create") => store.start_visit(who, visit_of(seed.producer[i])).map(drop),
        ("visit", "edit") => store.set_notes(who, seed.visit[i], "Đã kiểm tra lại."),
        ("review", "create") => store
            .write_review(who, seed.visit[i], Decision::Approved, Comments::default())
            .map(drop),
        ("review", "edit") => {
            let keep = keep_first(store, seed.review[i], "at");
            store.resolve_conflict(who, seed.review[i], "at", &keep)
        }
        ("form", "create") => {
            let mut form = FormRegistry::embedded()
                .latest("ocop_producer_product_survey")
                .unwrap()
                .clone();
            form.version = 91 + i as u32;
            store.publish_form(who, &form).map(drop)
        }
        ("form", "edit") => {
            let keep = keep_first(store, seed.form, "published_at");
            store.resolve_conflict(who, seed.form, "published_at", &keep)
        }
        other => panic!("no such cell {other:?}"),
    }
}

fn snapshot(store: &Store) -> (Vec<(RecordId, String)>, usize) {
    (
        store.document_heads().unwrap(),
        store.log_since(0, usize::MAX).unwrap().len(),
    )
}

#[test]
fn every_cell_of_the_matrix_is_enforced_on_the_device() {
    let dir = tempfile::tempdir().unwrap();
    let seed = seed(&dir);
    let mut checked = 0;
    let mut failures = Vec::new();
    for (n, &(role, kind, action, allowed_in)) in MATRIX.iter().enumerate() {
        let role = Role::parse(role).unwrap();
        let who = person(role);
        for (i, in_scope) in [(0, true), (1, false)] {
            let expected = if kind == "form" {
                allowed_in
            } else {
                allowed_in && in_scope
            };
            let store = device(&dir, &seed, &format!("cell-{n}-{i}.db"));
            let before = snapshot(&store);
            let got = attempt(&store, &seed, &who, kind, action, i);
            let cell = format!(
                "{} {action} {kind} {}",
                role.as_str(),
                if in_scope { "in scope" } else { "out of scope" }
            );
            match (&got, expected) {
                (Ok(()), true) => assert_ne!(snapshot(&store), before, "{cell}: written"),
                (Err(Error::Forbidden(reason)), false) => {
                    assert!(!reason.is_empty(), "{cell}: a reason");
                    assert_eq!(snapshot(&store), before, "{cell}: nothing written");
                }
                _ => failures.push(format!("{cell}: expected allowed={expected}, got {got:?}")),
            }
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(checked, ROLES.len() * 5 * 2 * 2);
}

#[test]
fn own_visits_are_edited_by_their_collector_and_no_one_else_but_a_supervisor() {
    let dir = tempfile::tempdir().unwrap();
    let seed = seed(&dir);
    let store = device(&dir, &seed, "d.db");
    for role in [Role::Officer, Role::UnionStaff] {
        let me = person(role);
        let v = store.start_visit(&me, visit_of(seed.producer[0])).unwrap();
        store.set_notes(&me, v.id, "Ghi chú của tôi").unwrap();
        let other = person(if role == Role::Officer {
            Role::UnionStaff
        } else {
            Role::Officer
        });
        let err = store.set_notes(&other, v.id, "Sửa hộ").unwrap_err();
        assert!(matches!(err, Error::Forbidden(_)), "{err}");
        store
            .set_notes(&person(Role::Supervisor), v.id, "Giám sát sửa")
            .unwrap();
    }
}

#[test]
fn field_rules_ratings_status_and_authorship() {
    let dir = tempfile::tempdir().unwrap();
    let seed = seed(&dir);
    let store = device(&dir, &seed, "d.db");
    let union = person(Role::UnionStaff);
    let rated = OcopStatus {
        stage: OcopStage::ThreeStar,
        score: Some(60.0),
        certificate_no: Some("123/QĐ-UBND".into()),
        issued: Some(ocop_core::ids::Date::parse("2025-03-01").unwrap()),
        ..OcopStatus::candidate()
    };
    // Union staff register products, but do not record ratings.
    let mut p = new_product(seed.producer[0]);
    p.ocop = Some(rated.clone());
    let got = store.create_product(&union, p.clone());
    assert!(matches!(got, Err(Error::Forbidden(_))), "{got:?}");
    let registered = OcopStatus {
        stage: OcopStage::Registered,
        ..OcopStatus::candidate()
    };
    let mine = store
        .create_product(
            &union,
            NewProduct {
                ocop: Some(registered),
                ..p.clone()
            },
        )
        .unwrap();
    let rate = ProductPatch {
        ocop: Some(rated.clone()),
        ..Default::default()
    };
    assert!(matches!(
        store.update_product(&union, mine.id, rate.clone()),
        Err(Error::Forbidden(_))
    ));
    store
        .update_product(&person(Role::Officer), mine.id, rate)
        .unwrap();
    // … and edit a rated product's other fields.
    store
        .update_product(
            &union,
            mine.id,
            ProductPatch {
                description: Some("Hội viên tự sản xuất".into()),
                ..Default::default()
            },
        )
        .unwrap();

    // Archiving (and merging) a producer is a supervisor's decision.
    let archive = ProducerPatch {
        status: Some(ProducerStatus::Archived),
        ..Default::default()
    };
    for role in [Role::Officer, Role::UnionStaff] {
        assert!(matches!(
            store.update_producer(&person(role), seed.producer[0], archive.clone()),
            Err(Error::Forbidden(_))
        ));
    }
    store
        .update_producer(&person(Role::Supervisor), seed.producer[0], archive)
        .unwrap();
}
