//! GeoJSON export (RFC 7946): producers and visits as points, raw-material zones as polygons.
//!
//! Positions are `[longitude, latitude]` (RFC 7946 §3.1.1 — the reverse of how people say them), WGS84, no
//! `crs` member. Polygon rings are closed (the last position repeats the first) and the outer ring runs
//! counter-clockwise (§3.1.6, the right-hand rule). Every feature has a `kind` property (`producer`, `visit`,
//! `raw_material_zone`) and an `id`. Producer points carry their certified products by class, counted under the
//! producer kept after merges, so a map can be coloured by stars. Merged producers are left out; records without
//! a position are left out (counted in the collection's `skipped` foreign member).

use std::collections::HashMap;

use rusqlite::params;
use serde_json::{Value, json};

use super::ReportOptions;
use crate::error::Result;
use crate::gps::LatLon;
use crate::ids::RecordId;
use crate::records::OcopStage;
use crate::store::Store;

/// A closed, counter-clockwise ring of `[lon, lat]` positions.
fn polygon_ring(ring: &[LatLon]) -> Vec<[f64; 2]> {
    let mut pts: Vec<[f64; 2]> = ring.iter().map(|p| [p.lon, p.lat]).collect();
    if pts.first() != pts.last()
        && let Some(first) = pts.first().copied()
    {
        pts.push(first);
    }
    // Shoelace: positive area = counter-clockwise with x = lon, y = lat.
    let twice_area: f64 = pts
        .windows(2)
        .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
        .sum();
    if twice_area < 0.0 {
        pts.reverse();
    }
    pts
}

fn point(lat: f64, lon: f64) -> Value {
    json!({ "type": "Point", "coordinates": [lon, lat] })
}

impl Store {
    /// The map export as a GeoJSON `FeatureCollection` (see the module docs).
    pub fn geojson(&self, options: &ReportOptions) -> Result<Value> {
        let province = options.province_code.as_deref();
        let mut features = Vec::new();
        let mut skipped = 0u64;

        // Certified products per (effective) producer.
        let stages: Vec<(String, String)> = self.with_conn(|conn| {
            let mut stmt = conn.prepare(
                "SELECT producer_id, stage FROM products WHERE (?1 IS NULL OR province_code = ?1)",
            )?;
            let rows = stmt.query_map(params![province], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        let mut by_producer: HashMap<RecordId, [u32; 4]> = HashMap::new();
        let mut resolved: HashMap<RecordId, RecordId> = HashMap::new();
        for (producer, stage) in stages {
            let producer: RecordId = producer.parse()?;
            let owner = match resolved.get(&producer) {
                Some(o) => *o,
                None => {
                    let o = self.effective_producer(producer)?;
                    resolved.insert(producer, o);
                    o
                }
            };
            let slot = match serde_json::from_value::<OcopStage>(Value::String(stage)) {
                Ok(OcopStage::ThreeStar) => 0,
                Ok(OcopStage::FourStar) => 1,
                Ok(OcopStage::FiveStar) => 2,
                Ok(OcopStage::PotentialFiveStar) => 3,
                _ => continue,
            };
            by_producer.entry(owner).or_default()[slot] += 1;
        }

        type ProducerRow = (
            String,
            String,
            String,
            String,
            String,
            Option<bool>,
            Option<f64>,
            Option<f64>,
        );
        let producers: Vec<ProducerRow> = self.with_conn(|conn| {
            let mut stmt = conn.prepare(
                "SELECT id, name, owner_kind, commune_code, commune_name, women_owned, lat, lon FROM producers
                 WHERE status != 'merged_into' AND (?1 IS NULL OR province_code = ?1) ORDER BY id",
            )?;
            let rows = stmt.query_map(params![province], |r| <_>::try_from(r))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        for (id, name, owner_kind, commune_code, commune_name, women_owned, lat, lon) in producers {
            let (Some(lat), Some(lon)) = (lat, lon) else {
                skipped += 1;
                continue;
            };
            let counts = by_producer
                .get(&id.parse::<RecordId>()?)
                .copied()
                .unwrap_or_default();
            features.push(json!({
                "type": "Feature",
                "id": id,
                "geometry": point(lat, lon),
                "properties": {
                    "kind": "producer",
                    "id": id,
                    "name": name,
                    "owner_kind": owner_kind,
                    "commune_code": commune_code,
                    "commune_name": commune_name,
                    "women_owned": women_owned,
                    "three_star": counts[0],
                    "four_star": counts[1],
                    "five_star": counts[2],
                    "potential_five_star": counts[3],
                }
            }));
        }

        type VisitRow = (
            String,
            Option<String>,
            String,
            String,
            String,
            Option<i64>,
            String,
            Option<f64>,
            Option<f64>,
        );
        let visits: Vec<VisitRow> = self.with_conn(|conn| {
            let mut stmt = conn.prepare(
                "SELECT id, producer_id, commune_code, state, collector, submitted_at, flags, lat, lon FROM visits
                 WHERE (?1 IS NULL OR province_code = ?1) ORDER BY id",
            )?;
            let rows = stmt.query_map(params![province], |r| <_>::try_from(r))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        for (id, producer, commune_code, state, collector, submitted_at, flags, lat, lon) in visits {
            let (Some(lat), Some(lon)) = (lat, lon) else {
                skipped += 1;
                continue;
            };
            let producer = match producer {
                Some(p) => Some(self.effective_producer(p.parse()?)?.to_string()),
                None => None,
            };
            let flags: Vec<&str> = flags.split(',').filter(|f| !f.is_empty()).collect();
            features.push(json!({
                "type": "Feature",
                "id": id,
                "geometry": point(lat, lon),
                "properties": {
                    "kind": "visit",
                    "id": id,
                    "producer_id": producer,
                    "commune_code": commune_code,
                    "state": state,
                    "collector": collector,
                    "submitted_at": submitted_at,
                    "flags": flags,
                }
            }));
        }

        let zoned: Vec<String> = self.with_conn(|conn| {
            let mut stmt = conn.prepare(
                "SELECT id FROM products WHERE zone_area_ha IS NOT NULL AND (?1 IS NULL OR province_code = ?1)
                 ORDER BY id",
            )?;
            let rows = stmt.query_map(params![province], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        for id in zoned {
            let product = self.product(id.parse()?)?;
            let Some(zone) = product.raw_material_zone.as_ref().filter(|z| z.ring.len() >= 3) else {
                skipped += 1;
                continue;
            };
            features.push(json!({
                "type": "Feature",
                "id": id,
                "geometry": { "type": "Polygon", "coordinates": [polygon_ring(&zone.ring)] },
                "properties": {
                    "kind": "raw_material_zone",
                    "id": id,
                    "product": product.name,
                    "producer_id": self.effective_producer(product.producer)?.to_string(),
                    "group": product.group,
                    "stage": product.ocop.stage.as_str(),
                    "area_ha": zone.area_ha,
                    "commune_code": product.commune.code,
                }
            }));
        }
        Ok(json!({
            "type": "FeatureCollection",
            "features": features,
            "skipped": skipped,
        }))
    }

    /// Writes [`Store::geojson`] to `path` (UTF-8 JSON).
    pub fn write_geojson(&self, options: &ReportOptions, path: &std::path::Path) -> Result<()> {
        let value = self.geojson(options)?;
        std::fs::write(path, serde_json::to_vec_pretty(&value)?)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rings_are_closed_and_counter_clockwise() {
        let cw = [
            LatLon::new(21.0, 105.0),
            LatLon::new(21.01, 105.0),
            LatLon::new(21.01, 105.01),
        ];
        // lat up then lon right: clockwise when x = lon, y = lat.
        let ring = polygon_ring(&cw);
        assert_eq!(ring.len(), 4);
        assert_eq!(ring.first(), ring.last());
        let area: f64 = ring.windows(2).map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1]).sum();
        assert!(area > 0.0);
        assert!(ring.iter().all(|p| p[0] > 100.0 && p[1] < 30.0), "lon first");
    }
}
