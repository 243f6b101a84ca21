//! The embedded SQLite backend: one database file and one photo folder in the hub's data folder.
//!
//! ```text
//! data/hub.db        the log, documents' metadata, peers, enrollments, devices
//! data/photos/…      verified photos by SHA-256 (core's PhotoStore), partial uploads under photos/partial/
//! ```
//!
//! Migrations follow the device store: numbered `.sql` files applied in order, each in one `IMMEDIATE`
//! transaction, the version in `PRAGMA user_version`, a database from a newer hub refused and left untouched.
//! WAL with `synchronous = FULL`: an acknowledged push is on disk. Two connections — one for writes, one for reads —
//! so a device reading the log does not wait behind another device's commit; both are serialised by their own
//! mutex. SQLite's single writer makes log positions visible in order, as [`super::HubStorage`] requires.

mod auth;
mod photos;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use ocop_core::photo::PhotoStore;
use ocop_core::sync::message::PhotoNeed;
use ocop_core::sync::{NodeId, Scope};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, TransactionBehavior, params};
use uuid::Uuid;

use super::{
    AppendBatch, DeviceRow, DocMeta, EnrollmentRow, HubStorage, LogPage, PhotoHeld, Place,
    Redeemed, StoredChange,
};
use crate::error::{HubError, Result};

const MIGRATIONS: &[&str] = &[include_str!("sql/001_initial.sql")];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// The hub's storage in a data folder.
pub struct SqliteStorage {
    path: PathBuf,
    writer: Mutex<Connection>,
    reader: Mutex<Connection>,
    photos: PhotoStore,
    node: NodeId,
}

impl std::fmt::Debug for SqliteStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStorage")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn open_conn(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(HubError::Storage(format!(
            "could not enable WAL (journal_mode is {mode})"
        )));
    }
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         PRAGMA busy_timeout = 10000;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -16000;",
    )?;
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> Result<u32> {
    let found: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(HubError::TooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as u32 + 1)?;
        tx.commit()?;
    }
    Ok(found)
}

fn lock(m: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // rusqlite rolls back an open transaction when it is dropped during a panic; the connection stays usable.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

pub(crate) fn now_millis() -> i64 {
    ocop_core::ids::now_millis()
}

fn scope_params(scope: &Scope) -> (bool, String, String) {
    let all = scope.provinces.iter().any(|p| p == "*");
    let provinces = serde_json::to_string(&scope.provinces).unwrap_or_else(|_| "[]".into());
    let communes = serde_json::to_string(&scope.communes).unwrap_or_else(|_| "[]".into());
    (all, provinces, communes)
}

fn node_from(bytes: Option<Vec<u8>>) -> Option<NodeId> {
    bytes.and_then(|b| <[u8; 16]>::try_from(b).ok()).map(NodeId)
}

fn uuid_from(bytes: Vec<u8>) -> rusqlite::Result<Uuid> {
    Uuid::from_slice(&bytes).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(16, rusqlite::types::Type::Blob, Box::new(e))
    })
}

/// Reads a `changes` row selected as `seq, doc, bytes, origin, before_province, before_commune, after_province,
/// after_commune`.
fn change_row(r: &Row<'_>) -> rusqlite::Result<StoredChange> {
    let before_p: Option<String> = r.get(4)?;
    let before_c: Option<String> = r.get(5)?;
    Ok(StoredChange {
        seq: r.get::<_, i64>(0)?.max(0) as u64,
        doc: uuid_from(r.get(1)?)?,
        bytes: r.get(2)?,
        origin: node_from(r.get(3)?),
        before: match (before_p, before_c) {
            (Some(p), Some(c)) => Some(Place::new(p, c)),
            _ => None,
        },
        after: Place::new(r.get::<_, String>(6)?, r.get::<_, String>(7)?),
    })
}

impl SqliteStorage {
    /// Opens (creating if needed) the storage in `data_dir`, migrating the database to the current schema.
    pub fn open(data_dir: impl AsRef<Path>) -> Result<Self> {
        let dir = data_dir.as_ref();
        std::fs::create_dir_all(dir)?;
        let path = dir.join("hub.db");
        let mut writer = open_conn(&path)?;
        let from = migrate(&mut writer)?;
        if from < SCHEMA_VERSION {
            tracing::info!(from, to = SCHEMA_VERSION, "hub database migrated");
        }
        let node = load_or_create_node(&writer)?;
        let reader = open_conn(&path)?;
        Ok(Self {
            path,
            writer: Mutex::new(writer),
            reader: Mutex::new(reader),
            photos: PhotoStore::new(dir.join("photos")),
            node,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The photo folder.
    pub fn photo_store(&self) -> &PhotoStore {
        &self.photos
    }

    pub(crate) fn write<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = lock(&self.reader);
        f(&conn)
    }
}

fn load_or_create_node(conn: &Connection) -> Result<NodeId> {
    let hex: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'node'", [], |r| {
            r.get(0)
        })
        .optional()?;
    if let Some(node) = hex.as_deref().and_then(NodeId::from_hex) {
        return Ok(node);
    }
    let node = NodeId::random();
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('node', ?1)
         ON CONFLICT(key) DO UPDATE SET value = ?1",
        [node.to_hex()],
    )?;
    Ok(node)
}

impl HubStorage for SqliteStorage {
    fn node_id(&self) -> Result<NodeId> {
        Ok(self.node)
    }

    fn append(&self, batch: &AppendBatch) -> Result<Vec<Option<u64>>> {
        let now = now_millis();
        self.write(|tx| {
            {
                let mut held = tx.prepare_cached("SELECT changes FROM documents WHERE doc = ?1")?;
                for (doc, expected) in &batch.expect {
                    let n: Option<i64> = held
                        .query_row([doc.as_bytes().as_slice()], |r| r.get(0))
                        .optional()?;
                    if n.unwrap_or(0).max(0) as u64 != *expected {
                        return Err(HubError::Conflict);
                    }
                }
            }
            let mut seqs = Vec::with_capacity(batch.changes.len());
            {
                let mut insert = tx.prepare_cached(
                    "INSERT INTO changes (doc, hash, bytes, origin, user_id, received_at, before_province,
                        before_commune, after_province, after_commune)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                     ON CONFLICT(hash) DO NOTHING",
                )?;
                for c in &batch.changes {
                    let n = insert.execute(params![
                        c.doc.as_bytes().as_slice(),
                        c.hash.as_slice(),
                        c.bytes,
                        c.origin.map(|o| o.0.to_vec()),
                        c.user_id,
                        now,
                        c.before.as_ref().map(|p| p.province.as_str()),
                        c.before.as_ref().map(|p| p.commune.as_str()),
                        c.after.province,
                        c.after.commune,
                    ])?;
                    seqs.push((n == 1).then(|| tx.last_insert_rowid().max(0) as u64));
                }
            }
            let mut upsert = tx.prepare_cached(
                "INSERT INTO documents (doc, kind, province, commune, last_seq, changes)
                 VALUES (?1, ?2, ?3, ?4,
                         (SELECT COALESCE(MAX(seq), 0) FROM changes WHERE doc = ?1),
                         (SELECT COUNT(*) FROM changes WHERE doc = ?1))
                 ON CONFLICT(doc) DO UPDATE SET kind = ?2, province = ?3, commune = ?4,
                    last_seq = excluded.last_seq, changes = excluded.changes",
            )?;
            for d in &batch.docs {
                let id = d.doc.as_bytes().as_slice();
                upsert.execute(params![id, d.kind, d.place.province, d.place.commune])?;
                if let Some(photos) = &d.photos {
                    tx.prepare_cached("DELETE FROM photo_refs WHERE doc = ?1")?
                        .execute([id])?;
                    let mut add = tx.prepare_cached(
                        "INSERT INTO photo_refs (doc, hash) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                    )?;
                    for h in photos {
                        add.execute(params![id, h])?;
                    }
                }
            }
            if let Some((peer, through)) = batch.peer {
                tx.prepare_cached(
                    "INSERT INTO peers (node, received, updated_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT(node) DO UPDATE SET received = MAX(received, ?2), updated_at = ?3",
                )?
                .execute(params![peer.0.as_slice(), through as i64, now])?;
            }
            Ok(seqs)
        })
    }

    fn document(&self, doc: Uuid) -> Result<Option<DocMeta>> {
        self.read(|c| {
            Ok(c.prepare_cached(
                "SELECT kind, province, commune, last_seq, changes FROM documents WHERE doc = ?1",
            )?
            .query_row([doc.as_bytes().as_slice()], |r| {
                Ok(DocMeta {
                    kind: r.get(0)?,
                    place: Place::new(r.get::<_, String>(1)?, r.get::<_, String>(2)?),
                    last_seq: r.get::<_, i64>(3)?.max(0) as u64,
                    changes: r.get::<_, i64>(4)?.max(0) as u64,
                })
            })
            .optional()?)
        })
    }

    fn document_changes(&self, doc: Uuid, after: u64) -> Result<Vec<StoredChange>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT seq, doc, bytes, origin, before_province, before_commune, after_province, after_commune
                 FROM changes WHERE doc = ?1 AND seq > ?2 ORDER BY seq",
            )?;
            let rows = stmt.query_map(params![doc.as_bytes().as_slice(), after as i64], change_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    fn log_page(
        &self,
        after: u64,
        scope: &Scope,
        exclude: Option<NodeId>,
        limit: usize,
    ) -> Result<LogPage> {
        let (all, provinces, communes) = scope_params(scope);
        let limit = limit.max(1);
        let mut conn = lock(&self.reader);
        // One read transaction: the head and the rows come from the same snapshot.
        let tx = conn.transaction()?;
        let head: i64 = tx.query_row("SELECT COALESCE(MAX(seq), 0) FROM changes", [], |r| {
            r.get(0)
        })?;
        let rows = {
            let mut stmt = tx.prepare_cached(
                "SELECT seq, doc, bytes, origin, before_province, before_commune, after_province, after_commune
                 FROM changes
                 WHERE seq > ?1 AND seq <= ?2 AND (?3 IS NULL OR origin IS NULL OR origin != ?3)
                   AND (?4
                        OR (after_province = '' AND after_commune = '')
                        OR after_province IN (SELECT value FROM json_each(?5))
                        OR after_commune IN (SELECT value FROM json_each(?6))
                        OR (before_province = '' AND before_commune = '')
                        OR before_province IN (SELECT value FROM json_each(?5))
                        OR before_commune IN (SELECT value FROM json_each(?6)))
                 ORDER BY seq LIMIT ?7",
            )?;
            let rows = stmt.query_map(
                params![
                    after as i64,
                    head,
                    exclude.map(|n| n.0.to_vec()),
                    all,
                    provinces,
                    communes,
                    limit as i64
                ],
                change_row,
            )?;
            rows.collect::<rusqlite::Result<Vec<_>>>()?
        };
        tx.finish()?;
        let full = rows.len() >= limit;
        let through = match rows.last() {
            Some(last) if full => last.seq,
            _ => (head.max(0) as u64).max(after),
        };
        Ok(LogPage {
            rows,
            through,
            full,
        })
    }

    fn received_from(&self, peer: NodeId) -> Result<u64> {
        self.read(|c| {
            let v: Option<i64> = c
                .prepare_cached("SELECT received FROM peers WHERE node = ?1")?
                .query_row([peer.0.as_slice()], |r| r.get(0))
                .optional()?;
            Ok(v.unwrap_or(0).max(0) as u64)
        })
    }

    fn add_enrollment(&self, row: &EnrollmentRow) -> Result<()> {
        auth::add_enrollment(self, row)
    }

    fn redeem_enrollment(&self, code_hash: &str, now: i64, device: &DeviceRow) -> Result<Redeemed> {
        auth::redeem(self, code_hash, now, device)
    }

    fn device_by_token(&self, token_hash: &str) -> Result<Option<DeviceRow>> {
        auth::device_by_token(self, token_hash)
    }

    fn devices(&self) -> Result<Vec<DeviceRow>> {
        auth::devices(self)
    }

    fn revoke_device(&self, device_id: &str, now: i64) -> Result<bool> {
        auth::revoke_device(self, device_id, now)
    }

    fn revoke_user(&self, user_id: &str, now: i64) -> Result<usize> {
        auth::revoke_user(self, user_id, now)
    }

    fn touch_device(&self, device_id: &str, now: i64) -> Result<()> {
        auth::touch(self, device_id, now)
    }

    fn photos_wanted(&self, scope: &Scope, max: usize) -> Result<Vec<PhotoNeed>> {
        photos::wanted(self, scope, max)
    }

    fn photo_places(&self, hash: &str) -> Result<Vec<Place>> {
        photos::places(self, hash)
    }

    fn photo_held(&self, hash: &str) -> Result<PhotoHeld> {
        photos::held(self, hash)
    }

    fn photo_append(&self, hash: &str, offset: u64, data: &[u8]) -> Result<u64> {
        Ok(self.photos.receive_chunk(hash, offset, data)?)
    }

    fn photo_finish(&self, hash: &str, total: u64) -> Result<()> {
        photos::finish(self, hash, total)
    }

    fn photo_read(&self, hash: &str, offset: u64, max: usize) -> Result<(u64, Vec<u8>)> {
        let total = self.photos.len(hash)?;
        Ok((total, self.photos.read_chunk(hash, offset, max)?))
    }
}

#[cfg(test)]
mod tests;
