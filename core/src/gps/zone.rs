//! Raw-material zones: a polygon walked or drawn around a field, and its area in hectares.
//!
//! A ring is given as its corner points, open or closed (a repeated first point at the end is dropped, and so are
//! consecutive repeats, which a GPS walk produces while standing still). It must have at least three distinct
//! points, only valid positions, must enclose some area (not all on one line), and must not cross or touch itself; `geo`'s OGC validation decides the last point
//! (it works in plain longitude/latitude, which is exact enough for fields a few km across and does not handle a
//! ring crossing the antimeridian — none does in Vietnam). The area is geodesic on the WGS84 ellipsoid (`geo`'s
//! `GeodesicArea`, Karney's algorithm), whatever the ring's winding order.

use autosurgeon::{Hydrate, Reconcile};
use geo::algorithm::validation::InvalidPolygon;
use geo::{Area, BoundingRect, GeodesicArea, LineString, Polygon, Validation};
use serde::{Deserialize, Serialize};

use super::{GpsError, LatLon};

/// Square metres in a hectare.
const M2_PER_HA: f64 = 10_000.0;

/// A validated raw-material zone: its ring and its geodesic area.
///
/// Build one with [`Zone::new`], which validates. Hydrating from a document trusts what the document holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Zone {
    ring: Vec<LatLon>,
    area_ha: f64,
}

impl Zone {
    /// Validates `ring` and computes its area. The stored ring is open (no repeated closing point) and has no
    /// consecutive repeats.
    pub fn new(ring: Vec<LatLon>) -> Result<Self, GpsError> {
        let ring = normalise(ring)?;
        let area_ha = area_of(&ring)?;
        Ok(Self { ring, area_ha })
    }

    /// The ring's corners, open, in the order given.
    pub fn ring(&self) -> &[LatLon] {
        &self.ring
    }

    /// Geodesic area, hectares.
    pub fn area_ha(&self) -> f64 {
        self.area_ha
    }
}

/// Geodesic area of the polygon `ring` encloses, in hectares, after the checks described in the module docs.
pub fn zone_area_ha(ring: &[LatLon]) -> Result<f64, GpsError> {
    area_of(&normalise(ring.to_vec())?)
}

fn normalise(mut ring: Vec<LatLon>) -> Result<Vec<LatLon>, GpsError> {
    for p in &ring {
        p.validate()?;
    }
    ring.dedup();
    if ring.len() > 1 && ring.first() == ring.last() {
        ring.pop();
    }
    let mut distinct = ring.clone();
    distinct.sort_by(|a, b| a.lat.total_cmp(&b.lat).then(a.lon.total_cmp(&b.lon)));
    distinct.dedup();
    if distinct.len() < 3 {
        return Err(GpsError::TooFewPoints {
            distinct: distinct.len(),
        });
    }
    Ok(ring)
}

fn area_of(ring: &[LatLon]) -> Result<f64, GpsError> {
    let exterior: LineString<f64> = ring.iter().map(|p| (p.lon, p.lat)).collect();
    let polygon = Polygon::new(exterior, vec![]);
    match polygon.check_validation() {
        Ok(()) => {}
        Err(InvalidPolygon::TooFewPointsInRing(_)) => {
            return Err(GpsError::TooFewPoints {
                distinct: ring.len(),
            });
        }
        Err(_) => return Err(GpsError::SelfIntersecting),
    }
    // Points on one line enclose nothing, but a lon/lat straight line is not a geodesic, so the geodesic area of
    // such a ring is a few m² rather than 0: test degeneracy in the plane, relative to the ring's bounding box.
    let planar = polygon.unsigned_area();
    let bbox = polygon
        .bounding_rect()
        .map_or(0.0, |r| r.width() * r.height());
    if planar.is_nan() || planar <= bbox * 1e-9 {
        return Err(GpsError::NoArea);
    }
    // The signed area lies in (-½ Earth, ½ Earth]: its magnitude is the enclosed area whichever way the ring is
    // wound (the "unsigned" area would be the rest of the Earth for a clockwise ring).
    let area_ha = polygon.geodesic_area_signed().abs() / M2_PER_HA;
    if area_ha <= 0.0 || !area_ha.is_finite() {
        return Err(GpsError::NoArea);
    }
    Ok(area_ha)
}
