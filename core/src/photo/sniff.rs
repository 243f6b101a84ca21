//! Format sniffing from the first bytes of a file, never from its name.
//!
//! HEIC/HEIF files are ISO base media files: a `ftyp` box whose major or compatible brands name the HEIF family
//! (`heic`, `heix`, `mif1`, `msf1` …). AVIF uses the same container (and often lists `mif1` as compatible); it is
//! recognised by its own brands first so that it is reported as AVIF, not as HEIC.

use super::PhotoError;

/// An accepted source format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SniffedFormat {
    /// JPEG (`FF D8 FF`).
    Jpeg,
    /// PNG (`89 'PNG' 0D 0A 1A 0A`).
    Png,
    /// WebP (`'RIFF' size 'WEBP'`).
    WebP,
}

impl SniffedFormat {
    /// The matching decoder format of the `image` crate.
    pub(crate) fn image_format(self) -> image::ImageFormat {
        match self {
            Self::Jpeg => image::ImageFormat::Jpeg,
            Self::Png => image::ImageFormat::Png,
            Self::WebP => image::ImageFormat::WebP,
        }
    }
}

const HEIF_BRANDS: &[&[u8; 4]] = &[
    b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1",
    b"mif2",
];
const AVIF_BRANDS: &[&[u8; 4]] = &[b"avif", b"avis"];

/// Tells which accepted format `bytes` (the start of a file; 64 bytes are plenty) is in.
///
/// Returns [`PhotoError::Empty`] for no bytes, [`PhotoError::Heic`] for HEIC/HEIF and
/// [`PhotoError::UnsupportedFormat`] naming the format when it is recognised (GIF, AVIF, PDF …).
pub fn sniff_format(bytes: &[u8]) -> Result<SniffedFormat, PhotoError> {
    if bytes.is_empty() {
        return Err(PhotoError::Empty);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(SniffedFormat::Jpeg);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(SniffedFormat::Png);
    }
    if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        return Ok(SniffedFormat::WebP);
    }
    if let Some(brands) = ftyp_brands(bytes) {
        if brands.iter().any(|b| AVIF_BRANDS.contains(b)) {
            return Err(PhotoError::UnsupportedFormat("AVIF".into()));
        }
        if brands.iter().any(|b| HEIF_BRANDS.contains(b)) {
            return Err(PhotoError::Heic);
        }
        return Err(PhotoError::UnsupportedFormat("ISO media (video?)".into()));
    }
    let name = if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        "GIF"
    } else if bytes.starts_with(b"BM") {
        "BMP"
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        "TIFF"
    } else if bytes.starts_with(b"%PDF") {
        "PDF"
    } else {
        "not a JPEG, PNG or WebP image"
    };
    Err(PhotoError::UnsupportedFormat(name.into()))
}

/// The major brand then the compatible brands of a leading `ftyp` box, or `None` when there is no such box.
fn ftyp_brands(bytes: &[u8]) -> Option<Vec<&[u8; 4]>> {
    if bytes.get(4..8) != Some(b"ftyp") {
        return None;
    }
    let size = u32::from_be_bytes(*bytes.first_chunk::<4>()?) as usize;
    // A size of 0 means "to the end of the file"; 1 means a 64-bit size follows (not used for ftyp in practice).
    let end = if size < 16 {
        bytes.len()
    } else {
        size.min(bytes.len())
    };
    let mut brands: Vec<&[u8; 4]> = Vec::new();
    if let Some(major) = bytes.get(8..12).and_then(|b| b.first_chunk::<4>()) {
        brands.push(major);
    }
    // Bytes 12..16 are the minor version; compatible brands follow.
    if let Some(rest) = bytes.get(16..end) {
        brands.extend(rest.chunks_exact(4).filter_map(|c| c.first_chunk::<4>()));
    }
    Some(brands)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ftyp(major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
        let size = 16 + 4 * compatible.len();
        let mut b = (size as u32).to_be_bytes().to_vec();
        b.extend_from_slice(b"ftyp");
        b.extend_from_slice(major);
        b.extend_from_slice(&[0, 0, 0, 0]);
        for c in compatible {
            b.extend_from_slice(*c);
        }
        b
    }

    #[test]
    fn heif_family_is_heic_and_avif_is_not() {
        assert!(matches!(
            sniff_format(&ftyp(b"heic", &[b"mif1", b"heic"])),
            Err(PhotoError::Heic)
        ));
        assert!(matches!(
            sniff_format(&ftyp(b"mif1", &[b"heix"])),
            Err(PhotoError::Heic)
        ));
        assert!(matches!(
            sniff_format(&ftyp(b"msf1", &[])),
            Err(PhotoError::Heic)
        ));
        let avif = sniff_format(&ftyp(b"avif", &[b"mif1", b"miaf"]));
        assert!(matches!(avif, Err(PhotoError::UnsupportedFormat(ref s)) if s == "AVIF"));
        let mp4 = sniff_format(&ftyp(b"isom", &[b"mp41"]));
        assert!(matches!(mp4, Err(PhotoError::UnsupportedFormat(_))));
    }

    #[test]
    fn magic_numbers_decide_not_names() {
        assert_eq!(
            sniff_format(&[0xFF, 0xD8, 0xFF, 0xE0]).ok(),
            Some(SniffedFormat::Jpeg)
        );
        assert_eq!(
            sniff_format(b"\x89PNG\r\n\x1a\n....").ok(),
            Some(SniffedFormat::Png)
        );
        assert_eq!(
            sniff_format(b"RIFF\0\0\0\0WEBPVP8 ").ok(),
            Some(SniffedFormat::WebP)
        );
        assert!(matches!(
            sniff_format(b"RIFF\0\0\0\0WAVE"),
            Err(PhotoError::UnsupportedFormat(_))
        ));
        assert!(
            matches!(sniff_format(b"GIF89a"), Err(PhotoError::UnsupportedFormat(ref s)) if s == "GIF")
        );
        assert!(matches!(sniff_format(b""), Err(PhotoError::Empty)));
        assert!(matches!(
            sniff_format(b"\0\0\0\0ftyp"),
            Err(PhotoError::UnsupportedFormat(_))
        ));
    }
}
