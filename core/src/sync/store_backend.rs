//! The device store's side of sync: peers and their cursors, pushing and applying log entries, rejections and
//! per-record sync state — and [`SyncBackend`] for the store, so another device can sync with this one directly.

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::engine::PeerInfo;
use super::message::{Entry, NodeId, PhotoNeed, Rejection, Scope};
use super::responder::{Outgoing, Principal, SyncBackend};
use crate::error::{Error, Result};
use crate::ids::{RecordId, now_millis};
use crate::store::{ApplyReport, Store};

/// Where a record stands with the hub, for the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RecordSyncState {
    /// Changed here and not yet acknowledged by the hub.
    LocalOnly,
    /// Everything written here has reached the hub.
    Synced,
    /// The hub refused a change of this record; it is kept here and shown with the reason.
    Rejected {
        /// The hub's reason.
        reason: String,
    },
}

fn doc_id(bytes: [u8; 16]) -> RecordId {
    RecordId(uuid::Uuid::from_bytes(bytes))
}

fn scope_sql(scope: &Scope) -> (bool, String, String) {
    let all = scope.provinces.iter().any(|p| p == "*");
    let provinces = serde_json::to_string(&scope.provinces).unwrap_or_else(|_| "[]".into());
    let communes = serde_json::to_string(&scope.communes).unwrap_or_else(|_| "[]".into());
    (all, provinces, communes)
}

impl Store {
    /// The peer known here as `label` (a fresh record if never met).
    pub fn peer(&self, label: &str) -> Result<PeerInfo> {
        self.with_conn(|c| {
            let row = c
                .query_row(
                    "SELECT node, their_cursor, acked, interrupted, last_sync_at FROM peers WHERE label = ?1",
                    [label],
                    |r| Ok((r.get::<_, Option<String>>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?, r.get::<_, bool>(3)?, r.get(4)?)),
                )
                .optional()?;
            Ok(match row {
                Some((node, their, acked, interrupted, last)) => PeerInfo {
                    label: label.to_string(),
                    node: node.as_deref().and_then(NodeId::from_hex),
                    their_cursor: their.max(0) as u64,
                    acked: acked.max(0) as u64,
                    interrupted,
                    last_sync_at: last,
                },
                None => PeerInfo { label: label.to_string(), node: None, their_cursor: 0, acked: 0, interrupted: false, last_sync_at: None },
            })
        })
    }

    /// Every peer this store has synced with.
    pub fn peers(&self) -> Result<Vec<PeerInfo>> {
        let labels: Vec<String> = self.with_conn(|c| {
            let mut stmt = c.prepare("SELECT label FROM peers ORDER BY label")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        labels.iter().map(|l| self.peer(l)).collect()
    }

    /// Saves a peer's cursors (durably).
    pub fn save_peer(&self, p: &PeerInfo) -> Result<()> {
        self.with_tx(|c| {
            c.execute(
                "INSERT INTO peers (label, node, their_cursor, acked, interrupted, last_sync_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(label) DO UPDATE SET node = ?2, their_cursor = ?3, acked = ?4, interrupted = ?5, last_sync_at = ?6",
                params![p.label, p.node.map(|n| n.to_hex()), p.their_cursor as i64, p.acked as i64, p.interrupted, p.last_sync_at],
            )?;
            Ok(())
        })
    }

    /// This store's log entries after `after` that did not come from `exclude`, within `scope` (all when
    /// `None`), up to about `max_bytes` (at least one entry).
    pub(crate) fn log_entries(
        &self,
        exclude: Option<NodeId>,
        scope: Option<&Scope>,
        after: u64,
        max_bytes: usize,
    ) -> Result<Outgoing> {
        let exclude = exclude.map(|n| n.to_hex());
        let (all, provinces, communes) = scope.map_or((true, "[]".into(), "[]".into()), scope_sql);
        self.with_conn(|c| {
            let head: i64 = c.query_row("SELECT COALESCE(MAX(seq), 0) FROM changes", [], |r| r.get(0))?;
            let mut stmt = c.prepare_cached(
                "SELECT c.seq, c.doc_id, c.bytes FROM changes c JOIN documents d ON d.id = c.doc_id
                 WHERE c.seq > ?1 AND (c.origin IS NULL OR ?2 IS NULL OR c.origin != ?2)
                   AND (?3 OR d.province_code = '' OR d.province_code IN (SELECT value FROM json_each(?4))
                        OR d.commune_code IN (SELECT value FROM json_each(?5)))
                 ORDER BY c.seq",
            )?;
            let mut rows = stmt.query(params![after as i64, exclude, all, provinces, communes])?;
            let mut out = Outgoing { entries: Vec::new(), through: head.max(after as i64) as u64, more: false };
            let mut bytes = 0usize;
            while let Some(row) = rows.next()? {
                let seq: i64 = row.get(0)?;
                if bytes >= max_bytes && !out.entries.is_empty() {
                    out.more = true;
                    out.through = out.entries.last().map_or(after, |(s, _)| *s);
                    break;
                }
                let id: String = row.get(1)?;
                let id: RecordId = id.parse()?;
                let b: Vec<u8> = row.get(2)?;
                bytes += b.len() + 24;
                out.entries.push((seq as u64, Entry { doc: *id.0.as_bytes(), bytes: b }));
            }
            Ok(out)
        })
    }

    /// What to push to a peer: everything after `after` that did not come from it.
    pub(crate) fn push_entries(
        &self,
        peer: Option<NodeId>,
        after: u64,
        max_bytes: usize,
    ) -> Result<Outgoing> {
        self.log_entries(peer, None, after, max_bytes)
    }

    /// Applies entries received from `peer` and moves its cursor to `through`, in one durable transaction.
    pub(crate) fn apply_from_peer(
        &self,
        peer: &mut PeerInfo,
        entries: Vec<Entry>,
        through: u64,
    ) -> Result<ApplyReport> {
        let node = peer
            .node
            .map(|n| n.to_hex())
            .unwrap_or_else(|| peer.label.clone());
        let batch = entries
            .into_iter()
            .map(|e| (doc_id(e.doc), vec![e.bytes]))
            .collect();
        let label = peer.label.clone();
        let report = self.apply_entries(batch, Some(&node), |c| {
            c.execute(
                "INSERT INTO peers (label, node, their_cursor) VALUES (?1, ?2, ?3)
                 ON CONFLICT(label) DO UPDATE SET node = ?2, their_cursor = MAX(their_cursor, ?3)",
                params![label, node, through as i64],
            )?;
            Ok(())
        })?;
        peer.their_cursor = peer.their_cursor.max(through);
        Ok(report)
    }

    /// Records changes a peer refused.
    pub fn record_rejections(&self, peer: NodeId, rejected: &[Rejection]) -> Result<()> {
        let now = now_millis();
        self.with_tx(|c| {
            let mut stmt = c.prepare_cached(
                "INSERT INTO rejections (doc_id, change_hash, peer, reason, at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(doc_id, change_hash) DO UPDATE SET reason = ?4, at = ?5",
            )?;
            for r in rejected {
                stmt.execute(params![doc_id(r.doc).to_string(), r.change, peer.to_hex(), r.reason, now])?;
            }
            Ok(())
        })
    }

    /// Changes refused by a peer: (record, change hash, reason).
    pub fn rejections(&self) -> Result<Vec<(RecordId, String, String)>> {
        self.with_conn(|c| {
            let mut stmt = c.prepare(
                "SELECT doc_id, change_hash, reason FROM rejections ORDER BY at, doc_id",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (id, hash, reason) = row?;
                out.push((id.parse()?, hash, reason));
            }
            Ok(out)
        })
    }

    /// Where a record stands with the hub (the peer labelled `hub`).
    pub fn sync_state(&self, id: RecordId) -> Result<RecordSyncState> {
        let acked = self.peer("hub")?.acked as i64;
        self.with_conn(|c| {
            let reason: Option<String> = c
                .query_row(
                    "SELECT reason FROM rejections WHERE doc_id = ?1 ORDER BY at DESC LIMIT 1",
                    [id.to_string()],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(reason) = reason {
                return Ok(RecordSyncState::Rejected { reason });
            }
            let last_local: Option<i64> = c
                .query_row(
                    "SELECT last_local_seq FROM documents WHERE id = ?1",
                    [id.to_string()],
                    |r| r.get(0),
                )
                .optional()?;
            match last_local {
                None => Err(Error::NotFound {
                    kind: "record",
                    id: id.to_string(),
                }),
                Some(l) if l > acked => Ok(RecordSyncState::LocalOnly),
                Some(_) => Ok(RecordSyncState::Synced),
            }
        })
    }

    /// Number of local changes not yet acknowledged by the hub.
    pub fn pending_changes(&self) -> Result<u64> {
        let acked = self.peer("hub")?.acked as i64;
        self.with_conn(|c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FROM changes WHERE origin IS NULL AND seq > ?1",
                [acked],
                |r| r.get::<_, i64>(0),
            )? as u64)
        })
    }

    fn label_for(&self, node: NodeId) -> Result<String> {
        let hex = node.to_hex();
        self.with_conn(|c| {
            Ok(c.query_row(
                "SELECT label FROM peers WHERE node = ?1 ORDER BY label LIMIT 1",
                [&hex],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(hex.clone()))
        })
    }
}

/// A device answering another device (or an in-process test peer). Devices trust each other's writes — the hub
/// enforces roles authoritatively — but only send what lies in the asker's scope.
impl SyncBackend for Store {
    fn node_id(&self) -> Result<NodeId> {
        Ok(Store::node_id(self))
    }

    fn received_from(&self, peer: NodeId) -> Result<u64> {
        let label = self.label_for(peer)?;
        Ok(self.peer(&label)?.their_cursor)
    }

    fn ingest(
        &self,
        _who: &Principal,
        peer: NodeId,
        entries: Vec<Entry>,
        through: u64,
    ) -> Result<Vec<Rejection>> {
        let label = self.label_for(peer)?;
        let mut info = self.peer(&label)?;
        info.node = Some(peer);
        let report = self.apply_from_peer(&mut info, entries, through)?;
        Ok(report
            .failed
            .into_iter()
            .map(|(id, reason)| Rejection {
                doc: *id.0.as_bytes(),
                change: String::new(),
                reason,
            })
            .collect())
    }

    fn outgoing(
        &self,
        _who: &Principal,
        peer: NodeId,
        scope: &Scope,
        after: u64,
        max_bytes: usize,
    ) -> Result<Outgoing> {
        self.log_entries(Some(peer), Some(scope), after, max_bytes)
    }

    fn lacking_photos(
        &self,
        _who: &Principal,
        scope: &Scope,
        max: usize,
    ) -> Result<Vec<PhotoNeed>> {
        let (all, provinces, communes) = scope_sql(scope);
        let hashes: Vec<String> = self.with_conn(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT DISTINCT vp.hash FROM visit_photos vp JOIN documents d ON d.id = vp.visit_id
                 WHERE ?1 OR d.province_code IN (SELECT value FROM json_each(?2)) OR d.commune_code IN (SELECT value FROM json_each(?3))
                 ORDER BY vp.hash",
            )?;
            let rows = stmt.query_map(params![all, provinces, communes], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        let mut out = Vec::new();
        for hash in hashes {
            if out.len() >= max {
                break;
            }
            if !self.photos().contains(&hash) {
                out.push(PhotoNeed {
                    offset: self.photos().receive_offset(&hash)?,
                    hash,
                });
            }
        }
        Ok(out)
    }

    fn photo_put(
        &self,
        _who: &Principal,
        hash: &str,
        offset: u64,
        total: u64,
        data: &[u8],
    ) -> Result<(u64, bool)> {
        if self.photos().contains(hash) {
            return Ok((total, true));
        }
        let held = self.photos().receive_offset(hash)?;
        if offset != held {
            // The sender is behind or ahead: tell it where we stand.
            return Ok((held, false));
        }
        let now = self.photos().receive_chunk(hash, offset, data)?;
        if now >= total {
            self.photos().finish_receive(hash, total)?;
            return Ok((total, true));
        }
        Ok((now, false))
    }

    fn photo_get(
        &self,
        _who: &Principal,
        hash: &str,
        offset: u64,
        max: u32,
    ) -> Result<(u64, Vec<u8>)> {
        let total = self.photos().len(hash)?;
        Ok((total, self.photos().read_chunk(hash, offset, max as usize)?))
    }
}
