//! The responding side of an exchange, over any storage that implements [`SyncBackend`].
//!
//! The hub implements [`SyncBackend`] over its own storage (SQLite or PostgreSQL); a device implements it over
//! its [`crate::store::Store`] so that another device can sync with it directly. [`respond`] is the whole
//! protocol on this side: decode, authorize the requested scope, apply the pushed frames one by one, and reply
//! with the entries the requester lacks.

use super::message::{self, Body, Entry, Head, NodeId, PhotoNeed, Rejection, Scope, Tail, Writer};
use crate::error::{Error, Result};
use crate::identity::Role;

/// Who is asking, as established by the transport (a hub token, or a trusted device-to-device pairing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The user.
    pub user_id: String,
    /// Their role.
    pub role: Role,
    /// What they may receive and write.
    pub scope: Scope,
}

/// The entries a responder sends back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outgoing {
    /// Entries with their position in the responder's log, in log order.
    pub entries: Vec<(u64, Entry)>,
    /// Log position covered (may be past the last entry when later entries were filtered out).
    pub through: u64,
    /// More entries wait beyond `through`.
    pub more: bool,
}

/// Storage a responder serves from.
pub trait SyncBackend {
    /// This node's id.
    fn node_id(&self) -> Result<NodeId>;
    /// How far into `peer`'s log this node holds everything.
    fn received_from(&self, peer: NodeId) -> Result<u64>;
    /// Applies `entries` pushed by `peer` (durably, in one transaction, together with the new position `through`
    /// of `peer`'s log). Returns the changes refused, with reasons.
    fn ingest(
        &self,
        who: &Principal,
        peer: NodeId,
        entries: Vec<Entry>,
        through: u64,
    ) -> Result<Vec<Rejection>>;
    /// Entries after `after` of this node's log within `scope`, leaving out those that came from `peer`,
    /// up to about `max_bytes`.
    fn outgoing(
        &self,
        who: &Principal,
        peer: NodeId,
        scope: &Scope,
        after: u64,
        max_bytes: usize,
    ) -> Result<Outgoing>;
    /// Photos referenced by records in `scope` that this node lacks or holds only in part.
    fn lacking_photos(&self, who: &Principal, scope: &Scope, max: usize) -> Result<Vec<PhotoNeed>>;
    /// Receives part of a photo; returns the bytes now held and whether the photo is complete and verified.
    fn photo_put(
        &self,
        who: &Principal,
        hash: &str,
        offset: u64,
        total: u64,
        data: &[u8],
    ) -> Result<(u64, bool)>;
    /// Reads part of a photo; returns its total length and the bytes from `offset`.
    fn photo_get(
        &self,
        who: &Principal,
        hash: &str,
        offset: u64,
        max: u32,
    ) -> Result<(u64, Vec<u8>)>;
}

/// A reply and the HTTP status that goes with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The reply message.
    pub bytes: Vec<u8>,
    /// 200, 400, 403, 404 or 500.
    pub status: u16,
}

/// Frame size of replies: small enough that a cut connection loses little.
pub(crate) const REPLY_FRAME_BYTES: usize = 256 * 1024;
/// Largest reply, unless the requester asks for less.
pub(crate) const MAX_REPLY_BYTES: usize = 8 * 1024 * 1024;

fn error_reply(status: u16, code: &str, message: impl Into<String>) -> Reply {
    let head = Head::Error {
        code: code.into(),
        message: message.into(),
    };
    Reply {
        bytes: message::encode(&head, &[]).unwrap_or_default(),
        status,
    }
}

/// Maps a backend error to a reply, without leaking internals.
fn backend_error(e: Error) -> Reply {
    match e {
        Error::NotFound { kind, .. } => error_reply(404, "not_found", format!("{kind} not found")),
        Error::Invalid { field, reason } => {
            error_reply(400, "bad_request", format!("{field}: {reason}"))
        }
        Error::Forbidden(reason) => error_reply(403, "forbidden", reason),
        Error::Photo(p) => error_reply(400, "bad_request", p.to_string()),
        other => {
            tracing::error!(error = %other, "sync backend failed");
            error_reply(500, "internal", "the peer could not process the request")
        }
    }
}

/// Handles one request message from `who` and returns the reply. Never panics on any input.
pub fn respond(backend: &dyn SyncBackend, who: &Principal, request: &[u8]) -> Reply {
    let decoded = match message::decode(request) {
        Ok(d) => d,
        Err(e) => return error_reply(400, "bad_request", e.to_string()),
    };
    let result = match decoded.head {
        Head::Sync {
            protocol,
            node,
            cursor,
            push_base,
            scope,
            max_response,
            ..
        } => {
            if protocol != message::PROTOCOL {
                return error_reply(
                    400,
                    "bad_request",
                    format!(
                        "protocol {protocol} is not spoken here ({})",
                        message::PROTOCOL
                    ),
                );
            }
            let scope = match scope {
                Some(s) if !who.scope.covers(&s) => {
                    return error_reply(
                        403,
                        "forbidden",
                        "the requested scope is outside what this account may see",
                    );
                }
                Some(s) => s,
                None => who.scope.clone(),
            };
            sync_reply(
                backend,
                who,
                node,
                cursor,
                push_base,
                &scope,
                max_response,
                decoded.body,
                decoded.tail,
            )
        }
        Head::PhotoPut {
            hash,
            offset,
            total,
        } => {
            let data = decoded.body.iter().find_map(|b| match b {
                Body::Data(d) => Some(d.as_slice()),
                _ => None,
            });
            let Some(data) = data else {
                return error_reply(400, "bad_request", "photo upload without data");
            };
            backend
                .photo_put(who, &hash, offset, total, data)
                .and_then(|(offset, complete)| {
                    message::encode(&Head::PhotoAck { offset, complete }, &[]).map_err(Error::from)
                })
        }
        Head::PhotoGet { hash, offset, max } => backend
            .photo_get(who, &hash, offset, max.min(1 << 20))
            .and_then(|(total, data)| {
                message::encode(&Head::PhotoData { offset, total }, &[Body::Data(data)])
                    .map_err(Error::from)
            }),
        other => {
            return error_reply(
                400,
                "bad_request",
                format!("not a request: {}", head_name(&other)),
            );
        }
    };
    match result {
        Ok(bytes) => Reply { bytes, status: 200 },
        Err(e) => backend_error(e),
    }
}

fn head_name(h: &Head) -> &'static str {
    match h {
        Head::Sync { .. } => "sync",
        Head::SyncReply { .. } => "sync reply",
        Head::PhotoPut { .. } => "photo put",
        Head::PhotoGet { .. } => "photo get",
        Head::PhotoAck { .. } => "photo ack",
        Head::PhotoData { .. } => "photo data",
        Head::Error { .. } => "error",
    }
}

#[allow(clippy::too_many_arguments)]
fn sync_reply(
    backend: &dyn SyncBackend,
    who: &Principal,
    peer: NodeId,
    cursor: u64,
    push_base: u64,
    scope: &Scope,
    max_response: u64,
    body: Vec<Body>,
    _tail: Tail,
) -> Result<Vec<u8>> {
    let mut rejected = Vec::new();
    // Pushed entries are applied only when they continue what we hold of the peer's log; after a gap (this node
    // lost state, or is not the node the peer thinks), the reply's `have_of_you` makes the peer resend from there.
    if push_base <= backend.received_from(peer)? {
        for frame in body {
            if let Body::Entries { through, entries } = frame {
                rejected.extend(backend.ingest(who, peer, entries, through)?);
            }
        }
    }
    let have_of_you = backend.received_from(peer)?;
    let lacking_photos = backend.lacking_photos(who, scope, 1000)?;
    let max = usize::try_from(max_response)
        .unwrap_or(usize::MAX)
        .clamp(64 * 1024, MAX_REPLY_BYTES);
    let out = backend.outgoing(who, peer, scope, cursor, max)?;
    let me = backend.node_id()?;
    let mut w = Writer::new(&Head::SyncReply {
        node: me,
        have_of_you,
        rejected,
        lacking_photos,
    })
    .map_err(Error::from)?;
    let mut frame: Vec<Entry> = Vec::new();
    let mut frame_bytes = 0;
    let mut frame_through = cursor;
    for (seq, entry) in out.entries {
        frame_bytes += entry.bytes.len() + 24;
        frame.push(entry);
        frame_through = seq;
        if frame_bytes >= REPLY_FRAME_BYTES {
            w.body(&Body::Entries {
                through: frame_through,
                entries: std::mem::take(&mut frame),
            })
            .map_err(Error::from)?;
            frame_bytes = 0;
        }
    }
    if !frame.is_empty() {
        w.body(&Body::Entries {
            through: frame_through,
            entries: frame,
        })
        .map_err(Error::from)?;
    }
    w.body(&Body::End {
        through: out.through.max(cursor),
        more: out.more,
    })
    .map_err(Error::from)?;
    Ok(w.finish())
}
