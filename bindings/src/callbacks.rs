//! Foreign traits: what the app implements (a sync progress listener, optionally its own transport), and the
//! adapters that plug them into the core's `ProgressSink` and `Transport`.
//!
//! Callbacks may come from any thread the sync runs on, so both traits are `Send + Sync`. An app's callback can
//! fail in three ways, and none of them brings the process down:
//! - it returns an `OcopError` (Kotlin: throws `OcopException`): a transport's error ends the sync with exactly
//!   that error; a listener's error is counted in `SyncReport.listener_failures` and the sync goes on;
//! - it throws anything else: uniffi reports it as an unexpected callback error, mapped to `OcopError.Internal`,
//!   then as above;
//! - it panics (a Rust implementation): the panic is caught here and treated like an `Internal` error.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use ocop_core::sync::{ProgressSink, Transport, TransportError};

use crate::error::OcopError;
use crate::types::sync::SyncProgress;

/// Receives progress reports during a sync (for a progress bar). Called after each applied frame of changes
/// and each photo chunk, on the thread that runs the sync. Keep it quick.
#[uniffi::export(with_foreign)]
pub trait SyncProgressListener: Send + Sync {
    /// One progress report. An error here is counted and the sync goes on.
    fn on_progress(&self, progress: SyncProgress) -> Result<(), OcopError>;
}

/// A transport supplied by the app (Bluetooth, Wi-Fi Direct, the platform's own HTTP stack with a proxy …):
/// carries one request message to the peer and brings back its reply. Called on the thread that runs the sync.
#[uniffi::export(with_foreign)]
pub trait SyncTransport: Send + Sync {
    /// Sends `request` to the peer and returns its reply. An error ends the sync with that error; everything
    /// applied before it stays applied.
    fn exchange(&self, request: Vec<u8>) -> Result<Vec<u8>, OcopError>;
}

fn panic_reason(p: Box<dyn std::any::Any + Send>) -> String {
    let what = p
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    format!("callback panicked: {what}")
}

/// The app's listener as the core's progress sink.
pub(crate) struct ListenerSink {
    listener: Option<Arc<dyn SyncProgressListener>>,
    failures: AtomicU32,
}

impl ListenerSink {
    pub(crate) fn new(listener: Option<Arc<dyn SyncProgressListener>>) -> Self {
        Self {
            listener,
            failures: AtomicU32::new(0),
        }
    }

    /// How many reports the listener failed on.
    pub(crate) fn failures(&self) -> u32 {
        self.failures.load(Ordering::Relaxed)
    }
}

impl ProgressSink for ListenerSink {
    fn progress(&self, progress: &ocop_core::sync::SyncProgress) {
        let Some(listener) = &self.listener else {
            return;
        };
        let p = SyncProgress::from(progress);
        let outcome = catch_unwind(AssertUnwindSafe(|| listener.on_progress(p)))
            .unwrap_or_else(|panic| Err(OcopError::Internal {
                reason: panic_reason(panic),
            }));
        if let Err(e) = outcome {
            self.failures.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(error = %e, "sync progress listener failed; sync goes on");
        }
    }
}

/// The app's transport as the core's transport. Keeps the app's own error so that the sync returns it as it was.
pub(crate) struct ForeignTransport {
    inner: Arc<dyn SyncTransport>,
    pub(crate) error: Option<OcopError>,
}

impl ForeignTransport {
    pub(crate) fn new(inner: Arc<dyn SyncTransport>) -> Self {
        Self { inner, error: None }
    }
}

impl Transport for ForeignTransport {
    fn exchange(&mut self, request: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        let outcome = catch_unwind(AssertUnwindSafe(|| self.inner.exchange(request)))
            .unwrap_or_else(|panic| Err(OcopError::Internal {
                reason: panic_reason(panic),
            }));
        outcome.map_err(|e| {
            let shown = e.to_string();
            self.error = Some(e);
            TransportError::Unreachable(shown)
        })
    }
}
