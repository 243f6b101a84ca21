//! What a photo's EXIF tells about it: when, where, and which way up.
//!
//! EXIF stores `DateTimeOriginal` as a wall-clock time without a zone. Phones sold in Vietnam are set to
//! Indochina Time, so that wall-clock time is read as UTC+7 unless `OffsetTimeOriginal` (EXIF 2.31) names
//! the offset. GPS comes from the GPS IFD: degrees/minutes/seconds with N/S and E/W references, altitude with its
//! above/below-sea-level reference, `GPSHPositioningError` as the accuracy radius, and `GPSDateStamp` +
//! `GPSTimeStamp` (UTC) as the fix time.
//!
//! EXIF is advisory: a missing, blank or broken field yields `None`, never an error, and a photo is imported
//! without it.

use std::io::Cursor;

use chrono::{FixedOffset, NaiveDate, TimeZone};
use exif::{DateTime, Exif, In, Reader, Tag, Value};

use crate::gps::{GpsFix, GpsProvider};
use crate::ids::Millis;

/// Vietnam's UTC offset (Indochina Time, no daylight saving), in minutes.
pub(crate) const VIETNAM_OFFSET_MINUTES: i32 = 7 * 60;

/// What [`read_meta`] found.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct PhotoMeta {
    /// `DateTimeOriginal` as UTC milliseconds.
    pub taken_at: Option<Millis>,
    /// The GPS block as a fix.
    pub gps: Option<GpsFix>,
    /// The orientation tag, 1–8.
    pub orientation: Option<u8>,
}

/// Reads the EXIF of a JPEG, PNG or WebP file held in memory. Never fails: absent or broken EXIF gives empty meta.
/// `import_time` stands in for the GPS fix time when the photo gives neither a GPS time nor a taken-at time.
pub(crate) fn read_meta(bytes: &[u8], import_time: Millis) -> PhotoMeta {
    let Some(exif) = parse(bytes) else {
        return PhotoMeta::default();
    };
    let taken_at = taken_at(&exif);
    let gps = gps_fix(&exif, taken_at.unwrap_or(import_time));
    let orientation = exif
        .get_field(Tag::Orientation, In::PRIMARY)
        .and_then(|f| f.value.get_uint(0))
        .and_then(|v| u8::try_from(v).ok())
        .filter(|v| (1..=8).contains(v));
    PhotoMeta {
        taken_at,
        gps,
        orientation,
    }
}

fn parse(bytes: &[u8]) -> Option<Exif> {
    let mut reader = Reader::new();
    reader.continue_on_error(true);
    match reader.read_from_container(&mut Cursor::new(bytes)) {
        Ok(exif) => Some(exif),
        Err(e) => e.distill_partial_result(|_ignored| {}).ok(),
    }
}

fn ascii(exif: &Exif, tag: Tag) -> Option<&[u8]> {
    match &exif.get_field(tag, In::PRIMARY)?.value {
        Value::Ascii(parts) => parts.first().map(Vec::as_slice),
        _ => None,
    }
}

fn rationals(exif: &Exif, tag: Tag) -> Option<Vec<f64>> {
    match &exif.get_field(tag, In::PRIMARY)?.value {
        Value::Rational(v) => Some(v.iter().map(|r| r.to_f64()).collect()),
        _ => None,
    }
}

fn taken_at(exif: &Exif) -> Option<Millis> {
    let mut dt = DateTime::from_ascii(ascii(exif, Tag::DateTimeOriginal)?).ok()?;
    if let Some(sub) = ascii(exif, Tag::SubSecTimeOriginal) {
        // A broken sub-second field only loses the milliseconds.
        let _ = dt.parse_subsec(sub);
    }
    if let Some(offset) = ascii(exif, Tag::OffsetTimeOriginal) {
        // A blank or broken offset leaves `dt.offset` as None: Vietnam time.
        let _ = dt.parse_offset(offset);
    }
    let offset = dt.offset.map_or(VIETNAM_OFFSET_MINUTES, i32::from);
    let date = NaiveDate::from_ymd_opt(i32::from(dt.year), u32::from(dt.month), u32::from(dt.day))?;
    let naive = date.and_hms_nano_opt(
        u32::from(dt.hour),
        u32::from(dt.minute),
        u32::from(dt.second),
        dt.nanosecond.unwrap_or(0),
    )?;
    let zone = FixedOffset::east_opt(offset.checked_mul(60)?)?;
    Some(
        zone.from_local_datetime(&naive)
            .single()?
            .timestamp_millis(),
    )
}

/// Degrees from up to three rationals (degrees, minutes, seconds).
fn degrees(parts: &[f64]) -> Option<f64> {
    if parts.is_empty() || parts.len() > 3 {
        return None;
    }
    let scale = [1.0, 60.0, 3600.0];
    let value: f64 = parts.iter().zip(scale).map(|(v, s)| v / s).sum();
    value.is_finite().then_some(value)
}

fn gps_fix(exif: &Exif, fallback_time: Millis) -> Option<GpsFix> {
    let mut lat = degrees(&rationals(exif, Tag::GPSLatitude)?)?;
    let mut lon = degrees(&rationals(exif, Tag::GPSLongitude)?)?;
    if ascii(exif, Tag::GPSLatitudeRef).and_then(|r| r.first()) == Some(&b'S') {
        lat = -lat;
    }
    if ascii(exif, Tag::GPSLongitudeRef).and_then(|r| r.first()) == Some(&b'W') {
        lon = -lon;
    }
    if lat.abs() > 90.0 || lon.abs() > 180.0 {
        return None;
    }
    let below_sea = exif
        .get_field(Tag::GPSAltitudeRef, In::PRIMARY)
        .and_then(|f| f.value.get_uint(0))
        == Some(1);
    let altitude_m = rationals(exif, Tag::GPSAltitude)
        .and_then(|v| v.first().copied())
        .filter(|a| a.is_finite())
        .map(|a| if below_sea { -a } else { a });
    let accuracy_m = rationals(exif, Tag::GPSHPositioningError)
        .and_then(|v| v.first().copied())
        .filter(|a| a.is_finite() && *a >= 0.0);
    let time = gps_time(exif).unwrap_or(fallback_time);
    Some(GpsFix {
        lat,
        lon,
        accuracy_m,
        altitude_m,
        time,
        provider: GpsProvider::Exif,
        mock: false,
    })
}

/// `GPSDateStamp` (`YYYY:MM:DD`) + `GPSTimeStamp` (hours, minutes, seconds as rationals), UTC.
fn gps_time(exif: &Exif) -> Option<Millis> {
    let date = std::str::from_utf8(ascii(exif, Tag::GPSDateStamp)?).ok()?;
    let date = NaiveDate::parse_from_str(date.trim_end_matches('\0').trim(), "%Y:%m:%d").ok()?;
    let hms = rationals(exif, Tag::GPSTimeStamp)?;
    let [h, m, s] = hms.as_slice() else {
        return None;
    };
    if !(0.0..24.0).contains(h) || !(0.0..60.0).contains(m) || !(0.0..61.0).contains(s) {
        return None;
    }
    let midnight = date.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis();
    let ms = (h.trunc() * 3_600_000.0 + m.trunc() * 60_000.0 + s * 1000.0).round();
    // Bounded by the range check above: at most one day of milliseconds.
    Some(midnight + ms as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degrees_minutes_seconds() {
        let d = degrees(&[21.0, 1.0, 30.0]).unwrap_or(f64::NAN);
        assert!((d - 21.025).abs() < 1e-9);
        assert_eq!(degrees(&[105.5]), Some(105.5));
        assert_eq!(degrees(&[]), None);
        // A zero denominator reads as NaN or infinity: no fix rather than a wrong one.
        assert_eq!(degrees(&[f64::NAN, 0.0, 0.0]), None);
    }

    #[test]
    fn no_exif_means_empty_meta() {
        assert_eq!(read_meta(b"not an image", 0), PhotoMeta::default());
        assert_eq!(
            read_meta(&[0xFF, 0xD8, 0xFF, 0xE1, 0x00], 0),
            PhotoMeta::default()
        );
    }
}
