//! Photo blobs: bytes in the data folder's photo store (core's content-addressed [`PhotoStore`]), completeness in
//! the database so that "what does the hub lack in this scope" is one query.
//!
//! [`PhotoStore`]: ocop_core::photo::PhotoStore

use ocop_core::photo::is_valid_hash;
use ocop_core::sync::Scope;
use ocop_core::sync::message::PhotoNeed;
use rusqlite::{OptionalExtension, params};

use super::{SqliteStorage, now_millis, scope_params};
use crate::error::Result;
use crate::storage::{PhotoHeld, Place};

pub(super) fn wanted(s: &SqliteStorage, scope: &Scope, max: usize) -> Result<Vec<PhotoNeed>> {
    let (all, provinces, communes) = scope_params(scope);
    let hashes: Vec<String> = s.read(|c| {
        let mut stmt = c.prepare_cached(
            "SELECT DISTINCT r.hash FROM photo_refs r JOIN documents d ON d.doc = r.doc
             WHERE NOT EXISTS (SELECT 1 FROM photos p WHERE p.hash = r.hash)
               AND (?1 OR d.province IN (SELECT value FROM json_each(?2))
                    OR d.commune IN (SELECT value FROM json_each(?3)))
             ORDER BY r.hash LIMIT ?4",
        )?;
        let rows = stmt.query_map(params![all, provinces, communes, max as i64], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    })?;
    let mut out = Vec::with_capacity(hashes.len());
    for hash in hashes {
        if !is_valid_hash(&hash) {
            continue;
        }
        let offset = s.photo_store().receive_offset(&hash)?;
        out.push(PhotoNeed { hash, offset });
    }
    Ok(out)
}

pub(super) fn places(s: &SqliteStorage, hash: &str) -> Result<Vec<Place>> {
    s.read(|c| {
        let mut stmt = c.prepare_cached(
            "SELECT DISTINCT d.province, d.commune FROM photo_refs r JOIN documents d ON d.doc = r.doc
             WHERE r.hash = ?1",
        )?;
        let rows = stmt.query_map([hash], |r| Ok(Place::new(r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    })
}

pub(super) fn held(s: &SqliteStorage, hash: &str) -> Result<PhotoHeld> {
    if s.photo_store().contains(hash) {
        let len = s.photo_store().len(hash)?;
        // A crash between storing the file and recording it leaves the row missing: record it now.
        record(s, hash, len)?;
        return Ok(PhotoHeld::Complete(len));
    }
    Ok(PhotoHeld::Partial(s.photo_store().receive_offset(hash)?))
}

fn record(s: &SqliteStorage, hash: &str, len: u64) -> Result<()> {
    let known: bool = s.read(|c| {
        Ok(c.prepare_cached("SELECT 1 FROM photos WHERE hash = ?1")?
            .query_row([hash], |_| Ok(()))
            .optional()?
            .is_some())
    })?;
    if !known {
        s.write(|tx| {
            tx.execute(
                "INSERT INTO photos (hash, bytes, stored_at) VALUES (?1, ?2, ?3) ON CONFLICT(hash) DO NOTHING",
                params![hash, len as i64, now_millis()],
            )?;
            Ok(())
        })?;
    }
    Ok(())
}

pub(super) fn finish(s: &SqliteStorage, hash: &str, total: u64) -> Result<()> {
    s.photo_store().finish_receive(hash, total)?;
    record(s, hash, total)
}
