//! Validation, swap repair and quality flags of single fixes.

use super::*;

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
