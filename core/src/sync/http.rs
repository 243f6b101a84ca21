//! The HTTP client transport: sync messages to and from a hub over `POST /v1/sync`, and device enrollment over
//! `POST /v1/enroll`.
//!
//! Blocking (ureq), so the core stays free of any async runtime; call it from a background thread. One request
//! message is the body of one `POST`, and the reply message is the response body. Every request carries the
//! device's bearer token.
//!
//! ## What the hub's answers become
//!
//! | hub answer | [`Transport::exchange`] returns |
//! |---|---|
//! | 200 with a message | `Ok(reply)` |
//! | 401 | [`TransportError::Unauthorized`] with the hub's reason (missing, wrong or revoked token) |
//! | 403 | [`TransportError::Forbidden`] with the hub's reason (a scope or photo outside the account) |
//! | other 4xx/5xx whose body is a sync message | `Ok(reply)`: a [`Head::Error`] message, so the engine reports the hub's own reason |
//! | other statuses | [`TransportError::Status`] |
//! | connection refused, unknown host, connect timeout | [`TransportError::Unreachable`] |
//! | the connection breaks while the reply streams in | [`TransportError::Interrupted`] with **every byte read so far** |
//!
//! The body is read incrementally into a buffer so that a reply cut off halfway still delivers its complete
//! frames: the engine applies them and the next session resumes after the last one.
//!
//! ## TLS
//!
//! Built with ureq's `rustls` feature (ring provider, Mozilla roots from `webpki-roots`), so `https://` hub
//! addresses work on every platform without the system's TLS library; loopback tests use plain `http://`.

use std::io::Read;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::message::{self, Head, Scope};
use super::{SyncError, Transport, TransportError};
use crate::error::{Error, Result};
use crate::identity::Role;

/// Largest reply body accepted from a hub (a reply is at most 8 MiB of entries plus framing; photos come in
/// chunks of at most 1 MiB). Anything longer is cut here rather than filling the phone's memory.
pub const MAX_REPLY_BODY: usize = 32 * 1024 * 1024;

/// A hub reached over HTTP(S) with a bearer token.
pub struct HttpTransport {
    base_url: String,
    token: String,
    agent: ureq::Agent,
}

impl std::fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token is a credential: never print it.
        f.debug_struct("HttpTransport")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .timeout_connect(Some(timeout.min(Duration::from_secs(15))))
        .user_agent(concat!("ocop-field/", env!("CARGO_PKG_VERSION")))
        .build()
        .new_agent()
}

fn endpoint(base_url: &str, path: &str) -> String {
    format!("{}{path}", base_url.trim_end_matches('/'))
}

impl HttpTransport {
    /// A transport to the hub at `base_url` (e.g. `http://127.0.0.1:8787` or `https://hub.example.vn`), sending
    /// `token` with every request; each exchange gives up after `timeout` (connecting, sending and receiving).
    pub fn new(base_url: impl Into<String>, token: impl Into<String>, timeout: Duration) -> Self {
        Self {
            base_url: base_url.into(),
            token: token.into(),
            agent: agent(timeout),
        }
    }

    /// The hub's base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
}

/// Maps a ureq failure before any reply byte arrived.
fn request_error(e: ureq::Error) -> TransportError {
    match e {
        ureq::Error::HostNotFound => TransportError::Unreachable("unknown host".into()),
        ureq::Error::ConnectionFailed => TransportError::Unreachable("connection failed".into()),
        ureq::Error::Timeout(t) => TransportError::Unreachable(format!("timed out ({t})")),
        ureq::Error::BadUri(u) => TransportError::Unreachable(format!("bad hub address: {u}")),
        ureq::Error::Io(io) => match io.kind() {
            std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::NotFound
            | std::io::ErrorKind::AddrNotAvailable
            | std::io::ErrorKind::HostUnreachable
            | std::io::ErrorKind::NetworkUnreachable
            | std::io::ErrorKind::TimedOut => TransportError::Unreachable(io.to_string()),
            // The connection was there and broke before the reply started: nothing of it arrived.
            _ => TransportError::Interrupted {
                received: Vec::new(),
            },
        },
        ureq::Error::Protocol(p) => TransportError::Interrupted {
            received: {
                tracing::info!(error = %p, "hub reply was not valid HTTP");
                Vec::new()
            },
        },
        other => TransportError::Unreachable(other.to_string()),
    }
}

/// Reads a body incrementally; a failure mid-way keeps what arrived.
fn read_body(body: ureq::Body) -> std::result::Result<Vec<u8>, Vec<u8>> {
    let mut reader = body
        .into_with_config()
        .limit(MAX_REPLY_BODY as u64)
        .reader();
    let mut buf = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        match reader.read(&mut chunk) {
            Ok(0) => return Ok(buf),
            Ok(n) => buf.extend_from_slice(chunk.get(..n).unwrap_or_default()),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                tracing::info!(error = %e, bytes = buf.len(), "hub reply cut off");
                return Err(buf);
            }
        }
    }
}

/// The reason a refusal carries: the message of a sync error message, or the start of a text body.
fn reason_of(status: u16, body: &[u8]) -> String {
    if let Ok(d) = message::decode(body)
        && let Head::Error { message, .. } = d.head
    {
        return message;
    }
    let text = String::from_utf8_lossy(body);
    let text: String = text.trim().chars().take(300).collect();
    if text.is_empty() {
        format!("HTTP {status}")
    } else {
        text
    }
}

impl Transport for HttpTransport {
    fn exchange(&mut self, request: Vec<u8>) -> std::result::Result<Vec<u8>, TransportError> {
        let response = self
            .agent
            .post(&endpoint(&self.base_url, "/v1/sync"))
            .header("Authorization", &format!("Bearer {}", self.token))
            .header("Content-Type", "application/octet-stream")
            .send(&request[..])
            .map_err(request_error)?;
        let status = response.status().as_u16();
        let body = match read_body(response.into_body()) {
            Ok(b) => b,
            // A cut-off error reply is of no use; a cut-off sync reply still delivers its complete frames.
            Err(received) if status == 200 => return Err(TransportError::Interrupted { received }),
            Err(received) => received,
        };
        match status {
            200 => Ok(body),
            401 => Err(TransportError::Unauthorized(reason_of(status, &body))),
            403 => Err(TransportError::Forbidden(reason_of(status, &body))),
            _ if message::decode(&body).is_ok() => Ok(body),
            _ => Err(TransportError::Status {
                status,
                message: reason_of(status, &body),
            }),
        }
    }
}

/// What a device sends to `POST /v1/enroll`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollRequest {
    /// The one-time enrollment code the hub admin gave (dashes and case do not matter).
    pub code: String,
    /// A name for this device, shown to the hub admin (e.g. "Samsung A15 của An").
    pub device_name: String,
}

/// What the hub answers to a successful enrollment: the device's credentials and the account they stand for.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrollment {
    /// The bearer token for every sync request. Keep it secret; the hub only stores its hash.
    pub token: String,
    /// The device's id at the hub (what the admin revokes).
    pub device_id: String,
    /// The user's stable id, to stamp into changes ([`crate::identity::Author::user_id`]).
    pub user_id: String,
    /// The user's display name.
    pub display_name: String,
    /// The user's role.
    pub role: Role,
    /// What the user may receive and write.
    pub scope: Scope,
    /// The hub's node id (hex).
    pub hub_node: String,
}

impl std::fmt::Debug for Enrollment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Enrollment")
            .field("device_id", &self.device_id)
            .field("user_id", &self.user_id)
            .field("role", &self.role)
            .field("scope", &self.scope)
            .field("hub_node", &self.hub_node)
            .finish_non_exhaustive()
    }
}

/// The JSON body of a refused enrollment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollRefusal {
    /// Why, in words a person can act on.
    pub error: String,
}

/// Exchanges a one-time enrollment `code` for a device token at the hub at `base_url`. Blocking.
///
/// A code that is unknown, used or expired gives [`TransportError::Unauthorized`] with the hub's reason.
pub fn enroll(base_url: &str, code: &str, device_name: &str) -> Result<Enrollment> {
    let request = serde_json::to_vec(&EnrollRequest {
        code: code.to_string(),
        device_name: device_name.to_string(),
    })?;
    let response = agent(Duration::from_secs(60))
        .post(&endpoint(base_url, "/v1/enroll"))
        .header("Content-Type", "application/json")
        .send(&request[..])
        .map_err(|e| Error::Sync(SyncError::Transport(request_error(e))))?;
    let status = response.status().as_u16();
    let body = read_body(response.into_body()).map_err(|received| {
        Error::Sync(SyncError::Transport(TransportError::Interrupted {
            received,
        }))
    })?;
    if status == 200 {
        return serde_json::from_slice(&body).map_err(|e| {
            Error::Sync(SyncError::Protocol(format!(
                "the hub's enrollment answer is not understood: {e}"
            )))
        });
    }
    let reason = serde_json::from_slice::<EnrollRefusal>(&body)
        .map(|r| r.error)
        .unwrap_or_else(|_| reason_of(status, &body));
    Err(Error::Sync(SyncError::Transport(match status {
        401 | 403 => TransportError::Unauthorized(reason),
        _ => TransportError::Status {
            status,
            message: reason,
        },
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_hub_is_reported_as_unreachable() {
        // Port 9 on loopback (discard) is closed on any sane test machine: connection refused.
        let mut t = HttpTransport::new("http://127.0.0.1:9", "t", Duration::from_secs(5));
        let err = t.exchange(b"OCS\x01".to_vec()).unwrap_err();
        assert!(matches!(err, TransportError::Unreachable(_)), "{err:?}");
        let err = enroll("http://127.0.0.1:9", "ABCD", "phone").unwrap_err();
        assert!(
            matches!(
                err,
                Error::Sync(SyncError::Transport(TransportError::Unreachable(_)))
            ),
            "{err:?}"
        );
    }

    #[test]
    fn refusal_reasons_come_from_the_error_message_or_the_text() {
        let msg = message::encode(
            &Head::Error {
                code: "unauthorized".into(),
                message: "this device was revoked".into(),
            },
            &[],
        )
        .unwrap();
        assert_eq!(reason_of(401, &msg), "this device was revoked");
        assert_eq!(reason_of(413, b"  too big \n"), "too big");
        assert_eq!(reason_of(502, b""), "HTTP 502");
    }

    #[test]
    fn debug_output_never_shows_the_token() {
        let t = HttpTransport::new("http://hub", "secret-token-123", Duration::from_secs(1));
        assert!(!format!("{t:?}").contains("secret-token-123"));
    }
}
