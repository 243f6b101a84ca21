//! Sync: a week of offline work from many devices merged in a few round trips, resumably.
//!
//! ## The model
//!
//! Every node — a phone or a hub — keeps an append-only **log** of every change it knows, numbered in the order it
//! learnt them (the store's `changes.seq`). That order is causal: a change is appended only after the changes it
//! depends on. Syncing two nodes is then a matter of two **cursors** per pair: how far into the peer's log I have
//! received, and how far into mine the peer has acknowledged. Nothing is computed per document, so checking an
//! unchanged collection of 50,000 documents costs one small request and one small reply, and the bytes that move
//! are the changes themselves (deflated), not the documents.
//!
//! ## One exchange
//!
//! The initiator sends [`message::Head::Sync`] with its cursor into the responder's log and its own entries after
//! what the responder last acknowledged; the responder applies them, then replies with
//! [`message::Head::SyncReply`] carrying its entries after the cursor. **One round trip** when everything fits in
//! one message (8 MiB of change bytes by default each way, counted before the frames are deflated, so that
//! a receiver's memory stays bounded); one more per further 8 MiB in either direction. A session never costs a
//! round trip per document.
//!
//! ## Interruptions
//!
//! Messages are made of checksummed frames ([`message`]). A receiver applies every whole frame — durably, with the
//! cursor it reaches, in one transaction — and stops at the first broken one. A connection cut at any byte
//! therefore loses at most one frame of progress, and the next session starts from the last applied frame.
//! Changes are identified by hash, so a repeated message or frame is harmless: nothing is applied twice.
//! After an interrupted push the initiator first asks where the responder stands before pushing again.
//!
//! ## Photos
//!
//! Photos travel after documents, by hash, in chunks ([`message::Head::PhotoPut`]); the reply says which photos
//! the responder lacks and how many bytes of each it already holds, so an upload resumes from the last
//! acknowledged chunk. The receiver verifies the SHA-256 of every completed photo.
//!
//! ## Transports
//!
//! The engine only produces and consumes messages ([`Transport`]): the same protocol runs over HTTP to a hub,
//! in-process between two stores (device to device), and through a file bundle ([`bundle`]) carried by USB or
//! Zalo.

pub mod bundle;
mod engine;
pub mod http;
pub mod link;
pub mod message;
mod responder;
mod store_backend;

pub use engine::{
    PeerInfo, ProgressSink, SyncOptions, SyncProgress, SyncReport, fetch_photo, sync,
};
pub use message::{NodeId, Scope};
pub use responder::{Outgoing, Principal, SyncBackend, respond};
pub use store_backend::RecordSyncState;

/// What a transport can report instead of a reply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// The peer could not be reached at all.
    #[error("peer unreachable: {0}")]
    Unreachable(String),
    /// The connection broke; `received` holds whatever part of the reply arrived.
    #[error("connection interrupted after {} bytes of the reply", received.len())]
    Interrupted {
        /// The part of the reply that arrived.
        received: Vec<u8>,
    },
    /// The peer refused the credentials (HTTP 401).
    #[error("not authorized: {0}")]
    Unauthorized(String),
    /// The request is outside what these credentials allow (HTTP 403).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// Any other failure status.
    #[error("peer answered {status}: {message}")]
    Status {
        /// The status code.
        status: u16,
        /// The reason given.
        message: String,
    },
}

/// Carries one request message to a peer and brings back its reply. Implemented by the HTTP client, by the
/// in-process [`link::Link`], and by apps (a foreign trait in the bindings).
pub trait Transport {
    /// Sends `request`, returns the reply.
    fn exchange(&mut self, request: Vec<u8>) -> Result<Vec<u8>, TransportError>;
}

/// Errors of the sync layer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// The bytes end before a message could even start.
    #[error("sync message is truncated")]
    Truncated,
    /// The bytes are not a sync message.
    #[error("not an OCOP Field sync message")]
    NotSync,
    /// A message from a newer or older protocol.
    #[error("sync protocol version {found} is not supported (this app speaks {supported})")]
    Version {
        /// Version found.
        found: u16,
        /// Version spoken here.
        supported: u16,
    },
    /// A message that is structurally wrong.
    #[error("malformed sync message: {0}")]
    Malformed(String),
    /// A message could not be built.
    #[error("could not encode sync message: {0}")]
    Encode(String),
    /// The transport failed.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The peer answered with an error.
    #[error("peer refused: {code}: {message}")]
    Refused {
        /// The peer's code.
        code: String,
        /// The peer's reason.
        message: String,
    },
    /// The peer answered with something that is not a valid reply to what was asked.
    #[error("unexpected reply from peer: {0}")]
    Protocol(String),
}
