//! # OCOP Field core
//!
//! The whole domain and engine of OCOP Field, an offline-first field-survey tool for Vietnam's OCOP programme
//! (Mỗi xã một sản phẩm). No FFI types and no async runtime live here: `bindings/` and `hub/` wrap this crate.
//!
//! Data flows one way: **capture → validate → document → store → sync → merge → project → review/report**.
//! See `ARCHITECTURE.md` at the top of the repository for the module map.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod doc;
pub mod duplicates;
pub mod error;
pub mod forms;
pub mod gps;
pub mod history;
pub mod identity;
pub mod ids;
pub mod permissions;
pub mod photo;
pub mod places;
pub mod records;
pub mod reports;
pub mod reference;
pub mod review;
pub mod sample;
pub mod store;
pub mod sync;
pub mod text;

pub use error::{Error, Result};
