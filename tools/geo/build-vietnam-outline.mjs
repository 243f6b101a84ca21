// Builds core/data/geo/vietnam.geojson: a coarse, buffered land outline of Vietnam used by the GPS quality check
// "outside Vietnam" (core/src/gps). Run from this folder:  npm install && npm run build
//
// Steps (all parameters are constants below, so a rebuild is reproducible):
//  1. Natural Earth 1:10m Admin-0 "Vietnam" (public domain) from the npm package world-atlas@2.0.2 (ISC).
//  2. Add small islands that the 1:10m data lacks, as circles around their approximate centres.
//  3. Buffer every land polygon by BUFFER_KM so coastal and border fixes are not flagged.
//  4. Union everything, simplify to SIMPLIFY_DEG, and add the Hoàng Sa / Trường Sa archipelagos as boxes.
//  5. Check that every source vertex and every island centre lies inside the result; refuse to write otherwise.
//  6. Write a compact GeoJSON FeatureCollection with one MultiPolygon, coordinates rounded to 4 decimals (~11 m).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as topojson from 'topojson-client';
import { buffer } from '@turf/buffer';
import { circle } from '@turf/circle';
import { union } from '@turf/union';
import { simplify } from '@turf/simplify';
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import { featureCollection, point, polygon } from '@turf/helpers';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SOURCE = path.join(HERE, 'node_modules/world-atlas/countries-10m.json');
const OUT = path.join(HERE, '../../core/data/geo/vietnam.geojson');

/** Margin around land, kilometres. */
const BUFFER_KM = 5;
/** Douglas–Peucker tolerance in degrees (~1.1 km), well below the buffer so simplification never bites into land. */
const SIMPLIFY_DEG = 0.01;

/**
 * Inhabited islands missing from (or too small for) Natural Earth 1:10m: [name, lon, lat, radius_km].
 * Centres are approximate public coordinates; the radius is generous to absorb their error.
 */
const EXTRA_ISLANDS = [
  ['Lý Sơn', 109.12, 15.38, 8],
  ['Bạch Long Vĩ', 107.72, 20.13, 6],
  ['Cồn Cỏ', 107.34, 17.16, 5],
  ['Cù Lao Chàm', 108.51, 15.95, 7],
  ['Cù Lao Xanh', 109.35, 13.62, 5],
  ['Nam Du', 104.36, 9.68, 10],
  ['Thổ Chu', 103.47, 9.30, 8],
  ['Hòn Khoai', 104.83, 8.43, 5],
  ['Hải Tặc', 104.33, 10.18, 6],
];

/** Archipelagos kept as bounding areas: [name, west, south, east, north]. */
const ARCHIPELAGO_BOXES = [
  ['Hoàng Sa', 110.9, 15.5, 113.1, 17.3],
  ['Trường Sa', 111.3, 7.3, 116.0, 12.0],
];

function vietnamLand() {
  const topo = JSON.parse(fs.readFileSync(SOURCE, 'utf8'));
  const geom = topo.objects.countries.geometries.find((g) => g.properties.name === 'Vietnam');
  if (!geom) throw new Error('Vietnam not found in world-atlas countries-10m');
  return topojson.feature(topo, geom);
}

function box([, w, s, e, n]) {
  return polygon([[[w, s], [e, s], [e, n], [w, n], [w, s]]]);
}

function round(coords) {
  return coords.map((poly) => poly.map((ring) => dedupe(ring.map(([x, y]) => [+x.toFixed(4), +y.toFixed(4)]))));
}

function dedupe(ring) {
  return ring.filter((c, i) => i === 0 || c[0] !== ring[i - 1][0] || c[1] !== ring[i - 1][1]);
}

const land = vietnamLand();
const islands = EXTRA_ISLANDS.map(([, lon, lat, r]) => circle([lon, lat], r, { steps: 16, units: 'kilometers' }));
const buffered = buffer(land, BUFFER_KM, { units: 'kilometers', steps: 4 });
let merged = union(featureCollection([buffered, ...islands]));
merged = simplify(merged, { tolerance: SIMPLIFY_DEG, highQuality: true, mutate: true });
merged = union(featureCollection([merged, ...ARCHIPELAGO_BOXES.map(box)]));

const multi = merged.geometry.type === 'Polygon' ? [merged.geometry.coordinates] : merged.geometry.coordinates;
const out = { type: 'MultiPolygon', coordinates: round(multi) };

// Self-check: nothing of the source land and no island centre may fall outside the outline.
const outline = { type: 'Feature', properties: {}, geometry: out };
const src = land.geometry.type === 'Polygon' ? [land.geometry.coordinates] : land.geometry.coordinates;
let missing = 0;
for (const poly of src) for (const c of poly[0]) if (!booleanPointInPolygon(point(c), outline)) missing += 1;
for (const [name, lon, lat] of EXTRA_ISLANDS) {
  if (!booleanPointInPolygon(point([lon, lat]), outline)) throw new Error(`island ${name} outside outline`);
}
if (missing > 0) throw new Error(`${missing} source vertices fall outside the outline`);

const fc = {
  type: 'FeatureCollection',
  features: [
    {
      type: 'Feature',
      properties: {
        name: 'Vietnam (coarse land outline, buffered)',
        source: 'Natural Earth 1:10m Admin 0 via world-atlas@2.0.2; see SOURCE.md',
        buffer_km: BUFFER_KM,
        simplify_deg: SIMPLIFY_DEG,
      },
      geometry: out,
    },
  ],
};
fs.writeFileSync(OUT, JSON.stringify(fc) + '\n');
const points = out.coordinates.reduce((n, p) => n + p.reduce((m, r) => m + r.length, 0), 0);
console.log(`wrote ${OUT}: ${out.coordinates.length} polygons, ${points} points, ${fs.statSync(OUT).size} bytes`);
