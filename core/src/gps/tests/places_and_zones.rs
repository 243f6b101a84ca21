//! Distances, the Vietnam outline and zone areas.

use geo::{Destination, Geodesic, Point, Validation};

use super::*;

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
