//! Is a point in Vietnam? A coarse land outline, embedded.
//!
//! `core/data/geo/vietnam.geojson` is built by `tools/geo/build-vietnam-outline.mjs` from Natural Earth's 1:10m
//! Admin-0 boundaries (public domain; see `core/data/geo/SOURCE.md`): the mainland and islands, plus small inhabited
//! islands the source lacks, buffered by 5 km and simplified; the Hoàng Sa and Trường Sa archipelagos are whole
//! bounding boxes. It answers "is this fix plausibly in Vietnam?", not "which side of the border": a point within
//! about 5 km of the land border or the coast counts as inside, on either side.
//!
//! The outline is parsed once, on first use. Each polygon keeps its bounding box, so a point far from a polygon is
//! rejected by four comparisons before any point-in-polygon test.

use std::sync::OnceLock;

use geo::{BoundingRect, Coord, Intersects, LineString, MultiPolygon, Polygon, Rect};
use serde::Deserialize;

use super::LatLon;

const OUTLINE_GEOJSON: &str = include_str!("../../data/geo/vietnam.geojson");

#[derive(Deserialize)]
struct FeatureCollection {
    features: Vec<Feature>,
}

#[derive(Deserialize)]
struct Feature {
    geometry: MultiPolygonGeometry,
}

#[derive(Deserialize)]
struct MultiPolygonGeometry {
    coordinates: Vec<Vec<Vec<[f64; 2]>>>,
}

/// The parsed outline: each polygon with its bounding box, and the box around all of them.
pub(super) struct Outline {
    parts: Vec<(Rect<f64>, Polygon<f64>)>,
    bounds: Rect<f64>,
}

impl Outline {
    fn parse(json: &str) -> Option<Self> {
        let fc: FeatureCollection = serde_json::from_str(json).ok()?;
        let polygons: Vec<Polygon<f64>> = fc
            .features
            .into_iter()
            .flat_map(|f| f.geometry.coordinates)
            .filter_map(|rings| {
                let mut rings = rings.into_iter().map(|ring| {
                    LineString::new(ring.into_iter().map(|[x, y]| Coord { x, y }).collect())
                });
                let exterior = rings.next()?;
                Some(Polygon::new(exterior, rings.collect()))
            })
            .collect();
        let bounds = MultiPolygon::new(polygons.clone()).bounding_rect()?;
        let parts = polygons
            .into_iter()
            .filter_map(|p| Some((p.bounding_rect()?, p)))
            .collect();
        Some(Self { parts, bounds })
    }

    fn contains(&self, p: LatLon) -> bool {
        let c = Coord { x: p.lon, y: p.lat };
        if !self.bounds.intersects(&c) {
            return false;
        }
        self.parts
            .iter()
            .any(|(bbox, poly)| bbox.intersects(&c) && poly.intersects(&c))
    }

    #[cfg(test)]
    pub(super) fn polygons(&self) -> impl Iterator<Item = &Polygon<f64>> {
        self.parts.iter().map(|(_, p)| p)
    }
}

pub(super) fn outline() -> Option<&'static Outline> {
    static OUTLINE: OnceLock<Option<Outline>> = OnceLock::new();
    OUTLINE
        .get_or_init(|| {
            let parsed = Outline::parse(OUTLINE_GEOJSON);
            if parsed.is_none() {
                tracing::error!("embedded Vietnam outline could not be parsed; OutsideVietnam flags are disabled");
            }
            parsed
        })
        .as_ref()
}

/// Whether `p` lies in Vietnam's coarse land outline (mainland, islands, Hoàng Sa, Trường Sa, with ~5 km margin).
///
/// An invalid point (NaN, out of range) is not in Vietnam. If the embedded outline could not be read (a build
/// defect the tests guard against), every valid point counts as inside, so no fix is wrongly flagged.
pub fn in_vietnam(p: LatLon) -> bool {
    if !p.is_valid() {
        return false;
    }
    outline().is_none_or(|o| o.contains(p))
}
