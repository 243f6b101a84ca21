//! Decoding under limits, downscaling, rotating upright and re-encoding as JPEG without metadata.
//!
//! Order matters for speed: the image is downscaled first and rotated after, so the rotation touches 2 MP instead
//! of 12 MP (the long edge is the same either way). Transparent pixels (PNG, WebP) are composited on white, since
//! JPEG has no alpha. The JPEG encoder is given no EXIF, ICC or other metadata, so nothing of the source survives
//! but the pixels.

use std::io::Cursor;

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::metadata::Orientation;
use image::{DynamicImage, GrayImage, ImageDecoder, ImageReader, Limits, RgbImage};

use super::{PhotoError, PhotoOptions, SniffedFormat};

/// The resampling filter for downscaling: Catmull-Rom (bicubic, a = −0.5), via `fast_image_resize` (SIMD).
///
/// Measured on a 4000×3000 JPEG → 1600×1200 (release build, one x86-64 core): the `image` crate's own resize took
/// 320 ms (Catmull-Rom) / 330 ms (Lanczos3), more than the rest of the import together; `fast_image_resize` takes
/// 15 ms (Catmull-Rom) / 19 ms (Lanczos3) / 13 ms (bilinear). Catmull-Rom keeps the text of photographed papers
/// sharp with less ringing than Lanczos3 at a 2–3× reduction, and the whole import is then about 160–190 ms,
/// dominated by JPEG decoding (≈ 85 ms) and encoding (≈ 45 ms).
pub(crate) const RESIZE_FILTER: FilterType = FilterType::CatmullRom;

/// The result of [`process`].
pub(crate) struct Processed {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub orientation_applied: bool,
}

/// Decodes `bytes` (already sniffed as `format`), downscales, rotates by `orientation` (EXIF 1–8) and re-encodes.
pub(crate) fn process(
    bytes: &[u8],
    format: SniffedFormat,
    orientation: Option<u8>,
    opts: &PhotoOptions,
) -> Result<Processed, PhotoError> {
    if format == SniffedFormat::Jpeg && !jpeg_is_complete(bytes) {
        return Err(PhotoError::Corrupt(
            "JPEG data ends before the end-of-image marker".into(),
        ));
    }
    let image = flatten(decode(bytes, format, opts)?);
    let mut image = downscale(image, opts.long_edge_px)?;
    let orientation = orientation
        .and_then(Orientation::from_exif)
        .unwrap_or(Orientation::NoTransforms);
    let orientation_applied = orientation != Orientation::NoTransforms;
    image.apply_orientation(orientation);
    let (width, height) = (image.width(), image.height());
    let jpeg = encode_jpeg(&image, opts.jpeg_quality)?;
    Ok(Processed {
        jpeg,
        width,
        height,
        orientation_applied,
    })
}

fn decode(
    bytes: &[u8],
    format: SniffedFormat,
    opts: &PhotoOptions,
) -> Result<DynamicImage, PhotoError> {
    let side_limit = u32::try_from(opts.max_pixels).unwrap_or(u32::MAX);
    let mut limits = Limits::default();
    limits.max_image_width = Some(side_limit);
    limits.max_image_height = Some(side_limit);
    // Four bytes per pixel (8-bit RGBA) of the largest accepted image; a 16-bit image must be smaller.
    limits.max_alloc = Some(opts.max_pixels.saturating_mul(4));
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    reader.limits(limits);
    let decoder = reader.into_decoder().map_err(image_error)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > opts.max_pixels {
        return Err(PhotoError::TooManyPixels {
            width,
            height,
            max_pixels: opts.max_pixels,
        });
    }
    if width == 0 || height == 0 {
        return Err(PhotoError::Corrupt("image has no pixels".into()));
    }
    if decoder.total_bytes() > opts.max_pixels.saturating_mul(4) {
        return Err(PhotoError::TooManyPixels {
            width,
            height,
            max_pixels: opts.max_pixels,
        });
    }
    DynamicImage::from_decoder(decoder).map_err(image_error)
}

fn image_error(e: image::ImageError) -> PhotoError {
    match e {
        image::ImageError::Limits(_) => {
            PhotoError::Corrupt("image exceeds the decoding limits".into())
        }
        image::ImageError::Unsupported(u) => PhotoError::UnsupportedFormat(u.to_string()),
        other => PhotoError::Corrupt(other.to_string()),
    }
}

/// The size that fits `(width, height)` within a long edge of `long_edge`, keeping the aspect ratio, never larger.
pub(crate) fn fit_long_edge(width: u32, height: u32, long_edge: u32) -> (u32, u32) {
    let long = width.max(height);
    let long_edge = long_edge.max(1);
    if long <= long_edge {
        return (width, height);
    }
    let scale = |side: u32| -> u32 {
        let scaled =
            (u64::from(side) * u64::from(long_edge) + u64::from(long) / 2) / u64::from(long);
        u32::try_from(scaled)
            .unwrap_or(long_edge)
            .clamp(1, long_edge)
    };
    (scale(width), scale(height))
}

/// Downscales an 8-bit gray or RGB image (what [`flatten`] returns) to fit `long_edge`.
fn downscale(image: DynamicImage, long_edge: u32) -> Result<DynamicImage, PhotoError> {
    let (w, h) = fit_long_edge(image.width(), image.height(), long_edge);
    if (w, h) == (image.width(), image.height()) {
        return Ok(image);
    }
    let mut out = DynamicImage::new(w, h, image.color());
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(RESIZE_FILTER));
    Resizer::new()
        .resize(&image, &mut out, &options)
        .map_err(|e| PhotoError::Encode(format!("resize: {e}")))?;
    Ok(out)
}

/// Converts to 8-bit gray or RGB, compositing any transparency on white.
fn flatten(image: DynamicImage) -> DynamicImage {
    let color = image.color();
    if !color.has_alpha() {
        return match color.has_color() {
            true => DynamicImage::ImageRgb8(image.into_rgb8()),
            false => DynamicImage::ImageLuma8(image.into_luma8()),
        };
    }
    let over_white = |v: u8, a: u8| -> u8 {
        let (v, a) = (u32::from(v), u32::from(a));
        // (v·a + 255·(255 − a)) / 255, rounded; always within 0..=255.
        u8::try_from((v * a + 255 * (255 - a) + 127) / 255).unwrap_or(u8::MAX)
    };
    if color.has_color() {
        let rgba = image.into_rgba8();
        let out = RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
            let [r, g, b, a] = rgba.get_pixel(x, y).0;
            image::Rgb([over_white(r, a), over_white(g, a), over_white(b, a)])
        });
        DynamicImage::ImageRgb8(out)
    } else {
        let la = image.into_luma_alpha8();
        let out = GrayImage::from_fn(la.width(), la.height(), |x, y| {
            let [l, a] = la.get_pixel(x, y).0;
            image::Luma([over_white(l, a)])
        });
        DynamicImage::ImageLuma8(out)
    }
}

fn encode_jpeg(image: &DynamicImage, quality: u8) -> Result<Vec<u8>, PhotoError> {
    let mut out = Vec::new();
    let encoder =
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality.clamp(1, 100));
    image
        .write_with_encoder(encoder)
        .map_err(|e| PhotoError::Encode(e.to_string()))?;
    Ok(out)
}

/// Whether a JPEG's main image runs to its end-of-image marker.
///
/// The decoder is lenient and paints a truncated JPEG's missing rows grey; a photo cut off in transfer must be
/// refused instead. Marker segments are skipped by their lengths up to the first start-of-scan (so the EOI of an
/// embedded EXIF thumbnail does not count); after it, entropy-coded data cannot contain `FF D9` (a data `FF` is
/// always followed by `00`), so the first `FF D9` found is the image's end. Data after the EOI (a Motion Photo's
/// video) is allowed.
pub(crate) fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let mut i = 2; // after SOI
    loop {
        // Skip fill bytes before a marker.
        while bytes.get(i) == Some(&0xFF) && bytes.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        let (Some(&0xFF), Some(&marker)) = (bytes.get(i), bytes.get(i + 1)) else {
            return false;
        };
        match marker {
            0xD9 => return false, // EOI before any scan: no image
            0xD0..=0xD7 | 0x01 => i += 2,
            0xDA => break,
            _ => {
                let Some(len) = bytes.get(i + 2..i + 4).and_then(|b| b.first_chunk::<2>()) else {
                    return false;
                };
                let len = usize::from(u16::from_be_bytes(*len));
                if len < 2 {
                    return false;
                }
                i += 2 + len;
            }
        }
    }
    bytes
        .get(i + 2..)
        .is_some_and(|scan| scan.windows(2).any(|w| w == [0xFF, 0xD9]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_edge_fit_keeps_aspect_and_never_upscales() {
        assert_eq!(fit_long_edge(4000, 3000, 1600), (1600, 1200));
        assert_eq!(fit_long_edge(3000, 4000, 1600), (1200, 1600));
        assert_eq!(fit_long_edge(800, 600, 1600), (800, 600));
        assert_eq!(fit_long_edge(100_000, 1, 1600), (1600, 1));
        assert_eq!(fit_long_edge(5, 5, 0), (1, 1));
    }

    #[test]
    fn eoi_check_finds_truncation() {
        // SOI, APP0 (len 4: 2 data bytes), SOS (len 2), scan data containing FF 00, EOI.
        let full = [
            0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 1, 2, 0xFF, 0xDA, 0, 2, 0x12, 0xFF, 0x00, 0x34, 0xFF,
            0xD9,
        ];
        assert!(jpeg_is_complete(&full));
        assert!(!jpeg_is_complete(&full[..full.len() - 1]));
        assert!(!jpeg_is_complete(&full[..9]));
        // An EOI inside an APP segment (an EXIF thumbnail) does not count.
        let thumb_only = [
            0xFF, 0xD8, 0xFF, 0xE1, 0, 4, 0xFF, 0xD9, 0xFF, 0xDA, 0, 2, 0x12,
        ];
        assert!(!jpeg_is_complete(&thumb_only));
    }
}
