//! Quality flags: what is doubtful about a valid fix, for the supervisor to see.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::{GpsFix, LatLon, distance_m, in_vietnam};

/// Something doubtful about a fix. Flags never block saving; they travel with the fix to the review queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum GpsFlag {
    /// The reported accuracy radius is larger than the form's threshold.
    PoorAccuracy {
        /// The reported accuracy radius, metres.
        accuracy_m: f64,
        /// The form's threshold, metres.
        threshold_m: f64,
    },
    /// The device reported no accuracy at all (typical of typed-in or map-picked points).
    NoAccuracy,
    /// The platform said the location came from a mock provider.
    MockProvider,
    /// Latitude and longitude were reported in the wrong order and have been exchanged (see the module docs).
    ProbableSwap,
    /// Latitude and longitude are both (almost) zero: a receiver failure rather than a place in the Gulf of Guinea.
    ZeroPosition,
    /// The point lies outside Vietnam's land outline (with a few km of margin) and its islands.
    OutsideVietnam,
    /// The point is farther from the producer's registered point than the threshold.
    FarFromProducer {
        /// Geodesic distance to the producer's point, metres.
        distance_m: f64,
        /// The threshold, metres.
        threshold_m: f64,
    },
    /// A photo's own GPS position (EXIF) is farther from the visit's fix than the threshold.
    PhotoFarFromVisit {
        /// Geodesic distance between the photo's position and the visit's fix, metres.
        distance_m: f64,
        /// The threshold, metres.
        threshold_m: f64,
    },
}

impl GpsFlag {
    /// [`GpsFlag::PhotoFarFromVisit`] when the photo's position is more than `threshold_m` from the visit's fix;
    /// `None` when it is close enough or when either point is not a valid position.
    pub fn photo_far_from_visit(photo: LatLon, visit: LatLon, threshold_m: f64) -> Option<GpsFlag> {
        let distance_m = distance_m(photo, visit);
        (distance_m > threshold_m).then_some(GpsFlag::PhotoFarFromVisit {
            distance_m,
            threshold_m,
        })
    }
}

/// What a fix is judged against.
#[derive(Debug, Clone, PartialEq)]
pub struct QualityContext {
    /// Accuracy radius above which a fix is flagged [`GpsFlag::PoorAccuracy`], metres (the form gives it).
    pub accuracy_threshold_m: f64,
    /// The producer's registered point, when known.
    pub producer_point: Option<LatLon>,
    /// Distance from the producer's point above which a fix is flagged [`GpsFlag::FarFromProducer`], metres.
    pub far_threshold_m: f64,
}

impl QualityContext {
    /// Default accuracy threshold, metres.
    pub const DEFAULT_ACCURACY_THRESHOLD_M: f64 = 50.0;
    /// Default distance threshold from the producer's point, metres.
    pub const DEFAULT_FAR_THRESHOLD_M: f64 = 2_000.0;
}

impl Default for QualityContext {
    fn default() -> Self {
        Self {
            accuracy_threshold_m: Self::DEFAULT_ACCURACY_THRESHOLD_M,
            producer_point: None,
            far_threshold_m: Self::DEFAULT_FAR_THRESHOLD_M,
        }
    }
}

/// A fix ready to store, with its quality flags.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Assessment {
    /// The fix, with latitude and longitude exchanged when [`GpsFlag::ProbableSwap`] is among the flags.
    pub fix: GpsFix,
    /// What is doubtful about it, in a stable order.
    pub flags: Vec<GpsFlag>,
}

/// Below this many degrees on both axes a point counts as (0, 0).
const ZERO_EPSILON_DEG: f64 = 1e-6;

/// Flags what is doubtful about `fix`, repairing a probable latitude/longitude swap (see the module docs).
///
/// Meant for a fix that passes [`GpsFix::validate`] (after the swap repair; [`GpsFix::check`] does both). On any
/// other input it never panics: the position flags are skipped when the point is not a valid position, and
/// thresholds that are NaN flag nothing.
pub fn assess(fix: &GpsFix, ctx: &QualityContext) -> Assessment {
    let mut fix = fix.clone();
    let mut flags = Vec::new();

    if !fix.lat.is_nan() && fix.lat.abs() > 90.0 {
        let swapped = fix.point().swapped();
        if swapped.is_valid() && in_vietnam(swapped) {
            fix.lat = swapped.lat;
            fix.lon = swapped.lon;
            flags.push(GpsFlag::ProbableSwap);
        }
    }

    match fix.accuracy_m {
        None => flags.push(GpsFlag::NoAccuracy),
        Some(acc) if acc > ctx.accuracy_threshold_m => {
            flags.push(GpsFlag::PoorAccuracy {
                accuracy_m: acc,
                threshold_m: ctx.accuracy_threshold_m,
            });
        }
        Some(_) => {}
    }
    if fix.mock {
        flags.push(GpsFlag::MockProvider);
    }

    let point = fix.point();
    if point.is_valid() {
        if point.lat.abs() < ZERO_EPSILON_DEG && point.lon.abs() < ZERO_EPSILON_DEG {
            flags.push(GpsFlag::ZeroPosition);
        }
        if !in_vietnam(point) {
            flags.push(GpsFlag::OutsideVietnam);
        }
        if let Some(producer) = ctx.producer_point {
            let distance_m = distance_m(point, producer);
            if distance_m > ctx.far_threshold_m {
                flags.push(GpsFlag::FarFromProducer {
                    distance_m,
                    threshold_m: ctx.far_threshold_m,
                });
            }
        }
    }

    Assessment { fix, flags }
}
