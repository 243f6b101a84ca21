//! Tests of the SQLite storage: migrations, the log's append-only rows and their scope filter, cursors.

use ocop_core::sync::{NodeId, Scope};
use uuid::Uuid;

use super::*;
use crate::storage::{AppendBatch, DocUpdate, NewChange};

fn change(doc: u128, n: u8, before: Option<(&str, &str)>, after: (&str, &str)) -> NewChange {
    NewChange {
        doc: Uuid::from_u128(doc),
        hash: [n; 32],
        bytes: vec![n; 10],
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

#[test]
fn a_new_database_is_migrated_and_keeps_its_node_id() {
    let dir = tempfile::tempdir().unwrap();
    let node = SqliteStorage::open(dir.path()).unwrap().node_id().unwrap();
    let again = SqliteStorage::open(dir.path()).unwrap();
    assert_eq!(again.node_id().unwrap(), node);
    let v: u32 = again
        .read(|c| Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(v, SCHEMA_VERSION);
}

#[test]
fn a_database_from_a_newer_hub_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    drop(SqliteStorage::open(dir.path()).unwrap());
    let conn = Connection::open(dir.path().join("hub.db")).unwrap();
    conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    drop(conn);
    match SqliteStorage::open(dir.path()) {
        Err(HubError::TooNew { found, .. }) => assert_eq!(found, SCHEMA_VERSION + 1),
        other => panic!("expected TooNew, got {other:?}"),
    }
}

#[test]
fn changes_are_appended_once_by_hash_with_cursor_and_metadata_in_one_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let s = SqliteStorage::open(dir.path()).unwrap();
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
    };
    assert_eq!(s.append(&batch).unwrap(), vec![Some(1), Some(2)]);
    // Repeated: nothing new, the cursor never goes back.
    let repeat = AppendBatch {
        peer: Some((peer, 3)),
        ..batch.clone()
    };
    assert_eq!(s.append(&repeat).unwrap(), vec![None, None]);
    assert_eq!(s.received_from(peer).unwrap(), 7);
    let meta = s.document(Uuid::from_u128(1)).unwrap().unwrap();
    assert_eq!((meta.last_seq, meta.changes), (2, 2));
    assert_eq!(meta.place, Place::new("19", "B"));
    assert_eq!(s.document_changes(Uuid::from_u128(1), 1).unwrap().len(), 1);
    assert_eq!(
        s.photo_places(&"ab".repeat(32)).unwrap(),
        vec![Place::new("19", "B")]
    );
    let wanted = s.photos_wanted(&communes(&["B"]), 10).unwrap();
    assert_eq!(wanted.len(), 1);
    assert!(s.photos_wanted(&communes(&["A"]), 10).unwrap().is_empty());
}

#[test]
fn the_log_is_filtered_by_the_place_before_and_after_each_change() {
    let dir = tempfile::tempdir().unwrap();
    let s = SqliteStorage::open(dir.path()).unwrap();
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
    let seqs = |scope: &Scope, after: u64| -> Vec<u64> {
        s.log_page(after, scope, None, 100)
            .unwrap()
            .rows
            .iter()
            .map(|r| r.seq)
            .collect()
    };
    assert_eq!(
        seqs(&communes(&["A"]), 0),
        [1, 3, 5],
        "A sees its record until it moved away"
    );
    assert_eq!(seqs(&communes(&["B"]), 0), [2, 3, 4, 5]);
    let province = Scope {
        provinces: vec!["19".into()],
        communes: vec![],
    };
    assert_eq!(seqs(&province, 0), [1, 2, 3, 4, 5]);
    assert_eq!(seqs(&Scope::all(), 2), [3, 4, 5, 6]);
    assert_eq!(
        s.log_page(0, &Scope::all(), Some(NodeId([1; 16])), 100)
            .unwrap()
            .rows
            .len(),
        0,
        "nothing goes back to where it came from"
    );
    let page = s.log_page(0, &communes(&["A"]), None, 2).unwrap();
    assert!(page.full);
    assert_eq!(page.through, 3);
    let rest = s
        .log_page(page.through, &communes(&["A"]), None, 2)
        .unwrap();
    assert!(!rest.full);
    assert_eq!(rest.through, 6, "filtered-out positions are covered too");
}
