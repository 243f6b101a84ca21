//! The permission matrix enforced authoritatively at the hub, against a tampered client: a device that bypasses
//! the core's checks and pushes raw automerge changes over HTTP. Every cell (role × kind × create / edit × in / out
//! of scope) is tried; a refused change comes back with a reason and the device shows the record as rejected.
//! Forged author stamps (another role, an unknown person, a relayed review) are refused too; an honest relay of
//! another person's change (phone to phone) is accepted.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ScalarValue};
use common::*;
use ocop_core::forms::{Answer, FormRegistry};
use ocop_core::identity::{Author, Role};
use ocop_core::ids::{RecordId, now_millis};
use ocop_core::records::{FormDoc, ProducerPatch, form_doc_id};
use ocop_core::review::{Comments, Decision};
use ocop_core::store::{NewProduct, NewVisit, Store, VisitCapture};
use ocop_core::sync::{RecordSyncState, Scope};

const ROLES: [Role; 4] = [
    Role::Officer,
    Role::UnionStaff,
    Role::Supervisor,
    Role::HubAdmin,
];

/// Same table as `docs/permissions.md` (and `core/tests/permissions.rs`): allowed in scope. Out of scope nothing
/// is allowed, except forms (no place). Visit edits are of someone else's visit.
fn allowed_in_scope(role: Role, kind: &str, action: &str) -> bool {
    matches!(
        (role, kind, action),
        (
            Role::Officer | Role::UnionStaff | Role::Supervisor,
            "producer" | "product",
            _
        ) | (
            Role::Officer | Role::UnionStaff | Role::Supervisor,
            "visit",
            "create"
        ) | (Role::Supervisor, "visit", "edit")
            | (Role::Supervisor, "review", "create")
            | (Role::HubAdmin, "form", _)
    )
}

struct Seeded {
    seed: Store,
    producer: [RecordId; 2],
    product: [RecordId; 2],
    visit: [RecordId; 2],
    review: [RecordId; 2],
    form: RecordId,
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
        ("main_product_name", Answer::Text("Gốm Bát Tràng".into())),
        ("product_group", Answer::SelectOne("food".into())),
        (
            "facility_location",
            Answer::GeoPoint(ocop_core::gps::GpsFix {
                lat: 21.5194,
                lon: 105.787,
                accuracy_m: Some(6.0),
                altitude_m: None,
                time: now_millis() - 1000,
                provider: ocop_core::gps::GpsProvider::Gnss,
                mock: false,
            }),
        ),
    ]
    .into_iter()
    .map(|(q, a)| (q.to_string(), a))
    .collect()
}

/// Records by honest seed accounts in Tân Cương (in the testers' scope) and Bát Tràng (outside it), on the hub.
fn seed(t: &TestHub) -> Seeded {
    let both = Scope {
        provinces: vec![],
        communes: vec![TAN_CUONG.into(), BAT_TRANG.into()],
    };
    let mut officer = t.device("seed-officer", Role::Officer, both.clone());
    let mut sup = t.device("seed-sup", Role::Supervisor, both);
    let mut admin = t.device("seed-admin", Role::HubAdmin, Scope::all());
    let mut producer = [RecordId::new(); 2];
    let mut product = [RecordId::new(); 2];
    let mut visit = [RecordId::new(); 2];
    let mut review = [RecordId::new(); 2];
    for (i, commune) in [TAN_CUONG, BAT_TRANG].into_iter().enumerate() {
        let o = &officer.author;
        producer[i] = officer
            .store
            .create_producer(o, producer_in(commune, "HTX Gốm"))
            .unwrap()
            .id;
        product[i] = officer
            .store
            .create_product(
                o,
                NewProduct {
                    producer: producer[i],
                    name: "Bình gốm men lam".into(),
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
            .id;
        visit[i] = officer
            .store
            .capture_visit(
                o,
                VisitCapture {
                    visit: NewVisit {
                        producer: Some(producer[i]),
                        product: None,
                        form_id: "ocop_producer_product_survey".into(),
                        form_version: Some(1),
                        commune_code: None,
                    },
                    answers: answers(),
                    fixes: vec![],
                    photos: vec![],
                    notes: String::new(),
                    submit: true,
                },
            )
            .unwrap()
            .id;
    }
    assert_eq!(officer.sync().unwrap().rejected, 0);
    sup.sync().unwrap();
    for i in 0..2 {
        review[i] = sup
            .store
            .write_review(
                &sup.author,
                visit[i],
                Decision::Approved,
                Comments::default(),
            )
            .unwrap()
            .id;
    }
    assert_eq!(sup.sync().unwrap().rejected, 0);
    let mut form = FormRegistry::embedded()
        .latest("ocop_producer_product_survey")
        .unwrap()
        .clone();
    form.version = 90;
    let form = admin.store.publish_form(&admin.author, &form).unwrap();
    assert_eq!(admin.sync().unwrap().rejected, 0);
    // Everything in one store the tampered clients start from (as if met phone to phone).
    let seed = Store::open(t.dir.path().join("seed-all.db"), Default::default()).unwrap();
    for d in [&officer, &sup, &admin] {
        seed.merge_from(&d.store).unwrap();
    }
    Seeded {
        seed,
        producer,
        product,
        visit,
        review,
        form,
    }
}

/// A new record written straight into an automerge document (no core checks), stamped `stamp`.
fn raw_create<T: autosurgeon::Reconcile>(kind: &str, record: &T, stamp: &str) -> Vec<u8> {
    let mut doc = AutoCommit::new();
    doc.put(automerge::ROOT, "@kind", kind).unwrap();
    doc.put(automerge::ROOT, "@schema", ScalarValue::Uint(2))
        .unwrap();
    autosurgeon::reconcile(&mut doc, record).unwrap();
    commit(&mut doc, stamp);
    let mut changes = doc.get_changes(&[]);
    assert_eq!(changes.len(), 1);
    changes[0].bytes().to_vec()
}

/// An edit of `key` on top of the seed's version of a document, stamped `stamp`.
fn raw_edit(seed: &Store, id: RecordId, key: &str, value: ScalarValue, stamp: &str) -> Vec<u8> {
    let mut doc = AutoCommit::load(&seed.export_document(id).unwrap()).unwrap();
    let before = doc.get_heads();
    doc.put(automerge::ROOT, key, value).unwrap();
    commit(&mut doc, stamp);
    let mut changes = doc.get_changes(&before);
    changes[0].bytes().to_vec()
}

fn commit(doc: &mut AutoCommit, stamp: &str) {
    let opts = automerge::transaction::CommitOptions::default().with_time(now_millis());
    let opts = if stamp.is_empty() {
        opts
    } else {
        opts.with_message(stamp.to_string())
    };
    doc.commit_with(opts);
}

/// The raw change a tampered client sends for one cell, and the document it belongs to.
fn forge(s: &Seeded, who: &Author, kind: &str, action: &str, i: usize) -> (RecordId, Vec<u8>) {
    let stamp = who.to_message();
    let seed = &s.seed;
    match (kind, action) {
        ("producer", "create") => {
            let mut p = seed.producer(s.producer[i]).unwrap();
            p.id = RecordId::new();
            p.created_by = who.user_id.clone();
            (p.id, raw_create("producer", &p, &stamp))
        }
        ("producer", "edit") => (
            s.producer[i],
            raw_edit(seed, s.producer[i], "phone", "0987654321".into(), &stamp),
        ),
        ("product", "create") => {
            let mut p = seed.product(s.product[i]).unwrap();
            p.id = RecordId::new();
            p.created_by = who.user_id.clone();
            (p.id, raw_create("product", &p, &stamp))
        }
        ("product", "edit") => (
            s.product[i],
            raw_edit(
                seed,
                s.product[i],
                "description",
                "Gốm men rạn".into(),
                &stamp,
            ),
        ),
        ("visit", "create") => {
            let mut v = seed.visit(s.visit[i]).unwrap();
            v.id = RecordId::new();
            v.collector = who.user_id.clone();
            // A fresh text object (the hydrated one belongs to the seed's document).
            v.notes = autosurgeon::Text::with_value(v.notes.as_str());
            (v.id, raw_create("visit", &v, &stamp))
        }
        ("visit", "edit") => (
            s.visit[i],
            raw_edit(
                seed,
                s.visit[i],
                "started_at",
                ScalarValue::Int(now_millis()),
                &stamp,
            ),
        ),
        ("review", "create") => {
            let mut r = seed.review(s.review[i]).unwrap();
            r.id = RecordId::new();
            r.reviewer = who.user_id.clone();
            r.supersedes = vec![];
            (r.id, raw_create("review", &r, &stamp))
        }
        ("review", "edit") => (
            s.review[i],
            raw_edit(seed, s.review[i], "decision", "rejected".into(), &stamp),
        ),
        ("form", "create") => {
            let mut form = FormRegistry::embedded()
                .latest("ocop_producer_product_survey")
                .unwrap()
                .clone();
            form.version = 91 + i as u32;
            let doc = FormDoc {
                form_id: form.id.clone(),
                version: form.version,
                definition: form.to_json().unwrap(),
                published_by: who.user_id.clone(),
                published_at: now_millis(),
            };
            (
                form_doc_id(&form.id, form.version),
                raw_create("form", &doc, &stamp),
            )
        }
        ("form", "edit") => (
            s.form,
            raw_edit(
                seed,
                s.form,
                "published_at",
                ScalarValue::Int(now_millis()),
                &stamp,
            ),
        ),
        other => panic!("no such cell {other:?}"),
    }
}

/// Sends `change` from the tampered device; `Ok` when the hub took it, `Err(reason)` when it refused it.
fn push(device: &mut Device, doc: RecordId, change: Vec<u8>) -> Result<(), String> {
    let hash = automerge::Change::from_bytes(change.clone())
        .unwrap()
        .hash()
        .to_string();
    let report = device
        .store
        .apply_changes(vec![(doc, vec![change])])
        .unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    device.sync().unwrap();
    match device
        .store
        .rejections()
        .unwrap()
        .into_iter()
        .find(|r| r.1 == hash)
    {
        Some((_, _, reason)) => {
            // Kept on the device and shown as rejected, with the reason.
            assert!(
                device.store.export_document(doc).is_ok(),
                "the device keeps the record"
            );
            assert!(
                matches!(
                    device.store.sync_state(doc).unwrap(),
                    RecordSyncState::Rejected { .. }
                ),
                "shown as rejected"
            );
            Err(reason)
        }
        None => Ok(()),
    }
}

fn tampered(t: &TestHub, s: &Seeded, role: Role) -> Device {
    let scope = if role == Role::HubAdmin {
        Scope::all()
    } else {
        communes(&[TAN_CUONG])
    };
    let name = format!("t-{}", role.as_str());
    let d = t.device(&name, role, scope);
    d.store.merge_from(&s.seed).unwrap();
    d
}

#[test]
fn every_cell_of_the_matrix_is_enforced_at_the_hub_against_a_tampered_client() {
    let t = TestHub::start(Backend::Sqlite);
    let s = seed(&t);
    let mut failures = Vec::new();
    let mut checked = 0;
    for role in ROLES {
        let mut device = tampered(&t, &s, role);
        // The seed documents it relays are honest (their authors' own accounts): accepted, nothing refused.
        device.sync().unwrap();
        assert!(device.store.rejections().unwrap().is_empty(), "{role:?}");
        for kind in ["producer", "product", "visit", "review", "form"] {
            for action in ["create", "edit"] {
                for (i, in_scope) in [(0, true), (1, false)] {
                    let in_place = kind == "form" || in_scope || role == Role::HubAdmin;
                    let expected = allowed_in_scope(role, kind, action) && in_place;
                    let (doc, change) = forge(&s, &device.author, kind, action, i);
                    let got = push(&mut device, doc, change);
                    let cell = format!(
                        "{} {action} {kind} {}",
                        role.as_str(),
                        if in_scope { "in scope" } else { "out of scope" }
                    );
                    match (&got, expected) {
                        (Ok(()), true) => {}
                        (Err(reason), false) if !reason.is_empty() => {}
                        _ => failures
                            .push(format!("{cell}: expected allowed={expected}, got {got:?}")),
                    }
                    checked += 1;
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(checked, 4 * 5 * 2 * 2);
}

#[test]
fn forged_author_stamps_are_refused_and_honest_relays_are_accepted() {
    let t = TestHub::start(Backend::Sqlite);
    let s = seed(&t);
    let mut officer = tampered(&t, &s, Role::Officer);
    officer.sync().unwrap();
    let mut union = t.device("t-union", Role::UnionStaff, communes(&[TAN_CUONG]));
    union.sync().unwrap();

    // Claiming a supervisor's role with an officer's token.
    let as_supervisor = Author::new("t-officer", "Nguyễn Văn An", Role::Supervisor);
    let (doc, change) = forge(&s, &as_supervisor, "review", "create", 0);
    let reason = push(&mut officer, doc, change).unwrap_err();
    assert!(reason.contains("claims the role supervisor"), "{reason}");

    // A review relayed in a real supervisor's name is refused: only their own device sends it.
    let (doc, change) = forge(
        &s,
        &Author::new("seed-sup", "Đỗ Văn Hùng", Role::Supervisor),
        "review",
        "create",
        0,
    );
    let reason = push(&mut officer, doc, change).unwrap_err();
    assert!(
        reason.contains("only from its author's own device"),
        "{reason}"
    );

    // A person the hub does not know, a wrong role for a known person, and no stamp at all.
    let (doc, change) = forge(
        &s,
        &Author::new("ghost", "", Role::Officer),
        "producer",
        "edit",
        0,
    );
    assert!(
        push(&mut officer, doc, change)
            .unwrap_err()
            .contains("no account")
    );
    let (doc, change) = forge(
        &s,
        &Author::new("t-union", "", Role::Supervisor),
        "producer",
        "edit",
        0,
    );
    assert!(
        push(&mut officer, doc, change)
            .unwrap_err()
            .contains("claims the role supervisor")
    );
    let change = raw_edit(&s.seed, s.producer[0], "phone", "0911222333".into(), "");
    assert!(
        push(&mut officer, s.producer[0], change)
            .unwrap_err()
            .contains("no author stamp")
    );

    // An honest relay: the union staffer's edit reaches the hub through the officer's phone.
    union.store.merge_from(&s.seed).unwrap();
    union
        .store
        .update_producer(
            &union.author,
            s.producer[0],
            ProducerPatch {
                women_owned: Some(Some(true)),
                ..Default::default()
            },
        )
        .unwrap();
    let before = officer.store.rejections().unwrap().len();
    officer.store.merge_from(&union.store).unwrap();
    officer.sync().unwrap();
    assert_eq!(
        officer.store.rejections().unwrap().len(),
        before,
        "the relay is accepted"
    );
    let mut sup = t.device("sup-check", Role::Supervisor, communes(&[TAN_CUONG]));
    sup.sync().unwrap();
    assert_eq!(
        sup.store.producer(s.producer[0]).unwrap().women_owned,
        Some(true)
    );
}
