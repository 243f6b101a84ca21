//! Store tests at the document level (typed capture is tested in `tests/`).

use super::*;
use crate::identity::Role;
use crate::places::UnitRef;
use crate::records::{Address, Gender, OwnerKind, Person, Producer, ProducerPatch, ProducerStatus};

fn officer() -> Author {
    Author::new("officer-1", "Nguyễn Văn An", Role::Officer)
}

fn union_staff() -> Author {
    Author::new("union-1", "Trần Thị Bình", Role::UnionStaff)
}

fn sample_producer(name: &str) -> Producer {
    Producer {
        id: RecordId::new(),
        owner_kind: OwnerKind::Cooperative,
        name: name.to_string(),
        registration_no: Some("4601234567".into()),
        representative: Person {
            name: "Lê Thị Hoa".into(),
            gender: Gender::Female,
            position: Some("Giám đốc".into()),
        },
        phone: Some("0912345678".into()),
        address: Address {
            province: UnitRef {
                scheme: "vn-2025".into(),
                code: "19".into(),
                name: "Thái Nguyên".into(),
            },
            commune: UnitRef {
                scheme: "vn-2025".into(),
                code: "05500".into(),
                name: "Phường Tân Cương".into(),
            },
            hamlet: "Xóm Hồng Thái".into(),
            street: String::new(),
        },
        location: None,
        members: Some(25),
        women_members: Some(14),
        women_owned: Some(true),
        women_led: Some(true),
        status: ProducerStatus::Active,
        created_by: "officer-1".into(),
        created_at: 1,
    }
}

fn create(store: &Store, p: &Producer) {
    store
        .write_doc(p.id, RecordKind::Producer, &officer(), true, |doc| {
            records::create(doc, RecordKind::Producer, p)
        })
        .unwrap();
}

fn patch(store: &Store, author: &Author, id: RecordId, patch: ProducerPatch) {
    store
        .write_doc(id, RecordKind::Producer, author, false, |doc| {
            patch.write(doc)
        })
        .unwrap();
}

fn open(dir: &tempfile::TempDir, name: &str) -> Store {
    Store::open(dir.path().join(name), StoreOptions::default()).unwrap()
}

#[test]
fn a_new_store_is_at_the_current_schema_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, "a.db");
    store
        .with_conn(|c| {
            assert_eq!(schema::version(c)?, schema::SCHEMA_VERSION);
            let mode: String = c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
            assert_eq!(mode, "wal");
            let sync: i64 = c.query_row("PRAGMA synchronous", [], |r| r.get(0))?;
            assert_eq!(sync, 2, "synchronous = FULL");
            Ok(())
        })
        .unwrap();
    store.integrity_check().unwrap();
}

#[test]
fn a_saved_producer_is_listed_searchable_and_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let p = sample_producer("Hợp tác xã Chè Đồng Tâm");
    {
        let store = open(&dir, "a.db");
        create(&store, &p);
    }
    let store = open(&dir, "a.db");
    assert_eq!(store.producer(p.id).unwrap(), p);
    let list = store.list_producers(&ProducerFilter::default()).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].name, "Hợp tác xã Chè Đồng Tâm");
    assert_eq!(list[0].commune_code, "05500");
    for q in [
        "dong tam",
        "ĐỒNG TÂM",
        "hop tac",
        "che dong",
        "tan cuong",
        "hong thai",
    ] {
        let hits = store.search(q, 10).unwrap();
        assert_eq!(hits.len(), 1, "{q}");
        assert_eq!(hits[0].id, p.id);
    }
    assert!(store.search("ha noi", 10).unwrap().is_empty());
    assert!(store.search("\"*)(", 10).unwrap().is_empty());
}

#[test]
fn edits_write_only_the_patched_fields() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, "a.db");
    let p = sample_producer("HTX Tân Cương");
    create(&store, &p);
    patch(
        &store,
        &officer(),
        p.id,
        ProducerPatch {
            members: Some(Some(30)),
            ..Default::default()
        },
    );
    let got = store.producer(p.id).unwrap();
    assert_eq!(got.members, Some(30));
    assert_eq!(got.name, p.name);
    // The edit is one small change, not a rewrite of the document.
    let log = store.log_since(0, 100).unwrap();
    assert_eq!(log.len(), 2);
    assert!(
        log[1].bytes.len() < 200,
        "one field edit costs {} bytes",
        log[1].bytes.len()
    );
}

#[test]
fn concurrent_edits_of_different_fields_merge_without_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let a = open(&dir, "a.db");
    let b = open(&dir, "b.db");
    let p = sample_producer("HTX Chè Tân Cương");
    create(&a, &p);
    b.merge_from(&a).unwrap();
    patch(
        &a,
        &officer(),
        p.id,
        ProducerPatch {
            members: Some(Some(40)),
            ..Default::default()
        },
    );
    patch(
        &b,
        &union_staff(),
        p.id,
        ProducerPatch {
            women_members: Some(Some(22)),
            ..Default::default()
        },
    );
    a.merge_from(&b).unwrap();
    b.merge_from(&a).unwrap();
    for s in [&a, &b] {
        let got = s.producer(p.id).unwrap();
        assert_eq!((got.members, got.women_members), (Some(40), Some(22)));
        assert!(s.conflicts(None).unwrap().is_empty());
    }
    assert_eq!(a.heads(p.id).unwrap(), b.heads(p.id).unwrap());
}

#[test]
fn concurrent_edits_of_one_field_are_a_conflict_shown_and_resolved() {
    let dir = tempfile::tempdir().unwrap();
    let a = open(&dir, "a.db");
    let b = open(&dir, "b.db");
    let p = sample_producer("HTX Chè Tân Cương");
    create(&a, &p);
    b.merge_from(&a).unwrap();
    patch(
        &a,
        &officer(),
        p.id,
        ProducerPatch {
            phone: Some(Some("0987654321".into())),
            ..Default::default()
        },
    );
    patch(
        &b,
        &union_staff(),
        p.id,
        ProducerPatch {
            phone: Some(Some("0911222333".into())),
            ..Default::default()
        },
    );
    let report = a.merge_from(&b).unwrap();
    assert_eq!(report.conflicted_documents, vec![p.id]);
    b.merge_from(&a).unwrap();

    let conflicts = a.conflicts(Some(p.id)).unwrap();
    assert_eq!(conflicts.len(), 1);
    let c = &conflicts[0];
    assert_eq!(c.path, "phone");
    let mut who: Vec<(String, serde_json::Value)> = c
        .values
        .iter()
        .map(|v| (v.author.as_ref().unwrap().user_id.clone(), v.value.clone()))
        .collect();
    who.sort_by(|x, y| x.0.cmp(&y.0));
    assert_eq!(
        who,
        vec![
            ("officer-1".into(), "0987654321".into()),
            ("union-1".into(), "0911222333".into())
        ]
    );
    assert!(c.values.iter().all(|v| v.at.is_some()));
    assert_eq!(
        b.conflicts(None).unwrap().len(),
        1,
        "both replicas show the conflict"
    );

    // A supervisor on replica b keeps the union staffer's number.
    let supervisor = Author::new("sup-1", "Phạm Minh", Role::Supervisor);
    let keep = c
        .values
        .iter()
        .find(|v| v.value == "0911222333")
        .unwrap()
        .op
        .clone();
    b.write_doc(p.id, RecordKind::Producer, &supervisor, false, |doc| {
        crate::doc::resolve(doc, "phone", &crate::doc::Resolution::Keep(keep))
    })
    .unwrap();
    assert!(b.conflicts(None).unwrap().is_empty());
    a.merge_from(&b).unwrap();
    assert!(
        a.conflicts(None).unwrap().is_empty(),
        "the resolution syncs"
    );
    assert_eq!(
        a.producer(p.id).unwrap().phone.as_deref(),
        Some("0911222333")
    );
}

#[test]
fn repeated_and_duplicate_changes_are_harmless() {
    let dir = tempfile::tempdir().unwrap();
    let a = open(&dir, "a.db");
    let b = open(&dir, "b.db");
    let p = sample_producer("HTX A");
    create(&a, &p);
    let first = b.merge_from(&a).unwrap();
    assert_eq!(first.applied, 1);
    let again = b.merge_from(&a).unwrap();
    assert_eq!((again.applied, again.duplicates), (0, 1));
    assert_eq!(b.log_since(0, 100).unwrap().len(), 1);
}

#[test]
fn a_change_before_its_dependencies_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let a = open(&dir, "a.db");
    let b = open(&dir, "b.db");
    let p = sample_producer("HTX A");
    create(&a, &p);
    patch(
        &a,
        &officer(),
        p.id,
        ProducerPatch {
            members: Some(Some(3)),
            ..Default::default()
        },
    );
    let log = a.log_since(0, 10).unwrap();
    let report = b
        .apply_changes(vec![(p.id, vec![log[1].bytes.clone()])])
        .unwrap();
    assert_eq!(report.failed.len(), 1, "{report:?}");
    assert!(report.failed[0].1.contains("depends on"));
    assert!(b.log_since(0, 10).unwrap().is_empty());
    assert!(matches!(b.producer(p.id), Err(Error::NotFound { .. })));
    // Sent in order, it applies.
    b.apply_changes(vec![(
        p.id,
        vec![log[0].bytes.clone(), log[1].bytes.clone()],
    )])
    .unwrap();
    assert_eq!(b.producer(p.id).unwrap().members, Some(3));
}

#[test]
fn garbage_change_bytes_are_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let a = open(&dir, "a.db");
    let good = sample_producer("HTX tốt");
    let b = open(&dir, "b.db");
    create(&b, &good);
    let good_bytes = b.log_since(0, 1).unwrap().remove(0).bytes;
    let report = a
        .apply_changes(vec![
            (RecordId::new(), vec![vec![0x85, 0x6f, 0x4a, 0x83, 1, 2, 3]]),
            (good.id, vec![good_bytes]),
        ])
        .unwrap();
    assert_eq!(report.failed.len(), 1);
    assert!(report.failed[0].1.contains("not an automerge change"));
    assert_eq!(
        a.producer(good.id).unwrap().name,
        "HTX tốt",
        "the sound document of the batch is applied"
    );
    a.integrity_check().unwrap();
}

#[test]
fn projections_rebuild_to_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, "a.db");
    for i in 0..20 {
        let p = sample_producer(&format!("Hợp tác xã số {i}"));
        create(&store, &p);
        patch(
            &store,
            &officer(),
            p.id,
            ProducerPatch {
                members: Some(Some(i)),
                ..Default::default()
            },
        );
    }
    let filter = ProducerFilter {
        limit: 1000,
        ..Default::default()
    };
    let before = store.list_producers(&filter).unwrap();
    store
        .with_conn(|c| Ok(c.execute_batch("DELETE FROM producers; DELETE FROM search;")?))
        .unwrap();
    assert!(store.list_producers(&filter).unwrap().is_empty());
    assert_eq!(store.rebuild_projections().unwrap(), 20);
    let after = store.list_producers(&filter).unwrap();
    let strip = |v: Vec<ProducerSummary>| {
        v.into_iter()
            .map(|mut s| {
                s.updated_at = 0;
                s
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(before), strip(after));
    assert_eq!(store.search("so 7", 10).unwrap().len(), 1);
}

#[test]
fn compaction_keeps_documents_whole() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(
        dir.path().join("a.db"),
        StoreOptions {
            compact_after: 5,
            cached_documents: 0,
            ..Default::default()
        },
    )
    .unwrap();
    let p = sample_producer("HTX nén");
    create(&store, &p);
    for i in 0..23 {
        patch(
            &store,
            &officer(),
            p.id,
            ProducerPatch {
                members: Some(Some(i)),
                ..Default::default()
            },
        );
    }
    let (snapshot_seq, pending): (i64, i64) = store
        .with_conn(|c| {
            Ok(
                c.query_row("SELECT snapshot_seq, pending FROM documents", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?,
            )
        })
        .unwrap();
    assert!(
        snapshot_seq > 0 && pending < 5,
        "snapshot at {snapshot_seq}, {pending} pending"
    );
    assert_eq!(store.producer(p.id).unwrap().members, Some(22));
    store.compact().unwrap();
    assert_eq!(store.producer(p.id).unwrap().members, Some(22));
}

#[test]
fn a_database_from_a_newer_app_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    {
        let store = Store::open(&path, StoreOptions::default()).unwrap();
        store
            .with_conn(|c| Ok(c.pragma_update(None, "user_version", 99)?))
            .unwrap();
    }
    let err = Store::open(&path, StoreOptions::default()).err().unwrap();
    assert!(matches!(err, Error::StoreTooNew { found: 99, .. }), "{err}");
    let c = rusqlite::Connection::open(&path).unwrap();
    assert_eq!(schema::version(&c).unwrap(), 99);
}

#[test]
fn a_damaged_file_is_reported_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    let junk = b"this is not a database, it is a photo of a tea field".repeat(100);
    std::fs::write(&path, &junk).unwrap();
    let err = Store::open(&path, StoreOptions::default()).err().unwrap();
    assert!(matches!(err, Error::Corrupt(_)), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), junk, "the file is untouched");
}

#[test]
fn a_document_from_a_newer_app_is_kept_and_flagged_not_lost() {
    let dir = tempfile::tempdir().unwrap();
    let a = open(&dir, "a.db");
    let b = open(&dir, "b.db");
    // A producer document whose `name` is a number: it cannot be read as a Producer.
    let id = RecordId::new();
    let mut doc = AutoCommit::new();
    {
        use automerge::transaction::Transactable;
        doc.put(automerge::ROOT, "@kind", "producer").unwrap();
        doc.put(automerge::ROOT, "name", 42).unwrap();
    }
    doc.commit();
    let bytes = doc.get_last_local_change().unwrap().raw_bytes().to_vec();
    a.apply_changes(vec![(id, vec![bytes])]).unwrap();
    assert_eq!(a.problem_documents().unwrap().len(), 1);
    assert!(
        a.list_producers(&ProducerFilter::default())
            .unwrap()
            .is_empty()
    );
    // It still travels on.
    b.merge_from(&a).unwrap();
    assert_eq!(b.problem_documents().unwrap()[0].0, id);
}

/// Every projection row, as text, with the columns that record *when* a row was written blanked.
fn projection_rows(store: &Store) -> Vec<(String, Vec<String>)> {
    let tables = [
        "producers",
        "products",
        "visits",
        "visit_photos",
        "search",
        "conflicts",
        "review_state",
    ];
    let mut out = Vec::new();
    store
        .with_conn(|c| {
            for table in tables {
                let sql = if table == "search" {
                    "SELECT rowid, kind, body FROM search ORDER BY rowid".to_string()
                } else {
                    format!("SELECT * FROM {table} ORDER BY 1, 2")
                };
                let mut stmt = c.prepare(&sql)?;
                let names: Vec<String> = stmt.column_names().map(|s| s.to_string()).collect();
                let mut rows = stmt.query([])?;
                while let Some(row) = rows.next()? {
                    let mut cells = Vec::new();
                    for (i, name) in names.iter().enumerate() {
                        let v: rusqlite::types::Value = row.get(i)?;
                        cells.push(if name == "updated_at" || name == "detected_at" {
                            format!("{name}=*")
                        } else {
                            format!("{name}={v:?}")
                        });
                    }
                    out.push((table.to_string(), cells));
                }
            }
            Ok(())
        })
        .unwrap();
    out
}

#[test]
fn created_records_project_as_rebuilt() {
    // Creation projects from the record in hand rather than reading the new document back; the rows must be
    // exactly those that projecting the document gives.
    use crate::photo::testing::generate_jpeg;
    use crate::records::PhotoKind;
    use crate::sample::{Sampler, communes_of};
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, "a.db");
    let commune = communes_of("19")[2];
    let mut s = Sampler::new(11);
    let author = officer();
    let form = crate::forms::FormRegistry::embedded()
        .get("ocop_producer_product_survey", 1)
        .unwrap()
        .clone();
    let mut photos = Vec::new();
    for i in 0..2 {
        let path = dir.path().join(format!("p{i}.jpg"));
        generate_jpeg(&path, 320, 240, i, None).unwrap();
        photos.push(store.import_photo(&path).unwrap());
    }
    for round in 0..3 {
        let mut new = s.producer(commune);
        new.location = Some(s.fix_near(commune, now_millis() - 1000));
        let producer = store.create_producer(&author, new).unwrap();
        store
            .create_product(&author, s.product(producer.id, commune))
            .unwrap();
        store
            .capture_visit(
                &author,
                VisitCapture {
                    visit: NewVisit {
                        producer: Some(producer.id),
                        product: None,
                        form_id: form.id.clone(),
                        form_version: Some(form.version),
                        commune_code: None,
                    },
                    answers: s.answers(&form, commune, 12),
                    fixes: vec![s.fix_near(commune, now_millis() - 500)],
                    photos: photos
                        .iter()
                        .map(|p| (p.clone(), PhotoKind::Product, format!("Ảnh sản phẩm {round}")))
                        .collect(),
                    notes: format!("Ghi chú lần {round}: đã thăm cơ sở"),
                    submit: false,
                },
            )
            .unwrap();
    }
    let created = projection_rows(&store);
    assert!(created.iter().any(|(t, _)| t == "visit_photos"));
    assert!(created.iter().any(|(t, _)| t == "products"));
    store.rebuild_projections().unwrap();
    assert_eq!(created, projection_rows(&store));
}
