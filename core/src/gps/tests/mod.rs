#![allow(clippy::unwrap_used, clippy::expect_used)]

use geo::{Destination, Geodesic};
use proptest::prelude::*;

use super::*;

/// 2024-06-01T00:00:00Z, the "device clock" of these tests.
const NOW: Millis = 1_717_200_000_000;
const HOUR: Millis = 3_600_000;

const HA_NOI: LatLon = LatLon {
    lat: 21.0285,
    lon: 105.8542,
};
const HCMC: LatLon = LatLon {
    lat: 10.7769,
    lon: 106.7009,
};

fn fix_at(p: LatLon) -> GpsFix {
    GpsFix {
        lat: p.lat,
        lon: p.lon,
        accuracy_m: Some(8.0),
        altitude_m: Some(12.0),
        time: NOW - HOUR,
        provider: GpsProvider::Gnss,
        mock: false,
    }
}

mod fix;
mod places_and_zones;

fn north_of(p: LatLon, metres: f64) -> LatLon {
    let q = Geodesic.destination(p.to_point(), 0.0, metres);
    LatLon::new(q.y(), q.x())
}

fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        -200.0..200.0f64,
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        any::<f64>(),
    ]
}

fn any_point() -> impl Strategy<Value = LatLon> {
    (any_f64(), any_f64()).prop_map(|(lat, lon)| LatLon { lat, lon })
}

proptest! {
    #[test]
    fn arbitrary_fixes_never_panic_and_accepted_fixes_are_valid(
        p in any_point(),
        acc in proptest::option::of(any_f64()),
        alt in proptest::option::of(any_f64()),
        time in any::<i64>(),
        mock in any::<bool>(),
        threshold in any_f64(),
        producer in proptest::option::of(any_point()),
        far in any_f64(),
    ) {
        let fix = GpsFix { lat: p.lat, lon: p.lon, accuracy_m: acc, altitude_m: alt, time, provider: GpsProvider::Gnss, mock };
        let ctx = QualityContext { accuracy_threshold_m: threshold, producer_point: producer, far_threshold_m: far };
        let _ = assess(&fix, &ctx);
        if let Ok(a) = fix.check(&ctx, NOW) {
            prop_assert_eq!(a.fix.validate(NOW), Ok(()));
        }
    }

    #[test]
    fn arbitrary_points_and_rings_never_panic(a in any_point(), b in any_point(), ring in proptest::collection::vec(any_point(), 0..12)) {
        let _ = distance_m(a, b);
        let _ = in_vietnam(a);
        let _ = GpsFlag::photo_far_from_visit(a, b, 100.0);
        if let Ok(ha) = zone_area_ha(&ring) {
            prop_assert!(ha.is_finite() && ha >= 0.0);
        }
    }

    #[test]
    fn small_rings_near_vietnam_never_panic(ring in proptest::collection::vec((8.0..24.0f64, 102.0..118.0f64), 0..10)) {
        let ring: Vec<LatLon> = ring.into_iter().map(|(lat, lon)| LatLon::new(lat, lon)).collect();
        let _ = Zone::new(ring);
    }
}
