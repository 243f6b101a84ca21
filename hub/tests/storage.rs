//! The storage contract (`HubStorage`), checked the same way on SQLite and on PostgreSQL: changes appended once by
//! hash, the log filtered by place, cursors that never go back, a node id that belongs to the database, appends
//! refused when computed from a stale document, and — with several storages on one database, as several hub
//! processes have — a log that a reader paging by position never skips, codes redeemed once, and photo uploads
//! that any of them may continue.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::{Backend, PgSchema};
use ocop_core::identity::Role;
use ocop_core::sync::{NodeId, Scope};
use ocop_hub::storage::{
    Account, AppendBatch, DeviceRow, DocUpdate, EnrollmentRow, NewChange, PhotoHeld, Place,
    Redeemed,
};
use ocop_hub::{HubError, HubStorage, PgOptions, PgStorage, SqliteStorage};
use sha2::Digest;
use uuid::Uuid;

/// Where a test's storages live; `open` gives another storage on the same data (another "process").
struct Site {
    dir: tempfile::TempDir,
    pg: Option<PgSchema>,
}

impl Site {
    fn new(backend: Backend) -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            pg: (backend == Backend::Postgres).then(PgSchema::create),
        }
    }

    fn open(&self) -> Arc<dyn HubStorage> {
        match &self.pg {
            None => Arc::new(SqliteStorage::open(self.dir.path()).unwrap()),
            Some(s) => Arc::new(PgStorage::open(&s.url, PgOptions::default()).unwrap()),
        }
    }
}

fn change(doc: u128, n: u32, before: Option<(&str, &str)>, after: (&str, &str)) -> NewChange {
    let mut hash = [0u8; 32];
    hash[..4].copy_from_slice(&n.to_be_bytes());
    hash[4..20].copy_from_slice(&doc.to_be_bytes());
    NewChange {
        doc: Uuid::from_u128(doc),
        hash,
        bytes: vec![n as u8; 10],
        origin: Some(NodeId([1; 16])),
        user_id: "u".into(),
        before: before.map(|(p, c)| Place::new(p, c)),
        after: Place::new(after.0, after.1),
    }
}

fn communes(c: &[&str]) -> Scope {
    Scope {
        provinces: vec![],
        communes: c.iter().map(|s| s.to_string()).collect(),
    }
}

fn seqs(s: &dyn HubStorage, scope: &Scope, after: u64) -> Vec<u64> {
    s.log_page(after, scope, None, 100)
        .unwrap()
        .rows
        .iter()
        .map(|r| r.seq)
        .collect()
}

fn the_node_id_belongs_to_the_database(backend: Backend) {
    let site = Site::new(backend);
    let a = site.open();
    let b = site.open();
    assert_eq!(a.node_id().unwrap(), b.node_id().unwrap());
    drop((a, b));
    let again = site.open();
    assert_ne!(again.node_id().unwrap(), NodeId([0; 16]));
}

fn changes_are_appended_once_by_hash_with_cursor_and_metadata_in_one_transaction(backend: Backend) {
    let site = Site::new(backend);
    let s = site.open();
    let peer = NodeId([1; 16]);
    let batch = AppendBatch {
        changes: vec![
            change(1, 1, None, ("19", "A")),
            change(1, 2, Some(("19", "A")), ("19", "B")),
        ],
        docs: vec![DocUpdate {
            doc: Uuid::from_u128(1),
            kind: "visit".into(),
            place: Place::new("19", "B"),
            photos: Some(vec!["ab".repeat(32)]),
        }],
        peer: Some((peer, 7)),
        expect: vec![(Uuid::from_u128(1), 0)],
    };
    assert_eq!(s.append(&batch).unwrap(), vec![Some(1), Some(2)]);
    // Repeated (computed from the document as it is now): nothing new, the cursor never goes back.
    let repeat = AppendBatch {
        peer: Some((peer, 3)),
        expect: vec![(Uuid::from_u128(1), 2)],
        ..batch.clone()
    };
    assert_eq!(s.append(&repeat).unwrap(), vec![None, None]);
    assert_eq!(s.received_from(peer).unwrap(), 7);
    assert_eq!(s.received_from(NodeId([9; 16])).unwrap(), 0);
    let meta = s.document(Uuid::from_u128(1)).unwrap().unwrap();
    assert_eq!((meta.last_seq, meta.changes), (2, 2));
    assert_eq!(meta.place, Place::new("19", "B"));
    assert_eq!(meta.kind, "visit");
    assert!(s.document(Uuid::from_u128(2)).unwrap().is_none());
    let after_first = s.document_changes(Uuid::from_u128(1), 1).unwrap();
    assert_eq!(after_first.len(), 1);
    assert_eq!(after_first[0].before, Some(Place::new("19", "A")));
    assert_eq!(after_first[0].origin, Some(peer));
    assert_eq!(
        s.photo_places(&"ab".repeat(32)).unwrap(),
        vec![Place::new("19", "B")]
    );
    let wanted = s.photos_wanted(&communes(&["B"]), 10).unwrap();
    assert_eq!(wanted.len(), 1);
    assert_eq!(wanted[0].offset, 0);
    assert!(s.photos_wanted(&communes(&["A"]), 10).unwrap().is_empty());
}

fn an_append_computed_from_a_stale_document_writes_nothing(backend: Backend) {
    let site = Site::new(backend);
    let (a, b) = (site.open(), site.open());
    let first = AppendBatch {
        changes: vec![change(1, 1, None, ("19", "A"))],
        docs: vec![DocUpdate {
            doc: Uuid::from_u128(1),
            kind: "producer".into(),
            place: Place::new("19", "A"),
            photos: None,
        }],
        peer: Some((NodeId([1; 16]), 1)),
        expect: vec![(Uuid::from_u128(1), 0)],
    };
    a.append(&first).unwrap();
    // Another hub computed its batch before it saw the first change: refused, nothing of it stored.
    let stale = AppendBatch {
        changes: vec![change(1, 2, None, ("19", "B"))],
        docs: vec![DocUpdate {
            doc: Uuid::from_u128(1),
            kind: "producer".into(),
            place: Place::new("19", "B"),
            photos: None,
        }],
        peer: Some((NodeId([2; 16]), 5)),
        expect: vec![(Uuid::from_u128(1), 0)],
    };
    assert!(matches!(b.append(&stale), Err(HubError::Conflict)));
    assert_eq!(b.document(Uuid::from_u128(1)).unwrap().unwrap().changes, 1);
    assert_eq!(b.received_from(NodeId([2; 16])).unwrap(), 0);
    assert_eq!(seqs(b.as_ref(), &Scope::all(), 0), [1]);
}

fn the_log_is_filtered_by_the_place_before_and_after_each_change(backend: Backend) {
    let site = Site::new(backend);
    let s = site.open();
    let batch = AppendBatch {
        changes: vec![
            change(1, 1, None, ("19", "A")),              // 1: created in A
            change(2, 2, None, ("19", "B")),              // 2: created in B
            change(1, 3, Some(("19", "A")), ("19", "B")), // 3: moved A → B
            change(1, 4, Some(("19", "B")), ("19", "B")), // 4: edited in B
            change(3, 5, None, ("", "")),                 // 5: placeless (a form)
            change(4, 6, None, ("01", "H")),              // 6: another province
        ],
        ..Default::default()
    };
    s.append(&batch).unwrap();
    let s = s.as_ref();
    assert_eq!(seqs(s, &communes(&["A"]), 0), [1, 3, 5]);
    assert_eq!(seqs(s, &communes(&["B"]), 0), [2, 3, 4, 5]);
    let province = Scope {
        provinces: vec!["19".into()],
        communes: vec![],
    };
    assert_eq!(seqs(s, &province, 0), [1, 2, 3, 4, 5]);
    assert_eq!(seqs(s, &Scope::all(), 2), [3, 4, 5, 6]);
    let excluded = s
        .log_page(0, &Scope::all(), Some(NodeId([1; 16])), 100)
        .unwrap();
    assert!(
        excluded.rows.is_empty(),
        "nothing goes back to where it came from"
    );
    assert_eq!(excluded.through, 6);
    let page = s.log_page(0, &communes(&["A"]), None, 2).unwrap();
    assert!(page.full);
    assert_eq!(page.through, 3);
    let rest = s
        .log_page(page.through, &communes(&["A"]), None, 2)
        .unwrap();
    assert!(!rest.full);
    assert_eq!(rest.through, 6, "filtered-out positions are covered too");
}

/// Several writers on one database (as several hub processes are) and a reader paging the log by position, as a
/// device does: the reader sees every row exactly once and in order — a row whose transaction commits late is never
/// jumped over.
fn a_reader_paging_the_log_never_skips_a_row_appended_by_concurrent_writers(backend: Backend) {
    const WRITERS: u32 = 4;
    const BATCHES: u32 = 40;
    let site = Site::new(backend);
    let writers: Vec<_> = (0..WRITERS).map(|_| site.open()).collect();
    let reader = site.open();
    let done = Arc::new(AtomicBool::new(false));
    let reading = {
        let done = done.clone();
        std::thread::spawn(move || {
            let mut cursor = 0u64;
            let mut seen = Vec::new();
            loop {
                let finished = done.load(Ordering::SeqCst);
                let page = reader.log_page(cursor, &Scope::all(), None, 7).unwrap();
                seen.extend(page.rows.iter().map(|r| r.seq));
                cursor = page.through;
                if finished && !page.full {
                    return seen;
                }
            }
        })
    };
    let handles: Vec<_> = writers
        .into_iter()
        .enumerate()
        .map(|(w, s)| {
            std::thread::spawn(move || {
                for b in 0..BATCHES {
                    let n = (w as u32) * 1000 + b * 3;
                    let doc = u128::from(n);
                    let batch = AppendBatch {
                        changes: (0..3)
                            .map(|i| change(doc, n + i, None, ("19", "A")))
                            .collect(),
                        ..Default::default()
                    };
                    s.append(&batch).unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    done.store(true, Ordering::SeqCst);
    let seen = reading.join().unwrap();
    let total = u64::from(WRITERS * BATCHES * 3);
    assert_eq!(
        seen,
        (1..=total).collect::<Vec<_>>(),
        "every position once, in order"
    );
}

fn account() -> Account {
    Account {
        user_id: "officer-1".into(),
        display_name: "Nguyễn Văn An".into(),
        role: Role::Officer,
        scope: communes(&["05503"]),
    }
}

fn device(id: &str) -> DeviceRow {
    DeviceRow {
        device_id: id.into(),
        device_name: format!("phone {id}"),
        account: Account {
            user_id: "ignored".into(),
            display_name: String::new(),
            role: Role::HubAdmin,
            scope: Scope::all(),
        },
        token_hash: format!("token-of-{id}"),
        created_at: 1,
        revoked_at: None,
        last_seen_at: None,
    }
}

fn a_code_is_redeemed_once_whichever_storage_gets_it_and_tokens_work_on_every_one(
    backend: Backend,
) {
    let site = Site::new(backend);
    let storages: Vec<_> = (0..3).map(|_| site.open()).collect();
    let now = 1_000_000;
    storages[0]
        .add_enrollment(&EnrollmentRow {
            code_hash: "code".into(),
            account: account(),
            created_at: now,
            expires_at: now + 1000,
        })
        .unwrap();
    let results: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = storages
            .iter()
            .enumerate()
            .map(|(i, s)| {
                scope.spawn(move || {
                    s.redeem_enrollment("code", now, &device(&format!("d{i}")))
                        .unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let enrolled: Vec<_> = results
        .iter()
        .filter_map(|r| match r {
            Redeemed::Enrolled(d) => Some(d.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(enrolled.len(), 1, "{results:?}");
    assert_eq!(results.iter().filter(|r| **r == Redeemed::Used).count(), 2);
    let d = &enrolled[0];
    assert_eq!(d.account, account(), "the code's account, not the device's");
    for s in &storages {
        assert_eq!(
            s.device_by_token(&d.token_hash).unwrap().unwrap().account,
            account()
        );
        assert_eq!(s.devices().unwrap().len(), 1);
    }
    assert_eq!(
        storages[1]
            .redeem_enrollment("nope", now, &device("x"))
            .unwrap(),
        Redeemed::Unknown
    );
    storages[2]
        .add_enrollment(&EnrollmentRow {
            code_hash: "old".into(),
            account: account(),
            created_at: 0,
            expires_at: now,
        })
        .unwrap();
    assert_eq!(
        storages[0]
            .redeem_enrollment("old", now, &device("y"))
            .unwrap(),
        Redeemed::Expired
    );
    storages[1]
        .touch_device(&d.device_id, now + 70_000)
        .unwrap();
    assert_eq!(
        storages[2]
            .device_by_token(&d.token_hash)
            .unwrap()
            .unwrap()
            .last_seen_at,
        Some(now + 70_000)
    );
    assert!(storages[2].revoke_device(&d.device_id, now + 5).unwrap());
    assert!(
        !storages[0].revoke_device(&d.device_id, now + 6).unwrap(),
        "once"
    );
    assert!(
        storages[1]
            .device_by_token(&d.token_hash)
            .unwrap()
            .unwrap()
            .revoked_at
            .is_some()
    );
    assert_eq!(storages[1].revoke_user("officer-1", now).unwrap(), 0);
}

fn jpeg_like(len: usize) -> (String, Vec<u8>) {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes.extend((0..len - 4).map(|i| (i * 31 % 251) as u8));
    (hex::encode(sha2::Sha256::digest(&bytes)), bytes)
}

fn a_photo_upload_started_on_one_storage_is_continued_and_finished_on_another(backend: Backend) {
    let site = Site::new(backend);
    let (a, b) = (site.open(), site.open());
    let (hash, bytes) = jpeg_like(100_000);
    assert_eq!(a.photo_held(&hash).unwrap(), PhotoHeld::Partial(0));
    assert_eq!(a.photo_append(&hash, 0, &bytes[..40_000]).unwrap(), 40_000);
    assert_eq!(b.photo_held(&hash).unwrap(), PhotoHeld::Partial(40_000));
    assert!(
        b.photo_append(&hash, 0, &bytes[..10]).is_err(),
        "not from the wrong offset"
    );
    assert_eq!(
        b.photo_append(&hash, 40_000, &bytes[40_000..]).unwrap(),
        100_000
    );
    b.photo_finish(&hash, 100_000).unwrap();
    assert_eq!(a.photo_held(&hash).unwrap(), PhotoHeld::Complete(100_000));
    let (total, chunk) = a.photo_read(&hash, 99_990, 64).unwrap();
    assert_eq!((total, chunk.as_slice()), (100_000, &bytes[99_990..]));
    let (_, start) = b.photo_read(&hash, 0, 5).unwrap();
    assert_eq!(start, &bytes[..5]);
    assert!(a.photo_append(&hash, 100_000, b"more").is_err(), "complete");

    // A damaged upload fails the hash check and is dropped: the next one starts from zero.
    let (hash2, mut bytes2) = jpeg_like(5_000);
    bytes2[4_000] ^= 1;
    a.photo_append(&hash2, 0, &bytes2).unwrap();
    assert!(b.photo_finish(&hash2, 5_000).is_err());
    assert_eq!(a.photo_held(&hash2).unwrap(), PhotoHeld::Partial(0));
    assert!(a.photo_read(&hash2, 0, 10).is_err());
}

fn a_database_from_a_newer_hub_is_refused(backend: Backend) {
    let site = Site::new(backend);
    drop(site.open());
    match &site.pg {
        None => {
            let conn = rusqlite::Connection::open(site.dir.path().join("hub.db")).unwrap();
            conn.pragma_update(None, "user_version", 99).unwrap();
        }
        Some(s) => {
            s.client()
                .batch_execute("INSERT INTO schema_migrations (version) VALUES (99)")
                .unwrap();
        }
    }
    let e = match &site.pg {
        None => SqliteStorage::open(site.dir.path()).map(|_| ()),
        Some(s) => PgStorage::open(&s.url, PgOptions::default()).map(|_| ()),
    };
    assert!(
        matches!(e, Err(HubError::TooNew { found: 99, .. })),
        "{e:?}"
    );
}

#[test]
fn without_a_schema_the_postgres_storage_says_so() {
    let url = common::url_in_schema(&common::postgres_url(), "no_such_schema_ocop");
    let e = PgStorage::open(&url, PgOptions::default()).unwrap_err();
    assert!(e.to_string().contains("storage error"), "{e}");
}

on_both_backends!(
    the_node_id_belongs_to_the_database,
    changes_are_appended_once_by_hash_with_cursor_and_metadata_in_one_transaction,
    an_append_computed_from_a_stale_document_writes_nothing,
    the_log_is_filtered_by_the_place_before_and_after_each_change,
    a_reader_paging_the_log_never_skips_a_row_appended_by_concurrent_writers,
    a_code_is_redeemed_once_whichever_storage_gets_it_and_tokens_work_on_every_one,
    a_photo_upload_started_on_one_storage_is_continued_and_finished_on_another,
    a_database_from_a_newer_hub_is_refused,
);

/// PostgreSQL restarted or the hub's connections cut (a failover, an idle timeout): a call on a dead connection
/// fails, the connection is dropped, and the storage carries on with new ones.
#[test]
fn the_postgres_storage_recovers_when_the_server_drops_its_connections() {
    let schema = PgSchema::create();
    let app = format!("hub_{}", &schema.name);
    let url = format!("{}&application_name={app}", schema.url);
    let s = PgStorage::open(
        &url,
        PgOptions {
            max_connections: 2,
            ..PgOptions::default()
        },
    )
    .unwrap();
    assert_eq!(s.received_from(NodeId([3; 16])).unwrap(), 0);
    let cut: i64 = schema
        .client()
        .query_one(
            "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1",
            &[&app],
        )
        .unwrap()
        .get(0);
    assert!(cut >= 1, "the hub's connections were cut");
    // Each dead connection costs a failed call or two (the server's termination notice may arrive on the
    // connection before or after the next query), then the storage carries on with fresh ones.
    let failed = (0..10)
        .map(|_| s.received_from(NodeId([3; 16])))
        .take_while(Result::is_err)
        .count();
    assert!(failed <= 4, "{failed} failed calls: at most two per pooled connection");
    assert_eq!(s.received_from(NodeId([3; 16])).unwrap(), 0);
    let batch = AppendBatch {
        changes: vec![change(1, 1, None, ("19", "A"))],
        ..Default::default()
    };
    assert_eq!(s.append(&batch).unwrap(), vec![Some(1)]);
}
