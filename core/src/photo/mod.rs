//! Photos attached to visits: validated, re-encoded, stripped and stored once by SHA-256.
//!
//! # The model
//!
//! An officer attaches a photo (the product, the facility, the packaging, the papers) to a visit by **file path**.
//! [`PhotoStore::import`] turns that file into a stored photo in five steps:
//!
//! 1. **Sniff** the format from the bytes, never from the extension. JPEG, PNG and WebP are accepted. HEIC/HEIF,
//!    what iPhones and many Android phones shoot by default, is refused with [`PhotoError::Heic`]: the platform
//!    (Android `ImageDecoder`, iOS `UIImage`) converts it to JPEG before attaching; the core carries no HEVC decoder.
//! 2. **Read EXIF** (when present): when the photo was taken, where (as a [`GpsFix`] with
//!    provider `Exif`) and how the camera was held (orientation). EXIF local time is read as Vietnam time (UTC+7)
//!    unless the photo carries its own offset. Broken EXIF never blocks an import; it is simply absent.
//! 3. **Decode** under limits (input bytes, pixel count) so a decompression bomb is refused before any large
//!    allocation, then **downscale** so the long edge is at most [`PhotoOptions::long_edge_px`] (never upscaled)
//!    and **rotate** upright according to the orientation tag.
//! 4. **Re-encode** as JPEG at [`PhotoOptions::jpeg_quality`] with **no metadata at all**: device serials, owner
//!    names and the raw GPS block never leave the phone inside the image. The visit document keeps what matters
//!    (taken-at, GPS) in its photo reference instead.
//! 5. **Store once**, content-addressed by the SHA-256 of the re-encoded bytes: `root/ab/abcdef….jpg`. Writing
//!    goes through a temporary file, `fsync`, `rename` and an `fsync` of the directory, so a photo the user saw
//!    attached survives a crash; importing the same picture twice stores one file.
//!
//! # Travelling between devices
//!
//! Photos travel after documents, in chunks (see [`CHUNK_SIZE`]). The sending side reads with
//! [`PhotoStore::read_chunk`]; the receiving side appends with [`PhotoStore::receive_chunk`] into a partial file
//! that survives an interruption, asks [`PhotoStore::receive_offset`] where to resume, and ends with
//! [`PhotoStore::finish_receive`], which checks the SHA-256 before the photo becomes visible. A hash that comes
//! from outside is always checked to be 64 lowercase hex digits, so a hostile peer cannot name a path.
//!
//! [`testing`] holds generators of real JPEG/PNG/WebP files with real EXIF, for tests, demos and benchmarks.

mod error;
mod meta;
mod process;
mod receive;
mod sniff;
mod store;
pub mod testing;

pub use error::PhotoError;
pub use sniff::{SniffedFormat, sniff_format};
pub use store::{PhotoStore, is_valid_hash};

use crate::{gps::GpsFix, ids::Millis};

/// The chunk size photos travel in between devices: 256 KiB.
pub const CHUNK_SIZE: usize = 256 * 1024;

/// The largest photo file a peer may send (64 MiB). Re-encoded photos are far smaller; anything bigger is refused
/// before it fills the disk.
pub const MAX_RECEIVE_BYTES: u64 = 64 * 1024 * 1024;

/// How photos are processed on import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoOptions {
    /// The longest edge of the stored photo, in pixels (default 1600). Smaller photos are never upscaled.
    pub long_edge_px: u32,
    /// JPEG quality of the stored photo, 1–100 (default 80). Values outside are clamped.
    pub jpeg_quality: u8,
    /// The largest source file accepted, in bytes (default 40 MB).
    pub max_input_bytes: u64,
    /// The largest source image accepted, in pixels (width × height; default 100 million). Protects against
    /// decompression bombs: a small file that claims enormous dimensions is refused before decoding.
    pub max_pixels: u64,
}

impl Default for PhotoOptions {
    fn default() -> Self {
        Self {
            long_edge_px: 1600,
            jpeg_quality: 80,
            max_input_bytes: 40 * 1024 * 1024,
            max_pixels: 100_000_000,
        }
    }
}

/// What [`PhotoStore::import`] stored and what it learnt from the source file.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedPhoto {
    /// SHA-256 of the stored JPEG, 64 lowercase hex digits: the photo's identity everywhere.
    pub hash: String,
    /// Size of the stored JPEG in bytes.
    pub bytes: u64,
    /// Width of the stored JPEG in pixels (after rotation and downscaling).
    pub width: u32,
    /// Height of the stored JPEG in pixels (after rotation and downscaling).
    pub height: u32,
    /// Always `"image/jpeg"`: every stored photo is re-encoded as JPEG.
    pub mime: &'static str,
    /// When the photo was taken, from EXIF `DateTimeOriginal` (UTC+7 unless the photo says otherwise).
    pub taken_at: Option<Millis>,
    /// Where the photo was taken, from the EXIF GPS block.
    pub exif_gps: Option<GpsFix>,
    /// The EXIF orientation asked for a rotation or flip, and it was applied to the pixels.
    pub orientation_applied: bool,
    /// The same photo (same stored bytes) was already in the store; nothing was written.
    pub already_stored: bool,
}
