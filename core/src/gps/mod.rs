//! GPS fixes and their quality.
//!
//! A [`GpsFix`] keeps what the device reported: latitude, longitude, accuracy, altitude, time, provider and the
//! platform's mock flag. The module sorts what can go wrong with a fix into two kinds:
//!
//! * **Errors** ([`GpsError`]) for numbers that cannot be a position at all: NaN or infinite numbers, a latitude
//!   beyond ±90° or a longitude beyond ±180°, a negative accuracy, a time before 2000 or more than a day after the
//!   device's clock. Such a fix is refused; the form asks for a new one.
//! * **Quality flags** ([`GpsFlag`]) for everything merely doubtful: poor accuracy, a mock provider, a point outside
//!   Vietnam, far from the producer's registered point, or far from where a photo says it was taken. The fix is
//!   saved with its flags; field work is never blocked by a bad fix in a valley, and the supervisor sees the flags.
//!
//! The capture path calls [`GpsFix::check`], which does both in one step and returns an [`Assessment`].
//!
//! ## Swapped latitude and longitude
//!
//! Typed-in or imported coordinates often come with latitude and longitude swapped. Vietnam lies at 8–24°N and
//! 102–118°E, so a swapped Vietnamese pair always has a "latitude" of 102–118, beyond ±90: plain validation would
//! refuse it. We decided to repair exactly this case and nothing else: when the latitude is out of range, and the
//! swapped pair is a valid point **inside Vietnam** (see [`in_vietnam`]), the order is corrected and the fix carries
//! [`GpsFlag::ProbableSwap`], so the supervisor sees that the stored order is not the reported one. Nothing is
//! changed silently, and a swap that would land anywhere else stays an error. A swapped pair whose latitude happens
//! to be within ±90 (possible outside Vietnam) cannot be told from a real point and is not touched; if it lands
//! outside Vietnam it is flagged [`GpsFlag::OutsideVietnam`] like any other far-away fix.
//!
//! ## Distances and areas
//!
//! Distances are geodesic on the WGS84 ellipsoid ([`distance_m`], with `geo`'s `Geodesic`), exact to the millimetre
//! at the scale of a commune. Raw-material zone areas ([`zone_area_ha`]) are geodesic too.

mod quality;
mod vietnam;
mod zone;

use autosurgeon::{Hydrate, Reconcile};
use geo::{Distance, Geodesic, Point};
use serde::{Deserialize, Serialize};

use crate::ids::Millis;

pub use quality::{Assessment, GpsFlag, QualityContext, assess};
pub use vietnam::in_vietnam;
pub use zone::{Zone, zone_area_ha};

/// The earliest plausible fix time: 2000-01-01T00:00:00Z. Earlier times come from receivers that lost their clock.
pub const EARLIEST_PLAUSIBLE_MS: Millis = 946_684_800_000;

/// How far after the device's clock a fix time may be before it is refused: one day.
pub const MAX_FUTURE_SKEW_MS: Millis = 86_400_000;

/// Where a fix came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Reconcile, Hydrate)]
#[serde(rename_all = "snake_case")]
pub enum GpsProvider {
    /// Satellite positioning on the device.
    Gnss,
    /// Cell / Wi-Fi positioning.
    Network,
    /// An external receiver.
    External,
    /// Typed in or picked on a map by a person.
    Manual,
    /// Read from a photo's EXIF.
    Exif,
}

/// A position fix as the device reported it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GpsFix {
    /// Latitude, degrees WGS84.
    pub lat: f64,
    /// Longitude, degrees WGS84.
    pub lon: f64,
    /// Horizontal accuracy radius in metres, when known.
    pub accuracy_m: Option<f64>,
    /// Altitude in metres, when known.
    pub altitude_m: Option<f64>,
    /// When the fix was taken.
    pub time: Millis,
    /// Where it came from.
    pub provider: GpsProvider,
    /// The platform reported a mock location.
    pub mock: bool,
}

/// Errors for fixes that cannot be a position, and for shapes that cannot be a zone.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum GpsError {
    /// A number is NaN or infinite.
    #[error("GPS {field} is not a finite number")]
    NotFinite {
        /// Which number.
        field: &'static str,
    },
    /// A number is outside its possible range (latitude beyond ±90°, longitude beyond ±180°, negative accuracy).
    #[error("GPS {field} is out of range: {value}")]
    OutOfRange {
        /// Which number.
        field: &'static str,
        /// The value given.
        value: f64,
    },
    /// The fix time is before 2000-01-01: the receiver had no valid clock.
    #[error("GPS time {time} ms is before the year 2000")]
    TimeTooEarly {
        /// The fix time, ms since the epoch.
        time: Millis,
    },
    /// The fix time is more than a day after the device's clock.
    #[error("GPS time {time} ms is more than a day after now ({now} ms)")]
    TimeInFuture {
        /// The fix time, ms since the epoch.
        time: Millis,
        /// The clock it was compared with.
        now: Millis,
    },
    /// A zone ring has fewer than three distinct points.
    #[error("a zone needs at least 3 distinct points, got {distinct}")]
    TooFewPoints {
        /// How many distinct points the ring has.
        distinct: usize,
    },
    /// A zone ring crosses or touches itself (a figure eight, a spike, points on one line).
    #[error("the zone outline crosses itself")]
    SelfIntersecting,
    /// A zone ring encloses no area (all its points lie on one line).
    #[error("the zone outline encloses no area")]
    NoArea,
}

/// A bare WGS84 point, used for shapes (raw-material zones, geoshape answers).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct LatLon {
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
}

impl LatLon {
    /// A point from latitude and longitude in degrees.
    pub fn new(lat: f64, lon: f64) -> Self {
        Self { lat, lon }
    }

    /// Checks that both numbers are finite and in range (±90° latitude, ±180° longitude).
    pub fn validate(&self) -> Result<(), GpsError> {
        check_coord("lat", self.lat, 90.0)?;
        check_coord("lon", self.lon, 180.0)
    }

    /// Whether [`LatLon::validate`] would accept this point.
    pub fn is_valid(&self) -> bool {
        self.validate().is_ok()
    }

    /// The same pair with latitude and longitude exchanged.
    pub fn swapped(&self) -> Self {
        Self {
            lat: self.lon,
            lon: self.lat,
        }
    }

    pub(crate) fn to_point(self) -> Point<f64> {
        Point::new(self.lon, self.lat)
    }
}

fn check_coord(field: &'static str, value: f64, limit: f64) -> Result<(), GpsError> {
    if !value.is_finite() {
        return Err(GpsError::NotFinite { field });
    }
    if !(-limit..=limit).contains(&value) {
        return Err(GpsError::OutOfRange { field, value });
    }
    Ok(())
}

fn check_optional(field: &'static str, value: Option<f64>) -> Result<(), GpsError> {
    match value {
        Some(v) if !v.is_finite() => Err(GpsError::NotFinite { field }),
        _ => Ok(()),
    }
}

impl GpsFix {
    /// The fix's position as a bare point.
    pub fn point(&self) -> LatLon {
        LatLon {
            lat: self.lat,
            lon: self.lon,
        }
    }

    /// Checks that the fix can be a position, against the device clock `now` (ms since the epoch; pass
    /// [`crate::ids::now_millis()`] in production, a fixed time in tests).
    ///
    /// Refused: any non-finite number; latitude beyond ±90°, longitude beyond ±180°; a negative accuracy; a time
    /// before 2000-01-01 or more than [`MAX_FUTURE_SKEW_MS`] after `now`. Everything else passes, however doubtful:
    /// doubt is for [`assess`].
    pub fn validate(&self, now: Millis) -> Result<(), GpsError> {
        self.point().validate()?;
        check_optional("accuracy_m", self.accuracy_m)?;
        check_optional("altitude_m", self.altitude_m)?;
        if let Some(acc) = self.accuracy_m.filter(|a| *a < 0.0) {
            return Err(GpsError::OutOfRange {
                field: "accuracy_m",
                value: acc,
            });
        }
        if self.time < EARLIEST_PLAUSIBLE_MS {
            return Err(GpsError::TimeTooEarly { time: self.time });
        }
        if self.time > now.saturating_add(MAX_FUTURE_SKEW_MS) {
            return Err(GpsError::TimeInFuture {
                time: self.time,
                now,
            });
        }
        Ok(())
    }

    /// The one call a capture makes: repairs an obvious latitude/longitude swap (see the module docs), refuses a
    /// fix that cannot be a position ([`GpsFix::validate`] against `now`), and flags whatever is doubtful
    /// ([`assess`] with `ctx`). The returned [`Assessment`] holds the fix to store and its flags.
    pub fn check(self, ctx: &QualityContext, now: Millis) -> Result<Assessment, GpsError> {
        let assessment = assess(&self, ctx);
        assessment.fix.validate(now)?;
        Ok(assessment)
    }
}

/// Geodesic distance in metres between two points on the WGS84 ellipsoid.
///
/// Returns NaN when either point is not a valid position (see [`LatLon::validate`]); it never panics.
pub fn distance_m(a: LatLon, b: LatLon) -> f64 {
    if !(a.is_valid() && b.is_valid()) {
        return f64::NAN;
    }
    Geodesic.distance(a.to_point(), b.to_point())
}

#[cfg(test)]
mod tests;
