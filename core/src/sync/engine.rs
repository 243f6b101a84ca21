//! The initiating side: a device syncing with a hub or with another device.

use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::message::{self, Body, Head, NodeId, PhotoNeed, Scope, Tail, Writer};
use super::{SyncError, Transport, TransportError};
use crate::error::{Error, Result};
use crate::ids::RecordId;
use crate::store::Store;

/// How a session runs.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Largest request and reply, bytes. More data takes more round trips.
    pub max_message_bytes: usize,
    /// Size of each frame of pushed entries (the unit of progress after an interruption).
    pub frame_bytes: usize,
    /// Size of photo upload chunks.
    pub photo_chunk_bytes: usize,
    /// Upload the photos the peer lacks after the documents.
    pub upload_photos: bool,
    /// Ask for a narrower scope than the account allows (e.g. one commune).
    pub scope: Option<Scope>,
    /// Give up after this many round trips (a safety net; a healthy session needs a handful).
    pub max_round_trips: u32,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            max_message_bytes: super::responder::MAX_REPLY_BYTES,
            frame_bytes: super::responder::REPLY_FRAME_BYTES,
            photo_chunk_bytes: 256 * 1024,
            upload_photos: true,
            scope: None,
            max_round_trips: 1000,
        }
    }
}

/// Who the session is with, as this store knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerInfo {
    /// The local name of the peer (`hub`, or a device's node id).
    pub label: String,
    /// Its node id, once met.
    pub node: Option<NodeId>,
    /// How far into its log this store has received.
    pub their_cursor: u64,
    /// How far into this store's log it has acknowledged.
    pub acked: u64,
    /// The last push to it was cut off (its position is uncertain).
    pub interrupted: bool,
    /// When the last session with it completed.
    pub last_sync_at: Option<i64>,
}

/// Progress of a session, reported as it goes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncProgress {
    /// What is happening: `documents`, `photos`, `done`.
    pub phase: String,
    /// Round trips so far.
    pub round_trips: u32,
    /// Changes sent so far.
    pub changes_sent: u64,
    /// Changes received so far.
    pub changes_received: u64,
    /// Documents changed here so far.
    pub documents_received: u64,
    /// Photo bytes uploaded so far.
    pub photo_bytes_sent: u64,
    /// Photo bytes to upload in all.
    pub photo_bytes_total: u64,
}

/// Receives progress reports (the app's progress bar; a foreign trait in the bindings).
pub trait ProgressSink {
    /// Called after each applied frame and each photo chunk.
    fn progress(&self, progress: &SyncProgress);
}

impl ProgressSink for () {
    fn progress(&self, _: &SyncProgress) {}
}

/// What a session did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncReport {
    /// The peer's node id.
    pub peer: Option<String>,
    /// Round trips made (photo chunks included).
    pub round_trips: u32,
    /// Round trips for documents only.
    pub document_round_trips: u32,
    /// Bytes sent.
    pub bytes_up: u64,
    /// Bytes received.
    pub bytes_down: u64,
    /// Changes sent.
    pub changes_sent: u64,
    /// Documents those changes belong to.
    pub documents_sent: u64,
    /// Changes received and new here.
    pub changes_received: u64,
    /// Documents changed here.
    pub documents_received: u64,
    /// Photos uploaded completely.
    pub photos_sent: u64,
    /// Photo bytes uploaded.
    pub photo_bytes_sent: u64,
    /// Documents whose conflicts appeared or changed here.
    pub conflicts_surfaced: Vec<RecordId>,
    /// Changes the peer refused (kept here, shown as rejected).
    pub rejected: u64,
    /// Wall time, milliseconds.
    pub millis: u64,
}

fn transport_error(e: TransportError) -> Error {
    Error::Sync(SyncError::Transport(e))
}

/// Syncs `store` with the peer behind `transport`, known locally as `label` (`"hub"` for the hub).
///
/// Blocking; returns when both sides hold each other's changes (and photos, when asked), or with the error that
/// stopped it — everything applied before the error stays applied, and the next session resumes from there.
pub fn sync(
    store: &Store,
    label: &str,
    transport: &mut dyn Transport,
    opts: &SyncOptions,
    sink: &dyn ProgressSink,
) -> Result<SyncReport> {
    let started = Instant::now();
    let me = store.node_id();
    let mut peer = store.peer(label)?;
    let mut report = SyncReport::default();
    let mut progress = SyncProgress {
        phase: "documents".into(),
        ..Default::default()
    };
    let mut needs: Vec<PhotoNeed>;
    let mut sent_docs = std::collections::HashSet::new();
    loop {
        if report.round_trips >= opts.max_round_trips {
            return Err(Error::Sync(SyncError::Protocol(format!(
                "gave up after {} round trips",
                report.round_trips
            ))));
        }
        // After an interrupted push, ask first where the peer stands instead of pushing blind.
        let probe = peer.interrupted;
        let push = if probe {
            super::Outgoing {
                entries: Vec::new(),
                through: peer.acked,
                more: true,
            }
        } else {
            store.push_entries(peer.node, peer.acked, opts.max_message_bytes)?
        };
        let mut w = Writer::new(&Head::Sync {
            protocol: message::PROTOCOL,
            node: me,
            expect: peer.node,
            cursor: peer.their_cursor,
            push_base: peer.acked,
            scope: opts.scope.clone(),
            max_response: opts.max_message_bytes as u64,
        })?;
        let mut frame = Vec::new();
        let mut frame_bytes = 0;
        let pushed_changes = push.entries.len() as u64;
        for (seq, entry) in push.entries {
            sent_docs.insert(entry.doc);
            frame_bytes += entry.bytes.len() + 24;
            frame.push(entry);
            if frame_bytes >= opts.frame_bytes {
                w.body(&Body::Entries {
                    through: seq,
                    entries: std::mem::take(&mut frame),
                })?;
                frame_bytes = 0;
            }
        }
        if !frame.is_empty() || (!probe && push.through > peer.acked) {
            w.body(&Body::Entries {
                through: push.through,
                entries: frame,
            })?;
        }
        w.body(&Body::End {
            through: if probe { peer.acked } else { push.through },
            more: push.more,
        })?;
        let request = w.finish();
        if pushed_changes > 0 {
            peer.interrupted = true;
            store.save_peer(&peer)?;
        }
        report.round_trips += 1;
        report.document_round_trips += 1;
        report.bytes_up += request.len() as u64;
        let (reply, cut) = match transport.exchange(request) {
            Ok(r) => (r, false),
            Err(TransportError::Interrupted { received }) => (received, true),
            Err(e) => return Err(transport_error(e)),
        };
        report.bytes_down += reply.len() as u64;
        let decoded = match message::decode(&reply) {
            Ok(d) => d,
            Err(e) if cut => {
                tracing::info!(error = %e, "sync reply cut off before anything usable arrived");
                return Err(transport_error(TransportError::Interrupted {
                    received: reply,
                }));
            }
            Err(e) => return Err(e.into()),
        };
        let (node, have_of_you, rejected, lacking) = match decoded.head {
            Head::SyncReply {
                node,
                have_of_you,
                rejected,
                lacking_photos,
            } => (node, have_of_you, rejected, lacking_photos),
            Head::Error { code, message } => {
                return Err(Error::Sync(SyncError::Refused { code, message }));
            }
            other => {
                return Err(Error::Sync(SyncError::Protocol(format!(
                    "expected a sync reply, got {other:?}"
                ))));
            }
        };
        if let Some(known) = peer.node
            && known != node
        {
            // A different node answers under this name (the hub was reinstalled): start over with it.
            tracing::warn!(
                label,
                "peer identity changed; restarting sync with it from the beginning"
            );
            peer = PeerInfo {
                label: label.to_string(),
                node: Some(node),
                their_cursor: 0,
                acked: 0,
                interrupted: false,
                last_sync_at: None,
            };
            store.save_peer(&peer)?;
            continue;
        }
        peer.node = Some(node);
        peer.acked = have_of_you;
        peer.interrupted = false;
        if !rejected.is_empty() {
            report.rejected += rejected.len() as u64;
            store.record_rejections(node, &rejected)?;
        }
        if !probe {
            report.changes_sent += pushed_changes;
            progress.changes_sent += pushed_changes;
        }
        store.save_peer(&peer)?;
        needs = lacking;
        let mut pull_more = false;
        let mut ended = false;
        for frame in decoded.body {
            match frame {
                Body::Entries { through, entries } => {
                    let applied = store.apply_from_peer(&mut peer, entries, through)?;
                    report.changes_received += applied.applied as u64;
                    report.documents_received += applied.documents as u64;
                    for d in applied.conflicted_documents {
                        if !report.conflicts_surfaced.contains(&d) {
                            report.conflicts_surfaced.push(d);
                        }
                    }
                    progress.changes_received = report.changes_received;
                    progress.documents_received = report.documents_received;
                    progress.round_trips = report.round_trips;
                    sink.progress(&progress);
                }
                Body::End { through, more } => {
                    ended = true;
                    pull_more = more;
                    if through > peer.their_cursor {
                        peer.their_cursor = through;
                        store.save_peer(&peer)?;
                    }
                }
                Body::Data(_) => {}
            }
        }
        if cut || decoded.tail != Tail::Complete {
            return Err(transport_error(TransportError::Interrupted {
                received: Vec::new(),
            }));
        }
        let push_more = probe || push.more || have_of_you < push.through;
        if ended && !pull_more && !push_more {
            break;
        }
    }
    report.documents_sent = sent_docs.len() as u64;
    if opts.upload_photos {
        progress.phase = "photos".into();
        upload_photos(
            store,
            transport,
            opts,
            &needs,
            &mut report,
            &mut progress,
            sink,
        )?;
    }
    peer.last_sync_at = Some(crate::ids::now_millis());
    store.save_peer(&peer)?;
    report.peer = peer.node.map(|n| n.to_hex());
    report.millis = started.elapsed().as_millis() as u64;
    progress.phase = "done".into();
    sink.progress(&progress);
    Ok(report)
}

fn upload_photos(
    store: &Store,
    transport: &mut dyn Transport,
    opts: &SyncOptions,
    needs: &[PhotoNeed],
    report: &mut SyncReport,
    progress: &mut SyncProgress,
    sink: &dyn ProgressSink,
) -> Result<()> {
    let mine: Vec<(&PhotoNeed, u64)> = needs
        .iter()
        .filter_map(|n| store.photos().len(&n.hash).ok().map(|len| (n, len)))
        .collect();
    progress.photo_bytes_total = mine
        .iter()
        .map(|(n, len)| len.saturating_sub(n.offset))
        .sum();
    for (need, total) in mine {
        let mut offset = need.offset;
        loop {
            let chunk = store
                .photos()
                .read_chunk(&need.hash, offset, opts.photo_chunk_bytes)?;
            let head = Head::PhotoPut {
                hash: need.hash.clone(),
                offset,
                total,
            };
            let request = message::encode(&head, &[Body::Data(chunk.clone())])?;
            report.round_trips += 1;
            report.bytes_up += request.len() as u64;
            let reply = transport.exchange(request).map_err(transport_error)?;
            report.bytes_down += reply.len() as u64;
            match message::decode(&reply)?.head {
                Head::PhotoAck {
                    offset: acked,
                    complete,
                } => {
                    let sent = acked.saturating_sub(offset);
                    report.photo_bytes_sent += sent;
                    progress.photo_bytes_sent += sent;
                    sink.progress(progress);
                    if complete {
                        report.photos_sent += 1;
                        break;
                    }
                    if acked <= offset && chunk.is_empty() {
                        return Err(Error::Sync(SyncError::Protocol(
                            "photo upload made no progress".into(),
                        )));
                    }
                    offset = acked;
                }
                Head::Error { code, message } => {
                    return Err(Error::Sync(SyncError::Refused { code, message }));
                }
                other => {
                    return Err(Error::Sync(SyncError::Protocol(format!(
                        "expected a photo ack, got {other:?}"
                    ))));
                }
            }
        }
    }
    Ok(())
}

/// Fetches a photo from the peer into this store's photo files (a supervisor opening a visit), resuming a
/// partial download. Returns the photo's length.
pub fn fetch_photo(
    store: &Store,
    transport: &mut dyn Transport,
    hash: &str,
    chunk: u32,
) -> Result<u64> {
    if let Ok(len) = store.photos().len(hash) {
        return Ok(len);
    }
    let mut offset = store.photos().receive_offset(hash)?;
    loop {
        let request = message::encode(
            &Head::PhotoGet {
                hash: hash.to_string(),
                offset,
                max: chunk,
            },
            &[],
        )?;
        let reply = transport.exchange(request).map_err(transport_error)?;
        let decoded = message::decode(&reply)?;
        match decoded.head {
            Head::PhotoData { offset: at, total } => {
                let data = decoded.body.into_iter().find_map(|b| match b {
                    Body::Data(d) => Some(d),
                    _ => None,
                });
                let data = data
                    .ok_or_else(|| Error::Sync(SyncError::Protocol("photo data missing".into())))?;
                if at != offset {
                    return Err(Error::Sync(SyncError::Protocol(
                        "photo data at the wrong offset".into(),
                    )));
                }
                if !data.is_empty() {
                    offset = store.photos().receive_chunk(hash, offset, &data)?;
                }
                if offset >= total {
                    store.photos().finish_receive(hash, total)?;
                    return Ok(total);
                }
                if data.is_empty() {
                    return Err(Error::Sync(SyncError::Protocol(
                        "photo download made no progress".into(),
                    )));
                }
            }
            Head::Error { code, message } => {
                return Err(Error::Sync(SyncError::Refused { code, message }));
            }
            other => {
                return Err(Error::Sync(SyncError::Protocol(format!(
                    "expected photo data, got {other:?}"
                ))));
            }
        }
    }
}
