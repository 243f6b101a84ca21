#![allow(clippy::unwrap_used, clippy::expect_used)]

use geo::{Destination, Geodesic, Point, Validation};
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

#[test]
fn a_good_fix_validates() {
    assert_eq!(fix_at(HA_NOI).validate(NOW), Ok(()));
}

#[test]
fn impossible_numbers_are_refused_with_the_field_named() {
    let cases: Vec<(GpsFix, GpsError)> = vec![
        (
            GpsFix {
                lat: f64::NAN,
                ..fix_at(HA_NOI)
            },
            GpsError::NotFinite { field: "lat" },
        ),
        (
            GpsFix {
                lon: f64::INFINITY,
                ..fix_at(HA_NOI)
            },
            GpsError::NotFinite { field: "lon" },
        ),
        (
            GpsFix {
                accuracy_m: Some(f64::NAN),
                ..fix_at(HA_NOI)
            },
            GpsError::NotFinite {
                field: "accuracy_m",
            },
        ),
        (
            GpsFix {
                altitude_m: Some(f64::NEG_INFINITY),
                ..fix_at(HA_NOI)
            },
            GpsError::NotFinite {
                field: "altitude_m",
            },
        ),
        (
            GpsFix {
                lat: 90.5,
                ..fix_at(HA_NOI)
            },
            GpsError::OutOfRange {
                field: "lat",
                value: 90.5,
            },
        ),
        (
            GpsFix {
                lon: -180.5,
                ..fix_at(HA_NOI)
            },
            GpsError::OutOfRange {
                field: "lon",
                value: -180.5,
            },
        ),
        (
            GpsFix {
                accuracy_m: Some(-1.0),
                ..fix_at(HA_NOI)
            },
            GpsError::OutOfRange {
                field: "accuracy_m",
                value: -1.0,
            },
        ),
    ];
    for (fix, expected) in cases {
        assert_eq!(fix.validate(NOW), Err(expected));
    }
}

#[test]
fn fix_time_must_be_after_2000_and_at_most_a_day_ahead() {
    let early = GpsFix {
        time: EARLIEST_PLAUSIBLE_MS - 1,
        ..fix_at(HA_NOI)
    };
    assert_eq!(
        early.validate(NOW),
        Err(GpsError::TimeTooEarly {
            time: EARLIEST_PLAUSIBLE_MS - 1
        })
    );
    let skewed = GpsFix {
        time: NOW + 23 * HOUR,
        ..fix_at(HA_NOI)
    };
    assert_eq!(skewed.validate(NOW), Ok(()));
    let future = GpsFix {
        time: NOW + 25 * HOUR,
        ..fix_at(HA_NOI)
    };
    assert_eq!(
        future.validate(NOW),
        Err(GpsError::TimeInFuture {
            time: NOW + 25 * HOUR,
            now: NOW
        })
    );
}

#[test]
fn a_clean_fix_in_vietnam_has_no_flags() {
    let a = fix_at(HA_NOI).check(&QualityContext::default(), NOW);
    assert_eq!(
        a,
        Ok(Assessment {
            fix: fix_at(HA_NOI),
            flags: vec![]
        })
    );
}

#[test]
fn a_swapped_vietnamese_pair_is_corrected_and_flagged() {
    let raw = GpsFix {
        lat: HA_NOI.lon,
        lon: HA_NOI.lat,
        ..fix_at(HA_NOI)
    };
    let a = raw.check(&QualityContext::default(), NOW).unwrap();
    assert_eq!(a.fix.point(), HA_NOI);
    assert_eq!(a.flags, vec![GpsFlag::ProbableSwap]);
}

#[test]
fn a_swap_that_would_land_outside_vietnam_stays_an_error() {
    // Swapped, this would be (10°N, 120°E): the sea off the Philippines.
    let raw = GpsFix {
        lat: 120.0,
        lon: 10.0,
        ..fix_at(HA_NOI)
    };
    assert_eq!(
        raw.check(&QualityContext::default(), NOW),
        Err(GpsError::OutOfRange {
            field: "lat",
            value: 120.0
        })
    );
}

#[test]
fn doubtful_fixes_are_kept_with_flags() {
    let ctx = QualityContext::default();
    let poor = GpsFix {
        accuracy_m: Some(80.0),
        ..fix_at(HA_NOI)
    }
    .check(&ctx, NOW)
    .unwrap();
    assert_eq!(
        poor.flags,
        vec![GpsFlag::PoorAccuracy {
            accuracy_m: 80.0,
            threshold_m: 50.0
        }]
    );
    let at_threshold = GpsFix {
        accuracy_m: Some(50.0),
        ..fix_at(HA_NOI)
    }
    .check(&ctx, NOW)
    .unwrap();
    assert_eq!(at_threshold.flags, vec![]);
    let manual = GpsFix {
        accuracy_m: None,
        provider: GpsProvider::Manual,
        ..fix_at(HA_NOI)
    };
    assert_eq!(
        manual.check(&ctx, NOW).unwrap().flags,
        vec![GpsFlag::NoAccuracy]
    );
    let mock = GpsFix {
        mock: true,
        ..fix_at(HA_NOI)
    }
    .check(&ctx, NOW)
    .unwrap();
    assert_eq!(mock.flags, vec![GpsFlag::MockProvider]);
    let bangkok = fix_at(LatLon::new(13.7563, 100.5018))
        .check(&ctx, NOW)
        .unwrap();
    assert_eq!(bangkok.flags, vec![GpsFlag::OutsideVietnam]);
    let zero = fix_at(LatLon::new(0.0, 0.0)).check(&ctx, NOW).unwrap();
    assert_eq!(
        zero.flags,
        vec![GpsFlag::ZeroPosition, GpsFlag::OutsideVietnam]
    );
}

#[test]
fn the_form_threshold_replaces_the_default() {
    let ctx = QualityContext {
        accuracy_threshold_m: 10.0,
        ..QualityContext::default()
    };
    let a = GpsFix {
        accuracy_m: Some(12.0),
        ..fix_at(HA_NOI)
    }
    .check(&ctx, NOW)
    .unwrap();
    assert_eq!(
        a.flags,
        vec![GpsFlag::PoorAccuracy {
            accuracy_m: 12.0,
            threshold_m: 10.0
        }]
    );
}

fn north_of(p: LatLon, metres: f64) -> LatLon {
    let q = Geodesic.destination(p.to_point(), 0.0, metres);
    LatLon::new(q.y(), q.x())
}

#[test]
fn a_fix_far_from_the_producer_is_flagged_with_the_distance() {
    let producer = north_of(HA_NOI, 3_000.0);
    let ctx = QualityContext {
        producer_point: Some(producer),
        ..QualityContext::default()
    };
    let a = fix_at(HA_NOI).check(&ctx, NOW).unwrap();
    match a.flags.as_slice() {
        [
            GpsFlag::FarFromProducer {
                distance_m,
                threshold_m,
            },
        ] => {
            assert!((distance_m - 3_000.0).abs() < 0.01, "{distance_m}");
            assert_eq!(*threshold_m, 2_000.0);
        }
        other => panic!("unexpected flags {other:?}"),
    }
    let near = QualityContext {
        producer_point: Some(north_of(HA_NOI, 1_500.0)),
        ..QualityContext::default()
    };
    assert_eq!(fix_at(HA_NOI).check(&near, NOW).unwrap().flags, vec![]);
    let strict = QualityContext {
        far_threshold_m: 1_000.0,
        ..near
    };
    assert!(matches!(
        fix_at(HA_NOI).check(&strict, NOW).unwrap().flags[..],
        [GpsFlag::FarFromProducer { .. }]
    ));
}

#[test]
fn a_photo_far_from_the_visit_gets_a_flag() {
    assert_eq!(
        GpsFlag::photo_far_from_visit(north_of(HA_NOI, 400.0), HA_NOI, 500.0),
        None
    );
    let flag = GpsFlag::photo_far_from_visit(north_of(HA_NOI, 900.0), HA_NOI, 500.0);
    assert!(
        matches!(flag, Some(GpsFlag::PhotoFarFromVisit { distance_m, threshold_m: 500.0 }) if (distance_m - 900.0).abs() < 0.01)
    );
}

#[test]
fn distances_are_geodesic_on_wgs84() {
    // One degree of latitude from the equator is 110 574.4 m on the WGS84 ellipsoid.
    let d = distance_m(LatLon::new(0.0, 0.0), LatLon::new(1.0, 0.0));
    assert!((d - 110_574.4).abs() < 1.0, "{d}");
    let hn_hcm = distance_m(HA_NOI, HCMC);
    assert!((1_130_000.0..1_145_000.0).contains(&hn_hcm), "{hn_hcm}");
    assert!(distance_m(LatLon::new(f64::NAN, 0.0), HA_NOI).is_nan());
}

#[test]
fn places_in_vietnam_are_inside_and_neighbours_are_outside() {
    let inside = [
        ("Hà Nội", 21.0285, 105.8542),
        ("TP Hồ Chí Minh", 10.7769, 106.7009),
        ("Phú Quốc", 10.2270, 103.9670),
        ("Sa Pa", 22.3364, 103.8438),
        ("Côn Đảo", 8.6830, 106.6070),
        ("Cát Bà", 20.7270, 107.0480),
        ("Lý Sơn", 15.3800, 109.1200),
        ("Phú Quý", 10.5200, 108.9400),
        ("Bạch Long Vĩ", 20.1330, 107.7250),
        ("Trường Sa Lớn", 8.6450, 111.9200),
        ("Hoàng Sa (Phú Lâm)", 16.8340, 112.3390),
        ("Cà Mau cape, on the shore", 8.6000, 104.7200),
    ];
    for (name, lat, lon) in inside {
        assert!(in_vietnam(LatLon::new(lat, lon)), "{name} should be inside");
    }
    let outside = [
        ("Vientiane", 17.9757, 102.6331),
        ("Phnom Penh", 11.5564, 104.9282),
        ("Nanning", 22.8170, 108.3665),
        ("Bangkok", 13.7563, 100.5018),
        ("South China Sea, far off", 14.0, 114.0),
        ("Gulf of Thailand", 8.0, 102.0),
        ("Null Island", 0.0, 0.0),
    ];
    for (name, lat, lon) in outside {
        assert!(
            !in_vietnam(LatLon::new(lat, lon)),
            "{name} should be outside"
        );
    }
    assert!(!in_vietnam(LatLon::new(f64::NAN, 105.0)));
}

#[test]
fn the_embedded_outline_is_a_valid_geometry() {
    let outline = vietnam::outline().expect("embedded outline parses");
    let polygons: Vec<_> = outline.polygons().collect();
    assert!(
        polygons.len() >= 10,
        "mainland, islands and archipelagos: {}",
        polygons.len()
    );
    for p in polygons {
        assert_eq!(p.check_validation(), Ok(()));
    }
}

/// Corners of a square `side` metres across whose south-west corner is `sw`, walked with geodesic steps.
fn square(sw: LatLon, side: f64) -> Vec<LatLon> {
    let step = |p: Point<f64>, bearing: f64| Geodesic.destination(p, bearing, side);
    let a = sw.to_point();
    let b = step(a, 90.0);
    let c = step(b, 0.0);
    let d = step(a, 0.0);
    [a, b, c, d]
        .iter()
        .map(|p| LatLon::new(p.y(), p.x()))
        .collect()
}

#[test]
fn a_one_km_square_is_one_hundred_hectares() {
    for sw in [LatLon::new(0.0, 10.0), LatLon::new(21.0, 105.8)] {
        let ring = square(sw, 1_000.0);
        let ha = zone_area_ha(&ring).unwrap();
        assert!((ha - 100.0).abs() < 0.5, "{ha} ha at {sw:?}");
        let mut reversed = ring.clone();
        reversed.reverse();
        assert!(
            (zone_area_ha(&reversed).unwrap() - ha).abs() < 1e-6,
            "winding order must not matter"
        );
        let mut closed = ring.clone();
        closed.push(ring[0]);
        assert!(
            (zone_area_ha(&closed).unwrap() - ha).abs() < 1e-9,
            "a closed ring is the same zone"
        );
    }
}

#[test]
fn a_zone_keeps_its_open_ring_and_area() {
    let mut ring = square(HA_NOI, 200.0);
    ring.insert(1, ring[0]);
    ring.push(ring[0]);
    let zone = Zone::new(ring).unwrap();
    assert_eq!(zone.ring().len(), 4);
    assert!((zone.area_ha() - 4.0).abs() < 0.02, "{}", zone.area_ha());
}

#[test]
fn a_thin_but_real_strip_is_a_zone() {
    // A 3 m wide, 500 m long strip along a diagonal (a field edge): about 0.15 ha.
    let a = HA_NOI;
    let b = Geodesic.destination(a.to_point(), 45.0, 500.0);
    let c = Geodesic.destination(b, 135.0, 3.0);
    let d = Geodesic.destination(a.to_point(), 135.0, 3.0);
    let ring: Vec<LatLon> = [a.to_point(), b, c, d]
        .iter()
        .map(|p| LatLon::new(p.y(), p.x()))
        .collect();
    let ha = zone_area_ha(&ring).unwrap();
    assert!((ha - 0.15).abs() < 0.001, "{ha}");
}

#[test]
fn rings_that_cannot_be_a_zone_are_refused() {
    let a = HA_NOI;
    let b = LatLon::new(a.lat, a.lon + 0.01);
    let c = LatLon::new(a.lat + 0.01, a.lon + 0.01);
    let d = LatLon::new(a.lat + 0.01, a.lon);
    assert_eq!(
        zone_area_ha(&[a, b]),
        Err(GpsError::TooFewPoints { distinct: 2 })
    );
    assert_eq!(
        zone_area_ha(&[a, b, a, b]),
        Err(GpsError::TooFewPoints { distinct: 2 })
    );
    assert_eq!(
        zone_area_ha(&[]),
        Err(GpsError::TooFewPoints { distinct: 0 })
    );
    // A figure eight: a → c → b → d crosses itself.
    assert_eq!(zone_area_ha(&[a, c, b, d]), Err(GpsError::SelfIntersecting));
    // Three points on one line enclose nothing.
    let mid = LatLon::new(a.lat, a.lon + 0.005);
    assert_eq!(zone_area_ha(&[a, mid, b]), Err(GpsError::NoArea));
    assert_eq!(
        zone_area_ha(&[a, b, LatLon::new(f64::NAN, 0.0)]),
        Err(GpsError::NotFinite { field: "lat" })
    );
    assert_eq!(
        zone_area_ha(&[a, b, LatLon::new(0.0, 200.0)]),
        Err(GpsError::OutOfRange {
            field: "lon",
            value: 200.0
        })
    );
}

#[test]
fn flags_serialise_in_snake_case_and_survive_a_document() {
    let flag = GpsFlag::PoorAccuracy {
        accuracy_m: 80.0,
        threshold_m: 50.0,
    };
    let json = serde_json::to_value(&flag).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"kind": "poor_accuracy", "accuracy_m": 80.0, "threshold_m": 50.0})
    );
    assert_eq!(
        serde_json::to_value(GpsFlag::OutsideVietnam).unwrap(),
        serde_json::json!({"kind": "outside_vietnam"})
    );

    let raw = GpsFix {
        lat: HA_NOI.lon,
        lon: HA_NOI.lat,
        accuracy_m: Some(70.0),
        ..fix_at(HA_NOI)
    };
    let assessment = raw.check(&QualityContext::default(), NOW).unwrap();
    let mut doc = automerge::AutoCommit::new();
    autosurgeon::reconcile(&mut doc, &assessment).unwrap();
    let back: Assessment = autosurgeon::hydrate(&doc).unwrap();
    assert_eq!(back, assessment);
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
