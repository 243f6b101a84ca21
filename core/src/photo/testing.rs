//! Generators of real image files for tests, demos and benchmarks.
//!
//! The pictures are simple (a colour gradient, a few discs and light noise, all derived from a seed) so that
//! different seeds give different files and hashes, and big ones compress about like a photo. EXIF is real:
//! written with `kamadak-exif`'s TIFF writer and embedded by the encoder (JPEG APP1 `Exif\0\0`, PNG `eXIf`,
//! WebP `EXIF` chunk), the way cameras and phones store it.

use std::io::Cursor;
use std::path::Path;

use chrono::{FixedOffset, TimeZone};
use exif::experimental::Writer;
use exif::{Field, In, Rational, Tag, Value};
use image::{ImageEncoder, RgbImage};

use super::PhotoError;
use super::meta::VIETNAM_OFFSET_MINUTES;
use crate::ids::Millis;

/// EXIF to embed in a generated image. Every field is optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExifSpec {
    /// Written as `DateTimeOriginal` (local wall-clock time) and `SubSecTimeOriginal`.
    pub taken_at: Option<Millis>,
    /// The UTC offset, in minutes, of the wall-clock time. `None` writes Vietnam local time (UTC+7) and no
    /// `OffsetTimeOriginal` tag, like most phones; `Some(m)` writes the time at offset `m` and the tag.
    pub utc_offset_minutes: Option<i16>,
    /// Latitude and longitude in degrees, written as the GPS IFD (with `GPSDateStamp`/`GPSTimeStamp` from
    /// `taken_at` when given).
    pub gps: Option<(f64, f64)>,
    /// Written as `GPSHPositioningError`, metres.
    pub gps_accuracy_m: Option<f64>,
    /// The orientation tag, 1–8.
    pub orientation: Option<u16>,
    /// Written as both `Artist` and `CameraOwnerName`, like a phone set up with its owner's name.
    pub owner_name: Option<String>,
}

/// Writes a real baseline JPEG of `width`×`height` pixels (quality 90) to `path`, with `exif` embedded.
pub fn generate_jpeg(
    path: &Path,
    width: u32,
    height: u32,
    seed: u64,
    exif: Option<&ExifSpec>,
) -> Result<(), PhotoError> {
    let mut out = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
    if let Some(spec) = exif {
        encoder
            .set_exif_metadata(exif_tiff(spec)?)
            .map_err(|e| PhotoError::Encode(e.to_string()))?;
    }
    let picture = picture(width, height, seed);
    encoder
        .write_image(
            picture.as_raw(),
            width,
            height,
            image::ExtendedColorType::Rgb8,
        )
        .map_err(|e| PhotoError::Encode(e.to_string()))?;
    write(path, &out)
}

/// Writes a real PNG (RGB, 8-bit) to `path`, with `exif` embedded as an `eXIf` chunk.
pub fn generate_png(
    path: &Path,
    width: u32,
    height: u32,
    seed: u64,
    exif: Option<&ExifSpec>,
) -> Result<(), PhotoError> {
    let mut out = Vec::new();
    let mut encoder = image::codecs::png::PngEncoder::new(&mut out);
    if let Some(spec) = exif {
        encoder
            .set_exif_metadata(exif_tiff(spec)?)
            .map_err(|e| PhotoError::Encode(e.to_string()))?;
    }
    let picture = picture(width, height, seed);
    encoder
        .write_image(
            picture.as_raw(),
            width,
            height,
            image::ExtendedColorType::Rgb8,
        )
        .map_err(|e| PhotoError::Encode(e.to_string()))?;
    write(path, &out)
}

/// Writes a real lossless WebP to `path`, with `exif` embedded as an `EXIF` chunk.
pub fn generate_webp(
    path: &Path,
    width: u32,
    height: u32,
    seed: u64,
    exif: Option<&ExifSpec>,
) -> Result<(), PhotoError> {
    let mut out = Vec::new();
    let mut encoder = image::codecs::webp::WebPEncoder::new_lossless(&mut out);
    if let Some(spec) = exif {
        encoder
            .set_exif_metadata(exif_tiff(spec)?)
            .map_err(|e| PhotoError::Encode(e.to_string()))?;
    }
    let picture = picture(width, height, seed);
    encoder
        .write_image(
            picture.as_raw(),
            width,
            height,
            image::ExtendedColorType::Rgb8,
        )
        .map_err(|e| PhotoError::Encode(e.to_string()))?;
    write(path, &out)
}

/// The smallest HEIC-looking file: a `ftyp` box with major brand `heic` and compatible `mif1`, `heic`.
pub fn heic_sample() -> Vec<u8> {
    let mut b = 24u32.to_be_bytes().to_vec();
    b.extend_from_slice(b"ftypheic");
    b.extend_from_slice(&0u32.to_be_bytes());
    b.extend_from_slice(b"mif1heic");
    b
}

/// Cuts the file at `path` down to its first `keep` bytes.
pub fn truncate(path: &Path, keep: u64) -> Result<(), PhotoError> {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(PhotoError::io("open a test file"))?;
    file.set_len(keep)
        .map_err(PhotoError::io("truncate a test file"))
}

/// Overwrites `count` bytes of the file at `path` with seeded garbage, spread over its second half (past the
/// headers, so the format is still recognised).
pub fn corrupt(path: &Path, seed: u64, count: usize) -> Result<(), PhotoError> {
    let mut bytes = std::fs::read(path).map_err(PhotoError::io("read a test file"))?;
    let len = bytes.len();
    let mut state = seed;
    for _ in 0..count {
        if len < 2 {
            break;
        }
        let at = len / 2 + usize::try_from(splitmix(&mut state)).unwrap_or(0) % (len - len / 2);
        if let Some(b) = bytes.get_mut(at) {
            *b = splitmix(&mut state).to_le_bytes()[0];
        }
    }
    write(path, &bytes)
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), PhotoError> {
    std::fs::write(path, bytes).map_err(PhotoError::io("write a test file"))
}

/// SplitMix64: a tiny, good-enough seeded generator.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A seeded picture: a diagonal colour gradient, three discs and ±8 levels of noise.
pub fn picture(width: u32, height: u32, seed: u64) -> RgbImage {
    let mut state = seed;
    let mut next = || splitmix(&mut state);
    let base: [u8; 3] = [next() as u8, next() as u8, next() as u8];
    let discs: Vec<(f32, f32, f32, [u8; 3])> = (0..3)
        .map(|_| {
            let cx = (next() % u64::from(width.max(1))) as f32;
            let cy = (next() % u64::from(height.max(1))) as f32;
            let r = (width.min(height) as f32) * (0.1 + (next() % 20) as f32 / 100.0);
            (cx, cy, r * r, [next() as u8, next() as u8, next() as u8])
        })
        .collect();
    let (w, h) = (width.max(1) as f32, height.max(1) as f32);
    let mut noise = seed ^ 0xA5A5_A5A5;
    RgbImage::from_fn(width, height, |x, y| {
        let (fx, fy) = (x as f32, y as f32);
        let t = (fx / w + fy / h) * 0.5;
        let mut px = [0u8; 3];
        for (c, out) in px.iter_mut().enumerate() {
            let b = f32::from(base.get(c).copied().unwrap_or(0));
            let mut v = b * (1.0 - t) + (255.0 - b) * t;
            for (cx, cy, r2, color) in &discs {
                if (fx - cx).powi(2) + (fy - cy).powi(2) < *r2 {
                    v = f32::from(color.get(c).copied().unwrap_or(0));
                }
            }
            let n = (splitmix(&mut noise) % 17) as f32 - 8.0;
            *out = (v + n).clamp(0.0, 255.0) as u8;
        }
        image::Rgb(px)
    })
}

fn ascii(tag: Tag, ifd: In, text: &str) -> Field {
    Field {
        tag,
        ifd_num: ifd,
        value: Value::Ascii(vec![text.as_bytes().to_vec()]),
    }
}

fn rational(v: f64, denom: u32) -> Rational {
    Rational {
        num: (v * f64::from(denom))
            .round()
            .clamp(0.0, f64::from(u32::MAX)) as u32,
        denom,
    }
}

/// Degrees as EXIF degrees/minutes/seconds rationals.
fn dms(deg: f64) -> Value {
    let deg = deg.abs();
    let d = deg.trunc();
    let m = ((deg - d) * 60.0).trunc();
    let s = (deg - d - m / 60.0) * 3600.0;
    Value::Rational(vec![rational(d, 1), rational(m, 1), rational(s, 10_000)])
}

/// The EXIF of `spec` as a TIFF structure (what follows `Exif\0\0` in a JPEG APP1 segment).
pub fn exif_tiff(spec: &ExifSpec) -> Result<Vec<u8>, PhotoError> {
    let mut fields = vec![ascii(Tag::Make, In::PRIMARY, "OCOP Field test camera")];
    if let Some(o) = spec.orientation {
        fields.push(Field {
            tag: Tag::Orientation,
            ifd_num: In::PRIMARY,
            value: Value::Short(vec![o]),
        });
    }
    if let Some(owner) = &spec.owner_name {
        fields.push(ascii(Tag::Artist, In::PRIMARY, owner));
        fields.push(ascii(Tag::CameraOwnerName, In::PRIMARY, owner));
    }
    let utc = spec
        .taken_at
        .and_then(chrono::DateTime::from_timestamp_millis);
    if let Some(utc) = utc {
        let offset = spec
            .utc_offset_minutes
            .map_or(VIETNAM_OFFSET_MINUTES, i32::from);
        let zone = FixedOffset::east_opt(offset * 60)
            .ok_or_else(|| PhotoError::Encode("bad UTC offset".into()))?;
        let local = zone.from_utc_datetime(&utc.naive_utc());
        fields.push(ascii(
            Tag::DateTimeOriginal,
            In::PRIMARY,
            &local.format("%Y:%m:%d %H:%M:%S").to_string(),
        ));
        fields.push(ascii(
            Tag::SubSecTimeOriginal,
            In::PRIMARY,
            &local.format("%3f").to_string(),
        ));
        if spec.utc_offset_minutes.is_some() {
            fields.push(ascii(
                Tag::OffsetTimeOriginal,
                In::PRIMARY,
                &local.format("%:z").to_string(),
            ));
        }
    }
    if let Some((lat, lon)) = spec.gps {
        fields.push(Field {
            tag: Tag::GPSVersionID,
            ifd_num: In::PRIMARY,
            value: Value::Byte(vec![2, 3, 0, 0]),
        });
        fields.push(ascii(
            Tag::GPSLatitudeRef,
            In::PRIMARY,
            if lat < 0.0 { "S" } else { "N" },
        ));
        fields.push(Field {
            tag: Tag::GPSLatitude,
            ifd_num: In::PRIMARY,
            value: dms(lat),
        });
        fields.push(ascii(
            Tag::GPSLongitudeRef,
            In::PRIMARY,
            if lon < 0.0 { "W" } else { "E" },
        ));
        fields.push(Field {
            tag: Tag::GPSLongitude,
            ifd_num: In::PRIMARY,
            value: dms(lon),
        });
        if let Some(acc) = spec.gps_accuracy_m {
            let value = Value::Rational(vec![rational(acc, 1000)]);
            fields.push(Field {
                tag: Tag::GPSHPositioningError,
                ifd_num: In::PRIMARY,
                value,
            });
        }
        if let Some(utc) = utc {
            fields.push(ascii(
                Tag::GPSDateStamp,
                In::PRIMARY,
                &utc.format("%Y:%m:%d").to_string(),
            ));
            let hms = utc.format("%H %M %S%.3f").to_string();
            let parts: Vec<f64> = hms.split(' ').filter_map(|p| p.parse().ok()).collect();
            let value = Value::Rational(parts.iter().map(|p| rational(*p, 1000)).collect());
            fields.push(Field {
                tag: Tag::GPSTimeStamp,
                ifd_num: In::PRIMARY,
                value,
            });
        }
    }
    let mut writer = Writer::new();
    for field in &fields {
        writer.push_field(field);
    }
    let mut buf = Cursor::new(Vec::new());
    writer
        .write(&mut buf, false)
        .map_err(|e| PhotoError::Encode(e.to_string()))?;
    Ok(buf.into_inner())
}
