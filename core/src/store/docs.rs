//! Document persistence: compacted snapshots plus an append-only change log.
//!
//! A document is stored as the bytes of its last compaction (`documents.snapshot`, automerge's compressed
//! format) plus every change appended after it (`changes` rows with a greater `seq`). A write appends only the
//! new change — a few hundred bytes — so capture cost does not grow with the document. Every
//! `compact_after` changes the snapshot is rewritten to include them, so loading stays fast.
//!
//! The `changes` table keeps every change for good: it is also the log that sync reads, in the order this
//! store learnt them (`seq`), which is always a causal order. Changes are stored uncompressed (automerge's
//! `raw_bytes`): compressing each change's columns on its own cost a quarter of a capture's CPU time and saved
//! little, while sync deflates whole frames of changes at once, where the keys, actor ids and dependency hashes
//! that repeat from one change to the next compress far better (`cargo bench -p ocop-core --bench store`).

use std::collections::{HashMap, VecDeque};

use automerge::{AutoCommit, Change, ChangeHash};
use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{Error, Result};
use crate::ids::{Millis, RecordId};
use crate::records::RecordKind;

/// Heads as stored in `documents.heads`: hex hashes joined by commas, sorted.
pub(crate) fn heads_string(heads: &[ChangeHash]) -> String {
    let mut hs: Vec<String> = heads.iter().map(|h| h.to_string()).collect();
    hs.sort();
    hs.join(",")
}

/// A document loaded from the store, with the log position it reflects.
pub(crate) struct Loaded {
    pub doc: AutoCommit,
    pub kind: RecordKind,
    pub last_seq: i64,
}

/// Reads a document: its snapshot plus the changes after it.
pub(crate) fn load(conn: &Connection, id: RecordId) -> Result<Option<Loaded>> {
    let row: Option<(String, Option<Vec<u8>>, i64, i64)> = conn
        .query_row(
            "SELECT kind, snapshot, snapshot_seq, last_seq FROM documents WHERE id = ?1",
            [id.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((kind, snapshot, snapshot_seq, last_seq)) = row else {
        return Ok(None);
    };
    let kind = RecordKind::parse(&kind)?;
    let mut doc = match snapshot {
        Some(bytes) => AutoCommit::load(&bytes)
            .map_err(|e| Error::Corrupt(format!("document snapshot unreadable: {e}")))?,
        None => AutoCommit::new(),
    };
    let mut stmt = conn
        .prepare_cached("SELECT bytes FROM changes WHERE doc_id = ?1 AND seq > ?2 ORDER BY seq")?;
    let mut changes = Vec::new();
    let mut rows = stmt.query(params![id.to_string(), snapshot_seq])?;
    while let Some(row) = rows.next()? {
        let bytes: Vec<u8> = row.get(0)?;
        changes.push(
            Change::from_bytes(bytes)
                .map_err(|e| Error::Corrupt(format!("stored change unreadable: {e}")))?,
        );
    }
    if !changes.is_empty() {
        doc.apply_changes(changes)?;
    }
    Ok(Some(Loaded {
        doc,
        kind,
        last_seq,
    }))
}

/// The log position a document was last written at, if it exists.
pub(crate) fn last_seq(conn: &Connection, id: RecordId) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT last_seq FROM documents WHERE id = ?1",
            [id.to_string()],
            |r| r.get(0),
        )
        .optional()?)
}

/// Appends `changes` (already applied to `doc`) to the log and updates the document row, compacting when
/// enough changes have piled up. Changes already in the log (same hash) are skipped. `origin` is the node the
/// changes came from (`None`: written here). Returns the new `last_seq`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn append(
    conn: &Connection,
    id: RecordId,
    kind: RecordKind,
    doc: &mut AutoCommit,
    changes: &mut [Change],
    origin: Option<&str>,
    now: Millis,
    compact_after: i64,
) -> Result<i64> {
    let local = origin.is_none();
    let id_s = id.to_string();
    let mut insert = conn.prepare_cached(
        "INSERT INTO changes (doc_id, hash, bytes, local, received_at, origin) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(hash) DO NOTHING",
    )?;
    let mut appended = 0i64;
    let mut last = None;
    for change in changes.iter_mut() {
        let hash = change.hash();
        let n = insert.execute(params![
            id_s,
            hash.as_ref(),
            change.raw_bytes(),
            local,
            now,
            origin
        ])?;
        if n == 1 {
            appended += 1;
            last = Some(conn.last_insert_rowid());
        }
    }
    let heads = heads_string(&doc.get_heads());
    let existing: Option<(i64, i64)> = conn
        .query_row(
            "SELECT last_seq, pending FROM documents WHERE id = ?1",
            [&id_s],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let last_seq = match (existing, last) {
        (Some((prev, _)), None) => prev,
        (_, Some(seq)) => seq,
        (None, None) => 0,
    };
    match existing {
        None => {
            conn.execute(
                "INSERT INTO documents (id, kind, snapshot, snapshot_seq, last_seq, pending, heads, created_at, updated_at)
                 VALUES (?1, ?2, NULL, 0, ?3, ?4, ?5, ?6, ?6)",
                params![id_s, kind.as_str(), last_seq, appended, heads, now],
            )?;
        }
        Some((_, pending)) => {
            if pending + appended >= compact_after {
                let snapshot = doc.save();
                conn.execute(
                    "UPDATE documents SET snapshot = ?2, snapshot_seq = ?3, last_seq = ?3, pending = 0, heads = ?4, updated_at = ?5
                     WHERE id = ?1",
                    params![id_s, snapshot, last_seq, heads, now],
                )?;
            } else {
                conn.execute(
                    "UPDATE documents SET last_seq = ?2, pending = pending + ?3, heads = ?4, updated_at = ?5 WHERE id = ?1",
                    params![id_s, last_seq, appended, heads, now],
                )?;
            }
        }
    }
    if local && last.is_some() {
        conn.execute(
            "UPDATE documents SET last_local_seq = ?2 WHERE id = ?1",
            params![id_s, last_seq],
        )?;
    }
    Ok(last_seq)
}

/// Rewrites every document's snapshot from its full history (periodic maintenance, also after import).
pub(crate) fn compact(conn: &Connection, id: RecordId) -> Result<()> {
    if let Some(mut loaded) = load(conn, id)? {
        let snapshot = loaded.doc.save();
        conn.execute(
            "UPDATE documents SET snapshot = ?2, snapshot_seq = last_seq, pending = 0 WHERE id = ?1",
            params![id.to_string(), snapshot],
        )?;
    }
    Ok(())
}

/// A small cache of recently used documents, so consecutive edits of one visit do not reload it.
/// Entries remember the log position they reflect; a stale entry (the row moved on) is dropped.
pub(crate) struct DocCache {
    map: HashMap<RecordId, (AutoCommit, RecordKind, i64)>,
    order: VecDeque<RecordId>,
    capacity: usize,
}

impl DocCache {
    pub fn new(capacity: usize) -> Self {
        Self {
            map: HashMap::new(),
            order: VecDeque::new(),
            capacity,
        }
    }

    /// Takes a document out of the cache if it still reflects `last_seq`.
    pub fn take(&mut self, id: RecordId, last_seq: i64) -> Option<(AutoCommit, RecordKind)> {
        let (doc, kind, seq) = self.map.remove(&id)?;
        self.order.retain(|x| *x != id);
        (seq == last_seq).then_some((doc, kind))
    }

    /// Puts a document back after a successful write.
    pub fn put(&mut self, id: RecordId, doc: AutoCommit, kind: RecordKind, last_seq: i64) {
        if self.capacity == 0 {
            return;
        }
        if self.map.insert(id, (doc, kind, last_seq)).is_none() {
            self.order.push_back(id);
        }
        while self.order.len() > self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.map.remove(&old);
            }
        }
    }

    /// Forgets one document.
    pub fn forget(&mut self, id: RecordId) {
        self.map.remove(&id);
        self.order.retain(|x| *x != id);
    }

    /// Forgets everything (after a failed transaction the in-memory copies may be ahead of the disk).
    pub fn clear(&mut self) {
        self.map.clear();
        self.order.clear();
    }
}
