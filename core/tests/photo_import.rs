//! An officer attaches photos to a visit: what gets stored, what is read from EXIF, what is refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use ocop_core::gps::GpsProvider;
use ocop_core::photo::testing::{self, ExifSpec};
use ocop_core::photo::{ImportedPhoto, PhotoError, PhotoOptions, PhotoStore};

struct Fixture {
    dir: tempfile::TempDir,
    store: PhotoStore,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = PhotoStore::new(dir.path().join("photos"));
        Self { dir, store }
    }
    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn import(&self, path: &Path) -> Result<ImportedPhoto, PhotoError> {
        self.store.import(path, &PhotoOptions::default())
    }
}

/// 2024-03-15 09:30:12.345 in Vietnam (UTC+7) = 02:30:12.345 UTC.
const TAKEN_AT: i64 = 1_710_469_812_345;

fn decoded(bytes: &[u8]) -> image::DynamicImage {
    image::load_from_memory_with_format(bytes, image::ImageFormat::Jpeg).unwrap()
}

#[test]
fn each_accepted_format_is_stored_as_a_jpeg() {
    let f = Fixture::new();
    let jpg = f.file("a.jpg");
    let png = f.file("b.dat"); // the extension does not matter
    let webp = f.file("c.webp");
    testing::generate_jpeg(&jpg, 320, 240, 1, None).unwrap();
    testing::generate_png(&png, 320, 240, 2, None).unwrap();
    testing::generate_webp(&webp, 320, 240, 3, None).unwrap();
    for path in [&jpg, &png, &webp] {
        let photo = f.import(path).unwrap();
        assert_eq!(
            (photo.width, photo.height, photo.mime),
            (320, 240, "image/jpeg")
        );
        assert!(!photo.already_stored);
        let stored = f.store.read_all(&photo.hash).unwrap();
        assert_eq!(stored.len() as u64, photo.bytes);
        assert_eq!(&stored[..3], &[0xFF, 0xD8, 0xFF]);
        assert_eq!(decoded(&stored).width(), 320);
        assert!(f.store.verify(&photo.hash).unwrap());
    }
    assert_eq!(f.store.list().unwrap().len(), 3);
}

#[test]
fn heic_is_refused_with_advice_to_convert() {
    let f = Fixture::new();
    let path = f.file("IMG_0001.JPG"); // an iPhone HEIC renamed .JPG is still HEIC
    std::fs::write(&path, testing::heic_sample()).unwrap();
    let err = f.import(&path).unwrap_err();
    assert!(matches!(err, PhotoError::Heic), "{err:?}");
    assert!(err.to_string().contains("convert to JPEG"));
}

#[test]
fn broken_files_are_typed_errors() {
    let f = Fixture::new();
    let jpg = f.file("cut.jpg");
    testing::generate_jpeg(&jpg, 400, 300, 4, None).unwrap();
    let len = std::fs::metadata(&jpg).unwrap().len();
    testing::truncate(&jpg, len * 2 / 3).unwrap();
    assert!(matches!(f.import(&jpg), Err(PhotoError::Corrupt(_))));

    let png = f.file("cut.png");
    testing::generate_png(&png, 400, 300, 5, None).unwrap();
    let len = std::fs::metadata(&png).unwrap().len();
    testing::truncate(&png, len / 2).unwrap();
    assert!(matches!(f.import(&png), Err(PhotoError::Corrupt(_))));

    let noise = f.file("noise.jpg");
    std::fs::write(
        &noise,
        (0..4096u32)
            .map(|i| (i * 7919 % 251) as u8)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    assert!(matches!(
        f.import(&noise),
        Err(PhotoError::UnsupportedFormat(_))
    ));

    let empty = f.file("empty.jpg");
    std::fs::write(&empty, b"").unwrap();
    assert!(matches!(f.import(&empty), Err(PhotoError::Empty)));

    let missing = f.import(&f.file("missing.jpg")).unwrap_err();
    assert_eq!(missing.io_kind(), Some(std::io::ErrorKind::NotFound));
    assert!(
        f.store.list().unwrap().is_empty(),
        "nothing is stored from a broken file"
    );
}

#[test]
fn limits_refuse_oversized_inputs_before_decoding() {
    let f = Fixture::new();
    let jpg = f.file("big.jpg");
    testing::generate_jpeg(&jpg, 300, 200, 6, None).unwrap();
    let opts = PhotoOptions {
        max_pixels: 50_000,
        ..PhotoOptions::default()
    };
    let err = f.store.import(&jpg, &opts).unwrap_err();
    assert!(
        matches!(
            err,
            PhotoError::TooManyPixels {
                width: 300,
                height: 200,
                ..
            }
        ),
        "{err:?}"
    );
    let opts = PhotoOptions {
        max_input_bytes: 100,
        ..PhotoOptions::default()
    };
    assert!(matches!(
        f.store.import(&jpg, &opts),
        Err(PhotoError::TooLarge { max: 100, .. })
    ));
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
}

#[test]
fn decompression_bombs_are_refused_before_decoding() {
    let f = Fixture::new();
    // A PNG of a few dozen bytes claiming 60000×60000 pixels (10 GB decoded).
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&60_000u32.to_be_bytes());
    ihdr.extend_from_slice(&60_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    png_chunk(&mut png, b"IHDR", &ihdr);
    png_chunk(
        &mut png,
        b"IDAT",
        &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    png_chunk(&mut png, b"IEND", &[]);
    let path = f.file("bomb.png");
    std::fs::write(&path, &png).unwrap();
    let err = f.import(&path).unwrap_err();
    assert!(
        matches!(
            err,
            PhotoError::TooManyPixels {
                width: 60_000,
                height: 60_000,
                ..
            }
        ),
        "{err:?}"
    );

    // A real small JPEG whose frame header is patched to claim 65000×65000.
    let path = f.file("bomb.jpg");
    testing::generate_jpeg(&path, 48, 32, 17, None).unwrap();
    let mut jpeg = std::fs::read(&path).unwrap();
    let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    jpeg[sof + 5..sof + 9].copy_from_slice(&[0xFD, 0xE8, 0xFD, 0xE8]);
    std::fs::write(&path, &jpeg).unwrap();
    let err = f.import(&path).unwrap_err();
    assert!(
        matches!(
            err,
            PhotoError::TooManyPixels {
                width: 65_000,
                height: 65_000,
                ..
            }
        ),
        "{err:?}"
    );
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn exif_time_gps_and_accuracy_are_read() {
    let f = Fixture::new();
    let path = f.file("product.jpg");
    let spec = ExifSpec {
        taken_at: Some(TAKEN_AT),
        gps: Some((21.028_511, 105.804_817)),
        gps_accuracy_m: Some(4.5),
        ..ExifSpec::default()
    };
    testing::generate_jpeg(&path, 200, 100, 7, Some(&spec)).unwrap();
    let photo = f.import(&path).unwrap();
    assert_eq!(
        photo.taken_at,
        Some(TAKEN_AT),
        "wall-clock time read as UTC+7"
    );
    let gps = photo.exif_gps.unwrap();
    assert!(
        (gps.lat - 21.028_511).abs() < 1e-6 && (gps.lon - 105.804_817).abs() < 1e-6,
        "{gps:?}"
    );
    assert_eq!(gps.accuracy_m, Some(4.5));
    assert_eq!(
        (gps.provider, gps.mock, gps.time),
        (GpsProvider::Exif, false, TAKEN_AT)
    );
    assert!(!photo.orientation_applied);
}

#[test]
fn an_explicit_offset_overrides_vietnam_time() {
    let f = Fixture::new();
    let path = f.file("abroad.png");
    // Taken by a camera set to UTC+9 (Seoul): the wall clock says 11:30, which is still 02:30 UTC.
    let spec = ExifSpec {
        taken_at: Some(TAKEN_AT),
        utc_offset_minutes: Some(9 * 60),
        ..ExifSpec::default()
    };
    testing::generate_png(&path, 64, 64, 8, Some(&spec)).unwrap();
    assert_eq!(f.import(&path).unwrap().taken_at, Some(TAKEN_AT));
    // The same wall-clock time without the offset tag would be read as Vietnam time, two hours later.
    let spec = ExifSpec {
        utc_offset_minutes: None,
        taken_at: Some(TAKEN_AT + 2 * 3_600_000),
        ..spec
    };
    testing::generate_png(&path, 64, 64, 8, Some(&spec)).unwrap();
    assert_eq!(
        f.import(&path).unwrap().taken_at,
        Some(TAKEN_AT + 2 * 3_600_000)
    );
}

#[test]
fn southern_western_gps_in_webp() {
    let f = Fixture::new();
    let path = f.file("w.webp");
    let spec = ExifSpec {
        gps: Some((-33.8688, -70.5)),
        ..ExifSpec::default()
    };
    testing::generate_webp(&path, 64, 48, 9, Some(&spec)).unwrap();
    let gps = f.import(&path).unwrap().exif_gps.unwrap();
    assert!(
        (gps.lat + 33.8688).abs() < 1e-6 && (gps.lon + 70.5).abs() < 1e-6,
        "{gps:?}"
    );
}

#[test]
fn orientation_is_applied_to_the_pixels() {
    let f = Fixture::new();
    let path = f.file("rotated.jpg");
    let spec = ExifSpec {
        orientation: Some(6),
        ..ExifSpec::default()
    };
    testing::generate_jpeg(&path, 400, 200, 10, Some(&spec)).unwrap();
    let photo = f.import(&path).unwrap();
    assert!(photo.orientation_applied);
    assert_eq!((photo.width, photo.height), (200, 400));
    let img = decoded(&f.store.read_all(&photo.hash).unwrap());
    assert_eq!((img.width(), img.height()), (200, 400));
    // Orientation 6 = rotate 90° clockwise: the source's top-left corner ends at the top-right.
    let src = testing::picture(400, 200, 10);
    let (a, b) = (src.get_pixel(2, 2).0, img.to_rgb8().get_pixel(197, 2).0);
    assert!(
        a.iter().zip(b).all(|(x, y)| x.abs_diff(y) < 40),
        "{a:?} vs {b:?}"
    );
}

#[test]
fn large_photos_are_downscaled_keeping_aspect_and_small_ones_are_not_upscaled() {
    let f = Fixture::new();
    let big = f.file("big.jpg");
    testing::generate_jpeg(&big, 2400, 1800, 11, None).unwrap();
    let photo = f.import(&big).unwrap();
    assert_eq!((photo.width, photo.height), (1600, 1200));
    let tall = f.file("tall.png");
    testing::generate_png(&tall, 900, 2000, 12, None).unwrap();
    let photo = f.import(&tall).unwrap();
    assert_eq!((photo.width, photo.height), (720, 1600));
    let small = f.file("small.jpg");
    testing::generate_jpeg(&small, 640, 480, 13, None).unwrap();
    let photo = f.import(&small).unwrap();
    assert_eq!((photo.width, photo.height), (640, 480));
    let custom = PhotoOptions {
        long_edge_px: 320,
        ..PhotoOptions::default()
    };
    let photo = f.store.import(&big, &custom).unwrap();
    assert_eq!((photo.width, photo.height), (320, 240));
}

#[test]
fn the_same_photo_is_stored_once() {
    let f = Fixture::new();
    let path = f.file("same.jpg");
    testing::generate_jpeg(&path, 300, 300, 14, None).unwrap();
    let first = f.import(&path).unwrap();
    let second = f.import(&path).unwrap();
    assert!(!first.already_stored && second.already_stored);
    assert_eq!(first.hash, second.hash);
    assert_eq!(f.store.list().unwrap(), vec![first.hash.clone()]);
    let other = f.file("other.jpg");
    testing::generate_jpeg(&other, 300, 300, 15, None).unwrap();
    assert_ne!(
        f.import(&other).unwrap().hash,
        first.hash,
        "another seed is another photo"
    );
}

/// The JPEG segments before the scan, as (marker, payload).
fn segments(jpeg: &[u8]) -> Vec<(u8, &[u8])> {
    let mut out = Vec::new();
    let mut i = 2;
    while i + 4 <= jpeg.len() && jpeg[i] == 0xFF && jpeg[i + 1] != 0xDA {
        let len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
        out.push((jpeg[i + 1], &jpeg[i + 4..i + 2 + len]));
        i += 2 + len;
    }
    out
}

#[test]
fn the_stored_photo_carries_no_exif() {
    let f = Fixture::new();
    let path = f.file("owner.jpg");
    let owner = "Nguyễn Thị Hoa";
    let spec = ExifSpec {
        taken_at: Some(TAKEN_AT),
        gps: Some((10.5, 106.5)),
        orientation: Some(1),
        owner_name: Some(owner.into()),
        ..ExifSpec::default()
    };
    testing::generate_jpeg(&path, 320, 240, 16, Some(&spec)).unwrap();
    let source = std::fs::read(&path).unwrap();
    assert!(
        segments(&source)
            .iter()
            .any(|(m, p)| *m == 0xE1 && p.starts_with(b"Exif\0\0")),
        "source has EXIF"
    );
    assert!(
        source.windows(owner.len()).any(|w| w == owner.as_bytes()),
        "source names the owner"
    );

    let photo = f.import(&path).unwrap();
    assert_eq!(
        photo.taken_at,
        Some(TAKEN_AT),
        "kept in the reference instead"
    );
    let stored = f.store.read_all(&photo.hash).unwrap();
    let segs = segments(&stored);
    assert!(!segs.is_empty());
    assert!(
        segs.iter().all(|(m, _)| !(0xE1..=0xEF).contains(m)),
        "no APP1..APP15 segment"
    );
    assert!(!stored.windows(owner.len()).any(|w| w == owner.as_bytes()));
    assert!(!stored.windows(4).any(|w| w == b"Exif"));
    let parsed = exif::Reader::new().read_from_container(&mut std::io::Cursor::new(&stored));
    assert!(parsed.is_err(), "exif reader finds nothing");
}

#[test]
fn transparent_png_is_flattened_on_white() {
    let f = Fixture::new();
    let path = f.file("logo.png");
    image::RgbaImage::from_pixel(40, 30, image::Rgba([0, 0, 0, 0]))
        .save(&path)
        .unwrap();
    let photo = f.import(&path).unwrap();
    let img = decoded(&f.store.read_all(&photo.hash).unwrap()).to_rgb8();
    assert!(
        img.get_pixel(20, 15).0.iter().all(|&c| c > 245),
        "{:?}",
        img.get_pixel(20, 15)
    );
}

#[test]
fn exif_written_by_another_tool_is_read_the_same_way() {
    // Little-endian EXIF by ExifTool; see fixtures/photos/README.md.
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/photos/exiftool_intel.jpg");
    let f = Fixture::new();
    let photo = f.import(&path).unwrap();
    // 2025-07-01 08:15:30.250 in Vietnam.
    assert_eq!(photo.taken_at, Some(1_751_332_530_250));
    let gps = photo.exif_gps.unwrap();
    assert!(
        (gps.lat + 12.2388).abs() < 1e-6 && (gps.lon + 109.1967).abs() < 1e-6,
        "{gps:?}"
    );
    assert_eq!(gps.altitude_m, Some(-12.5));
    assert_eq!((gps.accuracy_m, gps.time), (None, 1_751_332_530_250));
    // Orientation 8 (rotate 270° clockwise) turns 48×24 upright into 24×48.
    assert!(photo.orientation_applied);
    assert_eq!((photo.width, photo.height), (24, 48));
    let stored = f.store.read_all(&photo.hash).unwrap();
    for secret in [&b"SN-0042"[..], b"Tran Van Binh", b"TestPhone"] {
        assert!(!stored.windows(secret.len()).any(|w| w == secret));
    }
}
