//! Photo blobs in PostgreSQL: complete photos in `photos`, uploads in progress as chunks in `photo_chunks` with
//! their length in `photo_uploads`. Any hub process may receive the next chunk of an upload another one started:
//! a chunk is appended under a row lock on the upload, from exactly the offset held, as the file-based store does.
//! Finishing joins the chunks, checks length, SHA-256 and the JPEG signature, and moves the bytes into `photos`; a
//! damaged upload is discarded so that the next attempt starts over.

use ocop_core::photo::{MAX_RECEIVE_BYTES, PhotoError, is_valid_hash};
use ocop_core::sync::Scope;
use ocop_core::sync::message::PhotoNeed;
use sha2::{Digest, Sha256};

use super::{PgStorage, now_millis, scope_params, to_i64, to_u64};
use crate::error::Result;
use crate::storage::{PhotoHeld, Place};

fn check(hash: &str) -> Result<()> {
    if is_valid_hash(hash) {
        Ok(())
    } else {
        Err(PhotoError::InvalidHash.into())
    }
}

pub(super) fn wanted(s: &PgStorage, scope: &Scope, max: usize) -> Result<Vec<PhotoNeed>> {
    let (all, provinces, communes) = scope_params(scope);
    let rows = s.conn()?.query(
        "SELECT r.hash, COALESCE(MAX(u.held), 0) FROM photo_refs r
             JOIN documents d ON d.doc = r.doc
             LEFT JOIN photo_uploads u ON u.hash = r.hash
         WHERE NOT EXISTS (SELECT 1 FROM photos p WHERE p.hash = r.hash)
           AND ($1 OR d.province = ANY($2) OR d.commune = ANY($3))
         GROUP BY r.hash ORDER BY r.hash LIMIT $4",
        &[
            &all,
            &provinces,
            &communes,
            &i64::try_from(max).unwrap_or(i64::MAX),
        ],
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let hash: String = r.try_get(0)?;
        if is_valid_hash(&hash) {
            out.push(PhotoNeed {
                hash,
                offset: to_u64(r.try_get(1)?),
            });
        }
    }
    Ok(out)
}

pub(super) fn places(s: &PgStorage, hash: &str) -> Result<Vec<Place>> {
    s.conn()?
        .query(
            "SELECT DISTINCT d.province, d.commune FROM photo_refs r JOIN documents d ON d.doc = r.doc
             WHERE r.hash = $1",
            &[&hash],
        )?
        .iter()
        .map(|r| Ok(Place::new(r.try_get::<_, String>(0)?, r.try_get::<_, String>(1)?)))
        .collect()
}

pub(super) fn held(s: &PgStorage, hash: &str) -> Result<PhotoHeld> {
    check(hash)?;
    let mut conn = s.conn()?;
    if let Some(r) = conn.query_opt("SELECT length FROM photos WHERE hash = $1", &[&hash])? {
        return Ok(PhotoHeld::Complete(to_u64(r.try_get(0)?)));
    }
    let held = conn
        .query_opt("SELECT held FROM photo_uploads WHERE hash = $1", &[&hash])?
        .map(|r| r.try_get::<_, i64>(0))
        .transpose()?
        .unwrap_or(0);
    Ok(PhotoHeld::Partial(to_u64(held)))
}

pub(super) fn append(s: &PgStorage, hash: &str, offset: u64, data: &[u8]) -> Result<u64> {
    check(hash)?;
    let now = now_millis();
    let mut conn = s.conn()?;
    let mut tx = conn.transaction()?;
    if let Some(r) = tx.query_opt("SELECT length FROM photos WHERE hash = $1", &[&hash])? {
        let len = to_u64(r.try_get(0)?);
        return match (offset == len, data.is_empty()) {
            (true, true) => Ok(len),
            (true, false) => Err(PhotoError::AlreadyComplete.into()),
            (false, _) => Err(PhotoError::OffsetMismatch {
                expected: len,
                got: offset,
            }
            .into()),
        };
    }
    tx.execute(
        "INSERT INTO photo_uploads (hash, held, updated_at) VALUES ($1, 0, $2) ON CONFLICT (hash) DO NOTHING",
        &[&hash, &now],
    )?;
    let held = to_u64(
        tx.query_one(
            "SELECT held FROM photo_uploads WHERE hash = $1 FOR UPDATE",
            &[&hash],
        )?
        .try_get(0)?,
    );
    if offset != held {
        return Err(PhotoError::OffsetMismatch {
            expected: held,
            got: offset,
        }
        .into());
    }
    let new_len = held.saturating_add(u64::try_from(data.len()).unwrap_or(u64::MAX));
    if new_len > MAX_RECEIVE_BYTES {
        return Err(PhotoError::TooLarge {
            bytes: new_len,
            max: MAX_RECEIVE_BYTES,
        }
        .into());
    }
    if !data.is_empty() {
        tx.execute(
            "INSERT INTO photo_chunks (hash, at_offset, data) VALUES ($1, $2, $3)",
            &[&hash, &to_i64(offset), &data],
        )?;
        tx.execute(
            "UPDATE photo_uploads SET held = $2, updated_at = $3 WHERE hash = $1",
            &[&hash, &to_i64(new_len), &now],
        )?;
    }
    tx.commit()?;
    Ok(new_len)
}

pub(super) fn finish(s: &PgStorage, hash: &str, total: u64) -> Result<()> {
    check(hash)?;
    let mut conn = s.conn()?;
    let mut tx = conn.transaction()?;
    let discard =
        "DELETE FROM photo_chunks WHERE hash = $1; DELETE FROM photo_uploads WHERE hash = $1";
    if let Some(r) = tx.query_opt("SELECT length FROM photos WHERE hash = $1", &[&hash])? {
        let len = to_u64(r.try_get(0)?);
        // A leftover upload from a second sender is of no use any more.
        tx.execute("DELETE FROM photo_chunks WHERE hash = $1", &[&hash])?;
        tx.execute("DELETE FROM photo_uploads WHERE hash = $1", &[&hash])?;
        tx.commit()?;
        return if len == total {
            Ok(())
        } else {
            Err(PhotoError::LengthMismatch {
                expected: total,
                actual: len,
            }
            .into())
        };
    }
    let held = tx
        .query_opt(
            "SELECT held FROM photo_uploads WHERE hash = $1 FOR UPDATE",
            &[&hash],
        )?
        .map(|r| r.try_get::<_, i64>(0))
        .transpose()?
        .map_or(0, to_u64);
    if held < total || held == 0 {
        return Err(PhotoError::LengthMismatch {
            expected: total,
            actual: held,
        }
        .into());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(held).unwrap_or(0));
    for r in tx.query(
        "SELECT data FROM photo_chunks WHERE hash = $1 ORDER BY at_offset",
        &[&hash],
    )? {
        bytes.extend_from_slice(r.try_get::<_, &[u8]>(0)?);
    }
    let refused = if held > total || u64::try_from(bytes.len()).unwrap_or(u64::MAX) != held {
        Some(PhotoError::LengthMismatch {
            expected: total,
            actual: held,
        })
    } else {
        let actual = hex::encode(Sha256::digest(&bytes));
        if actual != hash {
            Some(PhotoError::HashMismatch {
                expected: hash.to_owned(),
                actual,
            })
        } else if !bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(PhotoError::UnsupportedFormat(
                "received photo is not a JPEG".into(),
            ))
        } else {
            None
        }
    };
    if let Some(err) = refused {
        for sql in discard.split("; ") {
            tx.execute(sql, &[&hash])?;
        }
        tx.commit()?;
        return Err(err.into());
    }
    tx.execute(
        "INSERT INTO photos (hash, length, data, stored_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (hash) DO NOTHING",
        &[&hash, &to_i64(total), &bytes, &now_millis()],
    )?;
    for sql in discard.split("; ") {
        tx.execute(sql, &[&hash])?;
    }
    tx.commit()?;
    Ok(())
}

pub(super) fn read(s: &PgStorage, hash: &str, offset: u64, max: usize) -> Result<(u64, Vec<u8>)> {
    check(hash)?;
    let row = s.conn()?.query_opt(
        "SELECT length, substring(data FROM LEAST($2, length + 1)::int FOR $3::int) FROM photos
         WHERE hash = $1",
        &[
            &hash,
            &to_i64(offset).saturating_add(1),
            &i32::try_from(max).unwrap_or(i32::MAX),
        ],
    )?;
    match row {
        Some(r) => Ok((to_u64(r.try_get(0)?), r.try_get(1)?)),
        None => Err(PhotoError::NotFound {
            hash: hash.to_owned(),
        }
        .into()),
    }
}
