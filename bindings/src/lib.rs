//! # ocop-ffi: OCOP Field for Android and iOS
//!
//! The UniFFI surface over `ocop-core`: conversion and delegation only, no rule of the domain (those live in
//! the core). Kotlin and Swift bindings are generated from the built library with the `uniffi-bindgen` binary of
//! this crate; the idiomatic wrappers live in `android/` and `ios/` (see `bindings/README.md`).
//!
//! - [`OcopStore`] — one device store: a cheap constructor, then explicit `open()` and `close_store()`; capture and edit
//!   producers, products and visits; attach photos by file path; list, search; conflicts and their resolution;
//!   sync with a hub over the built-in HTTP transport or over a transport supplied by the app.
//! - [`enroll`] — exchange a one-time enrollment code for a device token.
//! - [`SyncProgressListener`], [`SyncTransport`] — foreign traits the app implements.
//! - [`OcopError`] — the one error type (Kotlin `OcopException`).
//!
//! Every call that touches the disk or the network **blocks**; call it from a background thread (the Kotlin
//! wrapper runs them on `Dispatchers.IO`, the Swift wrapper in detached tasks). Every object is `Send + Sync`.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod callbacks;
mod error;
mod store;
pub mod types;

pub use callbacks::{SyncProgressListener, SyncTransport};
pub use error::{OcopError, Result};
pub use store::{OcopStore, enroll};

uniffi::setup_scaffolding!("ocop");
