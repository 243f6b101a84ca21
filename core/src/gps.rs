//! GPS fixes and their quality.
//!
//! A fix keeps what the device reported. Numbers that cannot be a position (NaN, latitude beyond ±90°) are
//! errors; everything merely doubtful is saved with quality flags so field work is never blocked.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::ids::Millis;

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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
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

/// Errors for fixes that cannot be a position.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum GpsError {
    /// A number is NaN or infinite.
    #[error("GPS {field} is not a finite number")]
    NotFinite {
        /// Which number.
        field: &'static str,
    },
}

/// A bare WGS84 point, used for shapes (raw-material zones, geoshape answers).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct LatLon {
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
}

// TEMPORARY stand-in until the GPS quality module lands (replaced at merge).
/// A quality flag on a fix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
#[serde(tag = "flag", rename_all = "snake_case")]
pub enum GpsFlag {
    /// Mock provider.
    MockProvider,
    /// Photo far from visit.
    PhotoFarFromVisit {
        /// Distance.
        distance_m: f64,
        /// Threshold.
        threshold_m: f64,
    },
}
