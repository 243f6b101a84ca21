//! GPS fixes, points and quality flags.

use ocop_core::gps as core;

/// Where a fix came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum GpsProvider {
    /// Satellite positioning on the device.
    Gnss,
    /// Cell / Wi-Fi positioning.
    Network,
    /// An external receiver.
    External,
    /// Typed in or picked on a map.
    Manual,
    /// Read from a photo's EXIF.
    Exif,
}

impl From<core::GpsProvider> for GpsProvider {
    fn from(p: core::GpsProvider) -> Self {
        match p {
            core::GpsProvider::Gnss => Self::Gnss,
            core::GpsProvider::Network => Self::Network,
            core::GpsProvider::External => Self::External,
            core::GpsProvider::Manual => Self::Manual,
            core::GpsProvider::Exif => Self::Exif,
        }
    }
}

impl From<GpsProvider> for core::GpsProvider {
    fn from(p: GpsProvider) -> Self {
        match p {
            GpsProvider::Gnss => Self::Gnss,
            GpsProvider::Network => Self::Network,
            GpsProvider::External => Self::External,
            GpsProvider::Manual => Self::Manual,
            GpsProvider::Exif => Self::Exif,
        }
    }
}

/// A position fix as the device reported it. Impossible numbers (NaN, latitude beyond ±90° …) are refused with
/// `OcopError.Invalid` (field `gps`); doubtful ones are kept with quality flags.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct GpsFix {
    /// Latitude, degrees WGS84.
    pub lat: f64,
    /// Longitude, degrees WGS84.
    pub lon: f64,
    /// Horizontal accuracy radius in metres, when known.
    #[uniffi(default = None)]
    pub accuracy_m: Option<f64>,
    /// Altitude in metres, when known.
    #[uniffi(default = None)]
    pub altitude_m: Option<f64>,
    /// When the fix was taken, ms since the epoch.
    pub time: i64,
    /// Where it came from.
    pub provider: GpsProvider,
    /// The platform reported a mock location.
    #[uniffi(default = false)]
    pub mock: bool,
}

impl From<core::GpsFix> for GpsFix {
    fn from(f: core::GpsFix) -> Self {
        Self {
            lat: f.lat,
            lon: f.lon,
            accuracy_m: f.accuracy_m,
            altitude_m: f.altitude_m,
            time: f.time,
            provider: f.provider.into(),
            mock: f.mock,
        }
    }
}

impl From<GpsFix> for core::GpsFix {
    fn from(f: GpsFix) -> Self {
        Self {
            lat: f.lat,
            lon: f.lon,
            accuracy_m: f.accuracy_m,
            altitude_m: f.altitude_m,
            time: f.time,
            provider: f.provider.into(),
            mock: f.mock,
        }
    }
}

/// A bare WGS84 point (outlines of raw-material zones, shape answers).
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct LatLon {
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
}

impl From<core::LatLon> for LatLon {
    fn from(p: core::LatLon) -> Self {
        Self {
            lat: p.lat,
            lon: p.lon,
        }
    }
}

impl From<LatLon> for core::LatLon {
    fn from(p: LatLon) -> Self {
        Self::new(p.lat, p.lon)
    }
}

/// Something doubtful about a fix or a photo's position; the record is saved and a supervisor sees the flag.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum GpsFlag {
    /// The accuracy radius is larger than the form's threshold.
    PoorAccuracy {
        /// The reported accuracy radius, metres.
        accuracy_m: f64,
        /// The form's threshold, metres.
        threshold_m: f64,
    },
    /// The device reported no accuracy.
    NoAccuracy,
    /// The platform said the location came from a mock provider.
    MockProvider,
    /// Latitude and longitude were swapped and have been exchanged.
    ProbableSwap,
    /// Latitude and longitude are both (almost) zero.
    ZeroPosition,
    /// The point lies outside Vietnam.
    OutsideVietnam,
    /// The point is far from the producer's registered point.
    FarFromProducer {
        /// Distance to the producer's point, metres.
        distance_m: f64,
        /// The threshold, metres.
        threshold_m: f64,
    },
    /// A photo's EXIF position is far from the visit's fix.
    PhotoFarFromVisit {
        /// Distance between the photo's position and the visit's fix, metres.
        distance_m: f64,
        /// The threshold, metres.
        threshold_m: f64,
    },
    /// A flag this version of the bindings does not know (from a newer core), by its debug name.
    Other {
        /// The flag's name.
        name: String,
    },
}

impl From<core::GpsFlag> for GpsFlag {
    fn from(f: core::GpsFlag) -> Self {
        use core::GpsFlag as F;
        match f {
            F::PoorAccuracy {
                accuracy_m,
                threshold_m,
            } => Self::PoorAccuracy {
                accuracy_m,
                threshold_m,
            },
            F::NoAccuracy => Self::NoAccuracy,
            F::MockProvider => Self::MockProvider,
            F::ProbableSwap => Self::ProbableSwap,
            F::ZeroPosition => Self::ZeroPosition,
            F::OutsideVietnam => Self::OutsideVietnam,
            F::FarFromProducer {
                distance_m,
                threshold_m,
            } => Self::FarFromProducer {
                distance_m,
                threshold_m,
            },
            F::PhotoFarFromVisit {
                distance_m,
                threshold_m,
            } => Self::PhotoFarFromVisit {
                distance_m,
                threshold_m,
            },
            #[allow(unreachable_patterns)]
            other => Self::Other {
                name: format!("{other:?}"),
            },
        }
    }
}

/// A fix recorded on a visit, with what is doubtful about it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct VisitFix {
    /// The fix (latitude and longitude exchanged when flagged `ProbableSwap`).
    pub fix: GpsFix,
    /// Its quality flags.
    pub flags: Vec<GpsFlag>,
}

impl From<ocop_core::records::VisitFix> for VisitFix {
    fn from(v: ocop_core::records::VisitFix) -> Self {
        Self {
            fix: v.fix.into(),
            flags: v.flags.into_iter().map(Into::into).collect(),
        }
    }
}
