//! Tests of the SQLite storage's own file handling: migrations and a database from a newer hub.

use super::*;

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

// Appending, cursors, metadata and the place-filtered log are checked on both backends by the storage
// contract tests (`hub/tests/storage.rs`).
