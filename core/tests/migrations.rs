//! Every earlier schema upgrades to the current one without losing a record, a change or a conflict.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use ocop_core::ids::RecordId;
use ocop_core::records::RecordKind;
use ocop_core::store::{ProducerFilter, Store, StoreOptions, schema};
use ocop_core::sync::link::{Link, LinkProfile};
use ocop_core::sync::{self, Principal, RecordSyncState, Scope, SyncOptions};

fn fixture(version: u32, dir: &tempfile::TempDir) -> std::path::PathBuf {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("tests/fixtures/db/v{version}.sqlite"));
    let dst = dir.path().join(format!("v{version}.sqlite"));
    std::fs::copy(&src, &dst).unwrap();
    dst
}

fn raw_count(path: &std::path::Path, sql: &str) -> i64 {
    rusqlite::Connection::open(path)
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

#[test]
fn there_is_a_fixture_for_every_earlier_schema() {
    for v in 1..schema::SCHEMA_VERSION {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("tests/fixtures/db/v{v}.sqlite"));
        assert!(
            p.exists(),
            "missing fixture for schema {v}: {}",
            p.display()
        );
    }
}

#[test]
fn every_earlier_schema_upgrades_keeping_every_change() {
    for v in 1..schema::SCHEMA_VERSION {
        let dir = tempfile::tempdir().unwrap();
        let path = fixture(v, &dir);
        let changes = raw_count(&path, "SELECT COUNT(*) FROM changes");
        let docs = raw_count(&path, "SELECT COUNT(*) FROM documents");
        let store = Store::open(&path, StoreOptions::default()).unwrap();
        store.integrity_check().unwrap();
        assert_eq!(
            store.log_since(0, 100_000).unwrap().len() as i64,
            changes,
            "v{v}: every change kept"
        );
        assert_eq!(
            store.document_heads().unwrap().len() as i64,
            docs,
            "v{v}: every document kept"
        );
        assert!(
            store.problem_documents().unwrap().is_empty(),
            "v{v}: every document still reads as its record"
        );
        drop(store);
        assert_eq!(
            raw_count(&path, "PRAGMA user_version"),
            i64::from(schema::SCHEMA_VERSION)
        );
    }
}

#[test]
fn a_version_1_store_keeps_its_records_conflict_and_can_sync() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture(1, &dir);
    let store = Store::open(&path, StoreOptions::default()).unwrap();
    let producers = store.list_producers(&ProducerFilter::default()).unwrap();
    let names: Vec<&str> = producers.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        vec!["Hợp tác xã Chè Đồng Tâm", "Tổ hợp tác Gốm Bát Tràng"]
    );
    let dong_tam: RecordId = "01a2093d-35a5-72c5-a56a-dbed6200779f".parse().unwrap();
    let conflicts = store.conflicts(Some(dong_tam)).unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].path, "phone");
    assert_eq!(store.producer(dong_tam).unwrap().women_members, Some(15));
    let product = store
        .product("01a2093d-35b1-71cb-9db2-cbc2e8572739".parse().unwrap())
        .unwrap();
    assert_eq!(product.packaging.as_deref(), Some("Hộp giấy"));
    let visit = store
        .visit("01a2093d-35b5-72fc-ba45-05eeca35074e".parse().unwrap())
        .unwrap();
    assert_eq!(
        (visit.answers.len(), visit.fixes.len(), visit.notes.as_str()),
        (2, 1, "Ghi chú")
    );
    assert_eq!(store.count(RecordKind::Producer).unwrap(), 2);
    assert_eq!(
        store.search("dong tam", 5).unwrap().len(),
        1,
        "search index rebuilt"
    );
    // The sync state the upgrade added: everything written on that phone is waiting to sync…
    assert_eq!(
        store.sync_state(dong_tam).unwrap(),
        RecordSyncState::LocalOnly
    );
    // …and it syncs.
    let hub = common::open(&dir, "hub.db");
    let everyone = Principal {
        user_id: "x".into(),
        role: ocop_core::identity::Role::Supervisor,
        scope: Scope::all(),
    };
    let mut link = Link::new(&hub, everyone, LinkProfile::INSTANT);
    sync::sync(&store, "hub", &mut link, &SyncOptions::default(), &()).unwrap();
    assert_eq!(store.sync_state(dong_tam).unwrap(), RecordSyncState::Synced);
    common::assert_converged(&store, &hub);
}

#[test]
fn a_version_2_store_keeps_its_sync_state_and_its_unsynced_edit() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture(2, &dir);
    let store = Store::open(&path, StoreOptions::default()).unwrap();
    let tea: RecordId = "01a209e0-ef67-7435-895e-8981401b6be6".parse().unwrap();
    let pottery: RecordId = "01a209e0-ef71-7671-82cf-f95eed2bae28".parse().unwrap();
    let conflicts = store.conflicts(Some(tea)).unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].path, "phone");
    assert_eq!(store.producer(tea).unwrap().women_members, Some(15));
    assert_eq!(store.producer(pottery).unwrap().members, Some(12));
    let product = store
        .product("01a209e0-ef96-70bd-b590-3b3739f3744a".parse().unwrap())
        .unwrap();
    assert_eq!(product.packaging.as_deref(), Some("Hộp giấy"));
    let visit = store
        .visit("01a209e0-efa7-761b-828f-5449a79f824b".parse().unwrap())
        .unwrap();
    assert_eq!(
        (visit.answers.len(), visit.fixes.len(), visit.notes.as_str()),
        (2, 1, "Ghi chú")
    );
    // Synced once; the pottery group was edited after that sync.
    assert_eq!(store.sync_state(tea).unwrap(), RecordSyncState::Synced);
    assert_eq!(
        store.sync_state(pottery).unwrap(),
        RecordSyncState::LocalOnly
    );
    assert_eq!(store.search("bat trang", 5).unwrap().len(), 1);
}
