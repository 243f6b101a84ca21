//! The sync wire format: one message = a magic, then self-checking frames.
//!
//! ```text
//! message := "OCS" version(1 byte) frame*
//! frame   := length(u32 LE) crc32(u32 LE) flags(u8) payload[length]
//! ```
//!
//! The first frame holds the head ([`Head`]: what the message is); the frames after it carry the body
//! ([`Body`]: log entries, photo bytes, the end marker). `payload` is postcard-encoded, deflated when
//! `flags & 1` (entry frames compress well: actor ids and dependency hashes repeat from change to change).
//!
//! Frames are the unit of progress. A receiver applies every complete frame whose checksum holds and stops at
//! the first incomplete or damaged one: a message cut off at any byte still delivers its complete frames, and the
//! next session resumes after the last one applied. Every length is bounded before anything is allocated, so a
//! hostile or random message yields a [`SyncError`], never a panic or an allocation of its choosing.

use std::io::{Read, Write};

use serde::{Deserialize, Serialize};

pub use crate::identity::Scope;

use super::SyncError;

/// The protocol version spoken by this build.
pub const PROTOCOL: u16 = 1;

const MAGIC: &[u8; 3] = b"OCS";
const WIRE_VERSION: u8 = 1;
const FRAME_HEADER: usize = 9;
/// The largest frame accepted, compressed or not.
pub const MAX_FRAME: usize = 16 * 1024 * 1024;
const FLAG_DEFLATE: u8 = 1;

/// A node's identity in sync: 16 random bytes, fixed for a device profile or a hub.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NodeId(pub [u8; 16]);

impl NodeId {
    /// A new random node id.
    pub fn random() -> Self {
        Self(rand::random())
    }

    /// Lowercase hex.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses lowercase hex.
    pub fn from_hex(s: &str) -> Option<Self> {
        let bytes = hex::decode(s).ok()?;
        Some(Self(bytes.try_into().ok()?))
    }
}

/// One change in transit: the document it belongs to and the automerge change bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Document id (UUID bytes).
    pub doc: [u8; 16],
    /// Automerge change bytes.
    #[serde(with = "serde_bytes_compat")]
    pub bytes: Vec<u8>,
}

/// A change the receiver refused, and why (the sender keeps it and shows it as rejected).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    /// Document id.
    pub doc: [u8; 16],
    /// Hash of the refused change (hex).
    pub change: String,
    /// Why, in words a person can act on.
    pub reason: String,
}

/// A photo the receiver lacks, and how much of it it already holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoNeed {
    /// SHA-256, hex.
    pub hash: String,
    /// Bytes already received.
    pub offset: u64,
}

/// The first frame of a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Head {
    /// A sync exchange: the sender's changes after `push_base` follow as entry frames; it asks for the
    /// receiver's changes after `cursor`.
    Sync {
        /// Protocol version of the sender.
        protocol: u16,
        /// The sender.
        node: NodeId,
        /// The receiver the sender believes it talks to (`None` on first contact).
        expect: Option<NodeId>,
        /// How far into the receiver's log the sender has received.
        cursor: u64,
        /// The sender's entries that follow are those after this position of its log.
        push_base: u64,
        /// Narrow the scope received (must lie inside what the sender is allowed).
        scope: Option<Scope>,
        /// Largest response the sender wants, in bytes.
        max_response: u64,
    },
    /// The reply to [`Head::Sync`]; the receiver's entries after the requested cursor follow.
    SyncReply {
        /// The replying node.
        node: NodeId,
        /// How far into the requester's log the replier now holds everything.
        have_of_you: u64,
        /// Changes refused from this request.
        rejected: Vec<Rejection>,
        /// Photos the replier lacks that the requester may have.
        lacking_photos: Vec<PhotoNeed>,
    },
    /// Upload part of a photo; one data frame follows.
    PhotoPut {
        /// SHA-256, hex.
        hash: String,
        /// Where the data starts.
        offset: u64,
        /// The photo's full length.
        total: u64,
    },
    /// Download part of a photo.
    PhotoGet {
        /// SHA-256, hex.
        hash: String,
        /// From where.
        offset: u64,
        /// At most this many bytes.
        max: u32,
    },
    /// Where an upload stands after a [`Head::PhotoPut`].
    PhotoAck {
        /// Bytes now held.
        offset: u64,
        /// The photo is complete and verified.
        complete: bool,
    },
    /// Part of a photo after a [`Head::PhotoGet`]; one data frame follows.
    PhotoData {
        /// Where the data starts.
        offset: u64,
        /// The photo's full length.
        total: u64,
    },
    /// The request was refused.
    Error {
        /// Machine-readable code: `unauthorized`, `forbidden`, `bad_request`, `not_found`, `wrong_peer`, `internal`.
        code: String,
        /// Human-readable reason.
        message: String,
    },
}

/// A frame after the head.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Body {
    /// Log entries; after applying them the receiver has the sender's log through `through`.
    Entries {
        /// Log position covered by this frame and every frame before it.
        through: u64,
        /// The changes.
        entries: Vec<Entry>,
    },
    /// Raw bytes (photo data).
    Data(#[serde(with = "serde_bytes_compat")] Vec<u8>),
    /// The end of the message.
    End {
        /// Log position covered by the whole message.
        through: u64,
        /// More entries are waiting beyond what fitted in this message.
        more: bool,
    },
}

/// How a decoded message ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tail {
    /// Every frame arrived whole, through the end marker.
    Complete,
    /// The message stops inside a frame or before its end marker (cut off in transit).
    Truncated,
    /// A frame's checksum or encoding is wrong; the frames before it are sound.
    Damaged,
}

/// A decoded message: its head, the sound body frames, and how it ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// The head.
    pub head: Head,
    /// The body frames that arrived whole and sound, in order.
    pub body: Vec<Body>,
    /// How it ended.
    pub tail: Tail,
}

/// Builds a message frame by frame.
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// Starts a message with its head.
    pub fn new(head: &Head) -> Result<Self, SyncError> {
        let mut w = Self {
            buf: Vec::with_capacity(256),
        };
        w.buf.extend_from_slice(MAGIC);
        w.buf.push(WIRE_VERSION);
        w.frame(&postcard::to_stdvec(head).map_err(encode_err)?, false)?;
        Ok(w)
    }

    /// Appends a body frame; entry frames are deflated when that makes them smaller.
    pub fn body(&mut self, body: &Body) -> Result<(), SyncError> {
        let raw = postcard::to_stdvec(body).map_err(encode_err)?;
        let compress = matches!(body, Body::Entries { .. }) && raw.len() > 128;
        self.frame(&raw, compress)
    }

    fn frame(&mut self, raw: &[u8], compress: bool) -> Result<(), SyncError> {
        let (payload, flags) = if compress {
            let mut enc =
                flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
            enc.write_all(raw)
                .map_err(|e| SyncError::Encode(e.to_string()))?;
            let deflated = enc.finish().map_err(|e| SyncError::Encode(e.to_string()))?;
            if deflated.len() < raw.len() {
                (deflated, FLAG_DEFLATE)
            } else {
                (raw.to_vec(), 0)
            }
        } else {
            (raw.to_vec(), 0)
        };
        if payload.len() > MAX_FRAME {
            return Err(SyncError::Encode(format!(
                "frame of {} bytes exceeds {MAX_FRAME}",
                payload.len()
            )));
        }
        self.buf
            .extend_from_slice(&(payload.len() as u32).to_le_bytes());
        self.buf
            .extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        self.buf.push(flags);
        self.buf.extend_from_slice(&payload);
        Ok(())
    }

    /// Bytes so far.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// True before any frame (never: the head is written at creation).
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// The finished message.
    pub fn finish(self) -> Vec<u8> {
        self.buf
    }
}

fn encode_err(e: postcard::Error) -> SyncError {
    SyncError::Encode(e.to_string())
}

/// Encodes a message with a head and body frames.
pub fn encode(head: &Head, body: &[Body]) -> Result<Vec<u8>, SyncError> {
    let mut w = Writer::new(head)?;
    for b in body {
        w.body(b)?;
    }
    Ok(w.finish())
}

enum FrameRead<'a> {
    Frame(Vec<u8>, &'a [u8]),
    Truncated,
    Damaged(String),
}

fn read_frame(input: &[u8]) -> FrameRead<'_> {
    if input.len() < FRAME_HEADER {
        return FrameRead::Truncated;
    }
    let len = u32::from_le_bytes([input[0], input[1], input[2], input[3]]) as usize;
    let crc = u32::from_le_bytes([input[4], input[5], input[6], input[7]]);
    let flags = input[8];
    if len > MAX_FRAME {
        return FrameRead::Damaged(format!(
            "frame length {len} exceeds the limit of {MAX_FRAME}"
        ));
    }
    if flags & !FLAG_DEFLATE != 0 {
        return FrameRead::Damaged(format!("unknown frame flags {flags:#x}"));
    }
    let Some(payload) = input.get(FRAME_HEADER..FRAME_HEADER + len) else {
        return FrameRead::Truncated;
    };
    if crc32fast::hash(payload) != crc {
        return FrameRead::Damaged("frame checksum mismatch".into());
    }
    let rest = &input[FRAME_HEADER + len..];
    if flags & FLAG_DEFLATE == 0 {
        return FrameRead::Frame(payload.to_vec(), rest);
    }
    let mut out = Vec::new();
    let mut dec = flate2::read::DeflateDecoder::new(payload).take(MAX_FRAME as u64 + 1);
    match dec.read_to_end(&mut out) {
        Ok(_) if out.len() > MAX_FRAME => {
            FrameRead::Damaged("frame inflates beyond the limit".into())
        }
        Ok(_) => FrameRead::Frame(out, rest),
        Err(e) => FrameRead::Damaged(format!("frame does not inflate: {e}")),
    }
}

/// Decodes a message. An unreadable head is an error; after the head, decoding keeps every sound frame and
/// reports in [`Decoded::tail`] whether the message was complete, cut off or damaged.
pub fn decode(input: &[u8]) -> Result<Decoded, SyncError> {
    if input.len() < 4 {
        return Err(SyncError::Truncated);
    }
    if &input[..3] != MAGIC {
        return Err(SyncError::NotSync);
    }
    if input[3] != WIRE_VERSION {
        return Err(SyncError::Version {
            found: u16::from(input[3]),
            supported: u16::from(WIRE_VERSION),
        });
    }
    let mut rest = &input[4..];
    let head: Head = match read_frame(rest) {
        FrameRead::Frame(raw, r) => {
            rest = r;
            postcard::from_bytes(&raw).map_err(|e| SyncError::Malformed(format!("head: {e}")))?
        }
        FrameRead::Truncated => return Err(SyncError::Truncated),
        FrameRead::Damaged(why) => return Err(SyncError::Malformed(why)),
    };
    let mut body = Vec::new();
    let tail = loop {
        if rest.is_empty() {
            break if matches!(body.last(), Some(Body::End { .. })) || !expects_end(&head) {
                Tail::Complete
            } else {
                Tail::Truncated
            };
        }
        match read_frame(rest) {
            FrameRead::Frame(raw, r) => {
                rest = r;
                match postcard::from_bytes::<Body>(&raw) {
                    Ok(b) => {
                        let end = matches!(b, Body::End { .. });
                        body.push(b);
                        if end {
                            break if rest.is_empty() {
                                Tail::Complete
                            } else {
                                Tail::Damaged
                            };
                        }
                    }
                    Err(_) => break Tail::Damaged,
                }
            }
            FrameRead::Truncated => break Tail::Truncated,
            FrameRead::Damaged(_) => break Tail::Damaged,
        }
    };
    Ok(Decoded { head, body, tail })
}

fn expects_end(head: &Head) -> bool {
    matches!(head, Head::Sync { .. } | Head::SyncReply { .. })
}

/// `Vec<u8>` as a postcard byte string (length + bytes) rather than a sequence of varints.
mod serde_bytes_compat {
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(v)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
                Ok(v.to_vec())
            }
            fn visit_borrowed_bytes<E: serde::de::Error>(self, v: &'de [u8]) -> Result<Vec<u8>, E> {
                Ok(v.to_vec())
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(v)
            }
        }
        d.deserialize_bytes(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let head = Head::Sync {
            protocol: PROTOCOL,
            node: NodeId([7; 16]),
            expect: None,
            cursor: 5,
            push_base: 0,
            scope: None,
            max_response: 1 << 20,
        };
        let entries: Vec<Entry> = (0..50)
            .map(|i| Entry {
                doc: [i; 16],
                bytes: vec![i; 200],
            })
            .collect();
        encode(
            &head,
            &[
                Body::Entries {
                    through: 50,
                    entries,
                },
                Body::End {
                    through: 50,
                    more: false,
                },
            ],
        )
        .unwrap()
    }

    #[test]
    fn round_trips_and_compresses_entries() {
        let bytes = sample();
        assert!(
            bytes.len() < 50 * 200 / 4,
            "entries deflate: {} bytes",
            bytes.len()
        );
        let d = decode(&bytes).unwrap();
        assert_eq!(d.tail, Tail::Complete);
        assert_eq!(d.body.len(), 2);
        let Body::Entries { entries, .. } = &d.body[0] else {
            panic!()
        };
        assert_eq!(entries.len(), 50);
        assert_eq!(entries[3].bytes, vec![3; 200]);
    }

    #[test]
    fn a_message_cut_at_any_byte_keeps_its_complete_frames_or_errors() {
        let bytes = sample();
        for cut in 0..bytes.len() {
            match decode(&bytes[..cut]) {
                Ok(d) => {
                    assert_eq!(d.tail, Tail::Truncated, "cut at {cut}");
                    assert!(d.body.len() <= 1);
                }
                Err(e) => assert!(matches!(e, SyncError::Truncated), "cut at {cut}: {e}"),
            }
        }
    }

    #[test]
    fn a_flipped_bit_is_detected() {
        let bytes = sample();
        for i in (4..bytes.len()).step_by(7) {
            let mut b = bytes.clone();
            b[i] ^= 0x10;
            if let Ok(d) = decode(&b) {
                assert_ne!(d.tail, Tail::Complete, "flip at {i} went unnoticed");
            }
        }
    }

    #[test]
    fn oversized_and_foreign_input_is_refused() {
        let mut huge = b"OCS\x01".to_vec();
        huge.extend_from_slice(&(u32::MAX).to_le_bytes());
        huge.extend_from_slice(&[0; 5]);
        assert!(matches!(decode(&huge), Err(SyncError::Malformed(_))));
        assert!(matches!(
            decode(b"GET / HTTP/1.1\r\n"),
            Err(SyncError::NotSync)
        ));
        assert!(matches!(
            decode(b"OCS\x09rest"),
            Err(SyncError::Version { .. })
        ));
    }

    proptest::proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..2048)) {
            let _ = decode(&bytes);
            let mut with_magic = b"OCS\x01".to_vec();
            with_magic.extend_from_slice(&bytes);
            let _ = decode(&with_magic);
        }
    }
}
