//! The HTTP service (axum on tokio).
//!
//! | route | in | out |
//! |---|---|---|
//! | `POST /v1/sync` | `Authorization: Bearer <token>`, body: one sync message | one sync message; status from the responder (200, 400, 403, 404, 500), 401 for a missing/unknown/revoked token, 413 for a body over the limit — every non-200 body is a `Head::Error` message with the reason |
//! | `POST /v1/enroll` | JSON `{code, device_name}` | 200 JSON [`Enrollment`]; 401 `{error}` for an unknown, used or expired code; 400 `{error}` for a malformed request |
//! | `GET /v1/health` | — | 200 JSON `{status, node, version}` |
//! | `/` and `/web/…` | a browser | the supervisors' review pages ([`crate::web`]) |
//!
//! The protocol work (`ocop_core::sync::respond`) and every storage call run on tokio's blocking pool, never on
//! the async workers. Each request is logged with its route, status, size and duration — no names, tokens or
//! record contents. [`Hub::serve`] binds, runs the service on its own small runtime in a background thread, and
//! returns a [`ServerHandle`] with the bound address (bind to port 0 for an ephemeral port); dropping the handle
//! or calling [`ServerHandle::shutdown`] stops it gracefully, letting requests in flight finish.
//!
//! [`Enrollment`]: ocop_core::sync::http::Enrollment

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use ocop_core::sync::http::{EnrollRefusal, EnrollRequest};
use ocop_core::sync::message::{self, Head};
use tokio::sync::oneshot;

use crate::Hub;
use crate::auth::EnrollRefused;
use crate::error::Result;

/// Largest enrollment request body.
const MAX_ENROLL_BODY: usize = 16 * 1024;

fn sync_error(status: StatusCode, code: &str, reason: impl Into<String>) -> Response {
    let bytes = message::encode(
        &Head::Error {
            code: code.into(),
            message: reason.into(),
        },
        &[],
    )
    .unwrap_or_default();
    let mut resp = (status, octets(bytes)).into_response();
    if status == StatusCode::UNAUTHORIZED {
        resp.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    resp
}

fn octets(bytes: Vec<u8>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/octet-stream")], bytes)
}

fn json_error(status: StatusCode, reason: impl Into<String>) -> Response {
    (
        status,
        Json(EnrollRefusal {
            error: reason.into(),
        }),
    )
        .into_response()
}

enum BodyRead {
    Whole(Vec<u8>),
    TooLarge,
    Failed(String),
}

/// Reads a body of at most `limit` bytes. A larger one is read on and discarded up to four times the limit, so
/// that the client, still sending, gets to read the 413 that explains the refusal instead of a broken pipe; past
/// that the connection is dropped.
async fn read_limited(mut body: axum::body::Body, limit: usize) -> BodyRead {
    use axum::body::HttpBody;
    let drain_cap = limit.saturating_mul(4);
    if body.size_hint().lower() > drain_cap as u64 {
        return BodyRead::TooLarge;
    }
    let mut buf = Vec::new();
    let mut seen = 0usize;
    loop {
        let frame = std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await;
        match frame {
            None => break,
            Some(Err(e)) if seen > limit => {
                tracing::debug!(error = %e, "oversized body ended early");
                return BodyRead::TooLarge;
            }
            Some(Err(e)) => return BodyRead::Failed(e.to_string()),
            Some(Ok(frame)) => {
                let Ok(data) = frame.into_data() else {
                    continue;
                };
                seen = seen.saturating_add(data.len());
                if seen > drain_cap {
                    return BodyRead::TooLarge;
                }
                if seen > limit {
                    buf = Vec::new();
                } else {
                    buf.extend_from_slice(&data);
                }
            }
        }
    }
    if seen > limit {
        BodyRead::TooLarge
    } else {
        BodyRead::Whole(buf)
    }
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

/// The service's routes over `hub`.
pub fn router(hub: Hub) -> Router {
    Router::new()
        .route("/v1/health", get(health))
        .route("/v1/sync", post(sync).layer(DefaultBodyLimit::disable()))
        .route(
            "/v1/enroll",
            post(enroll).layer(DefaultBodyLimit::max(MAX_ENROLL_BODY)),
        )
        .merge(crate::web::routes())
        .layer(middleware::from_fn(log_request))
        .with_state(hub)
}

async fn log_request(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let response = next.run(req).await;
    tracing::info!(
        %method,
        path = path.get(..64).unwrap_or(&path),
        status = response.status().as_u16(),
        millis = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

async fn health(State(hub): State<Hub>) -> Response {
    let node = tokio::task::spawn_blocking(move || hub.node_id()).await;
    match node {
        Ok(Ok(node)) => Json(serde_json::json!({
            "status": "ok",
            "node": node.to_hex(),
            "version": env!("CARGO_PKG_VERSION"),
        }))
        .into_response(),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "storage unavailable").into_response(),
    }
}

async fn sync(State(hub): State<Hub>, req: Request) -> Response {
    let token = bearer(req.headers());
    let auth_hub = hub.clone();
    let who =
        match tokio::task::spawn_blocking(move || auth_hub.authenticate(token.as_deref())).await {
            Ok(Ok(Ok(who))) => who,
            Ok(Ok(Err(failure))) => {
                return sync_error(
                    StatusCode::UNAUTHORIZED,
                    "unauthorized",
                    failure.to_string(),
                );
            }
            Ok(Err(e)) => {
                tracing::error!(error = %e, "authentication failed");
                return sync_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "the hub could not check the device token",
                );
            }
            Err(_) => {
                return sync_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "the hub failed",
                );
            }
        };
    let limit = hub.options().max_body_bytes;
    let body = match read_limited(req.into_body(), limit).await {
        BodyRead::Whole(b) => b,
        BodyRead::TooLarge => {
            return sync_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!(
                    "the request is larger than the {limit} bytes this hub accepts; sync with smaller messages"
                ),
            );
        }
        BodyRead::Failed(reason) => {
            return sync_error(
                StatusCode::BAD_REQUEST,
                "bad_request",
                format!("the request body could not be read: {reason}"),
            );
        }
    };
    let device = who.device_id.clone();
    let bytes_in = body.len();
    let replied = tokio::task::spawn_blocking(move || {
        ocop_core::sync::respond(hub.backend(), &who.principal, &body)
    })
    .await;
    match replied {
        Ok(reply) => {
            let status =
                StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            tracing::debug!(%device, bytes_in, bytes_out = reply.bytes.len(), status = reply.status, "sync");
            (status, octets(reply.bytes)).into_response()
        }
        Err(e) => {
            tracing::error!(%device, error = %e, "sync responder failed");
            sync_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the hub could not process the request",
            )
        }
    }
}

async fn enroll(
    State(hub): State<Hub>,
    body: std::result::Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let body = match body {
        Ok(b) => b,
        Err(r) => return json_error(r.status(), r.body_text()),
    };
    let request: EnrollRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return json_error(
                StatusCode::BAD_REQUEST,
                format!("expected JSON {{\"code\", \"device_name\"}}: {e}"),
            );
        }
    };
    let redeemed =
        tokio::task::spawn_blocking(move || hub.redeem(&request.code, &request.device_name)).await;
    match redeemed {
        Ok(Ok(Ok(enrollment))) => Json(enrollment).into_response(),
        Ok(Ok(Err(refused @ EnrollRefused::Invalid(_)))) => {
            json_error(StatusCode::BAD_REQUEST, refused.to_string())
        }
        Ok(Ok(Err(refused))) => json_error(StatusCode::UNAUTHORIZED, refused.to_string()),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "enrollment failed");
            json_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the hub could not enroll the device",
            )
        }
        Err(_) => json_error(StatusCode::INTERNAL_SERVER_ERROR, "the hub failed"),
    }
}

/// A running HTTP service. Dropping it stops the service gracefully.
#[derive(Debug)]
pub struct ServerHandle {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ServerHandle {
    /// The address the service listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The base URL devices use (`http://address:port`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections, lets requests in flight finish, and returns when the service has stopped.
    pub fn shutdown(mut self) {
        self.stop_and_join();
    }

    /// Blocks until the service stops by itself (Ctrl-C, for a service started with
    /// [`Hub::serve_until_interrupted`]).
    pub fn wait(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    fn stop_and_join(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

impl Hub {
    /// Serves the HTTP API on `addr` (port 0: any free port) from a background thread.
    pub fn serve(&self, addr: SocketAddr) -> Result<ServerHandle> {
        self.start(addr, false)
    }

    /// Like [`Hub::serve`], and also stops gracefully on Ctrl-C ([`ServerHandle::wait`] returns then).
    pub fn serve_until_interrupted(&self, addr: SocketAddr) -> Result<ServerHandle> {
        self.start(addr, true)
    }

    fn start(&self, addr: SocketAddr, ctrl_c: bool) -> Result<ServerHandle> {
        let listener = std::net::TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let bound = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .max_blocking_threads(16)
            .thread_name("ocop-hub")
            .enable_all()
            .build()?;
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let app = router(self.clone());
        let thread = std::thread::Builder::new()
            .name("ocop-hub-server".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let listener = match tokio::net::TcpListener::from_std(listener) {
                        Ok(l) => l,
                        Err(e) => {
                            tracing::error!(error = %e, "could not listen");
                            return;
                        }
                    };
                    let shutdown = async move {
                        if ctrl_c {
                            tokio::select! {
                                _ = stop_rx => {}
                                _ = tokio::signal::ctrl_c() => tracing::info!("interrupted; stopping"),
                            }
                        } else {
                            let _ = stop_rx.await;
                        }
                    };
                    if let Err(e) = axum::serve(listener, app)
                        .with_graceful_shutdown(shutdown)
                        .await
                    {
                        tracing::error!(error = %e, "hub service failed");
                    }
                });
                runtime.shutdown_timeout(Duration::from_secs(10));
                tracing::info!("hub service stopped");
            })?;
        tracing::info!(addr = %bound, "hub listening");
        Ok(ServerHandle {
            addr: bound,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }
}
