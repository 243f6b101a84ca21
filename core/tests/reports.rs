//! The OCOP summary report and its exports: a generated province with exactly 184 certified products (137 at
//! 3★, 38 at 4★, 3 at 5★, 6 potential 5★), 61 of them women-owned, must come out exactly so in the report and in
//! the XLSX, CSV and GeoJSON files read back with standard readers (calamine, csv, geojson).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;

use calamine::{Data, DataType, Reader, Xlsx, open_workbook};
use common::*;
use ocop_core::ids::Date;
use ocop_core::reports::export::{self, Lang, UTF8_BOM};
use ocop_core::reports::sample::{ProvincePlan, ProvinceTally, generate_province};
use ocop_core::reports::{OcopReport, ReportOptions};
use ocop_core::store::{Store, StoreOptions};

fn as_of() -> Date {
    Date::parse("2026-06-30").unwrap()
}

fn province() -> (tempfile::TempDir, Store, ProvinceTally, OcopReport) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(
        dir.path().join("province.db"),
        StoreOptions {
            durable: false,
            ..Default::default()
        },
    )
    .unwrap();
    let tally = generate_province(&store, &officer(), &ProvincePlan::issue_example(as_of())).unwrap();
    let report = store
        .ocop_report(&ReportOptions {
            province_code: Some("19".into()),
            ..ReportOptions::as_of(as_of())
        })
        .unwrap();
    (dir, store, tally, report)
}

fn stars_of(s: &ocop_core::reports::StarCounts) -> [u32; 4] {
    [s.three_star, s.four_star, s.five_star, s.potential_five_star]
}

#[test]
fn the_report_struct_and_every_file_say_184_137_38_3_6_and_61() {
    let (dir, store, tally, report) = province();

    // The struct.
    assert_eq!(report.stars.total(), 184);
    assert_eq!(stars_of(&report.stars), [137, 38, 3, 6]);
    assert_eq!(report.women_owned, 61);
    assert_eq!(report.expiring.len(), 12);
    assert!(report.expiring.iter().all(|c| (0..=90).contains(&c.days_left)));
    assert!(report.expiring.windows(2).all(|w| w[0].expires <= w[1].expires));
    assert_eq!(report.expired.len(), 2);
    assert_eq!(report.candidates, tally.candidates);
    assert_eq!(report.on_ecommerce, tally.on_ecommerce);
    assert_eq!(report.ecommerce_by_platform, tally.by_platform);
    let groups: BTreeMap<String, [u32; 4]> =
        report.by_group.iter().map(|g| (g.code.clone(), stars_of(&g.stars))).collect();
    assert_eq!(groups, tally.by_group);
    assert!(report.by_group.iter().any(|g| g.name_vi.contains("Thực phẩm")), "{:?}", report.by_group);
    let communes: BTreeMap<String, [u32; 4]> =
        report.by_commune.iter().map(|c| (c.code.clone(), stars_of(&c.stars))).collect();
    assert_eq!(communes, tally.by_commune);
    let women: BTreeMap<String, u32> = report
        .by_commune
        .iter()
        .filter(|c| c.women_owned > 0)
        .map(|c| (c.code.clone(), c.women_owned))
        .collect();
    assert_eq!(women, tally.women_by_commune);
    let mut pending: Vec<_> = report.pending_review.iter().map(|v| v.visit_id).collect();
    pending.sort();
    let mut submitted = tally.submitted.clone();
    submitted.sort();
    assert_eq!(pending, submitted);

    // The whole store (no province filter) also counts the other province's three 4★ products.
    let everything = store.ocop_report(&ReportOptions::as_of(as_of())).unwrap();
    assert_eq!(stars_of(&everything.stars), [137, 41, 3, 6]);
    assert_eq!(everything.women_owned, 64);

    // XLSX, read back with calamine.
    let xlsx = dir.path().join("report.xlsx");
    export::write_xlsx(&report, &xlsx, Lang::Vi).unwrap();
    let mut book: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let names = book.sheet_names().to_vec();
    assert_eq!(
        names,
        ["Tổng hợp", "Theo hạng sao", "Theo nhóm sản phẩm", "Theo xã", "Sàn thương mại điện tử", "Sắp hết hạn", "Đã hết hạn", "Chờ duyệt"]
    );
    let summary = book.worksheet_range("Tổng hợp").unwrap();
    let header: Vec<String> = summary.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(header, ["Mã", "Chỉ tiêu", "Indicator", "Số lượng"]);
    let value = |code: &str| -> f64 {
        let row = summary
            .rows()
            .find(|r| r[0] == Data::String(code.into()))
            .unwrap_or_else(|| panic!("row {code}"));
        match &row[3] {
            Data::Float(f) => *f,
            Data::Int(i) => *i as f64,
            other => panic!("{code}: a number, not {other:?}"),
        }
    };
    assert_eq!(value("certified_total"), 184.0);
    assert_eq!(value("three_star"), 137.0);
    assert_eq!(value("four_star"), 38.0);
    assert_eq!(value("five_star"), 3.0);
    assert_eq!(value("potential_five_star"), 6.0);
    assert_eq!(value("women_owned"), 61.0);
    assert_eq!(value("expiring"), 12.0);
    let by_commune = book.worksheet_range("Theo xã").unwrap();
    let mut rows = by_commune.rows();
    let header: Vec<String> = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(header[1], "Xã/phường");
    let (mut total, mut women_total) = (0.0, 0.0);
    for r in rows {
        total += r[6].as_f64().unwrap();
        women_total += r[7].as_f64().unwrap();
        assert!(!r[1].to_string().is_empty(), "commune names are written");
    }
    assert_eq!((total, women_total), (184.0, 61.0));
    let vietnamese = summary.rows().nth(6).unwrap()[1].to_string();
    assert_eq!(vietnamese, "Sản phẩm của chủ thể do phụ nữ làm chủ");

    // CSV, one file per table, UTF-8 with a BOM, read back with the csv crate.
    let csv_dir = dir.path().join("csv");
    let files = export::write_csv_dir(&report, &csv_dir, Lang::Vi).unwrap();
    assert_eq!(files.len(), 8);
    for f in &files {
        assert!(std::fs::read(f).unwrap().starts_with(UTF8_BOM), "{f:?} starts with a BOM");
    }
    let bytes = std::fs::read(csv_dir.join("summary.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(&bytes[UTF8_BOM.len()..]);
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        ["Mã", "Chỉ tiêu", "Indicator", "Số lượng"]
    );
    let summary_csv: BTreeMap<String, u32> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[3].parse().unwrap())
        })
        .collect();
    for (code, n) in [
        ("certified_total", 184),
        ("three_star", 137),
        ("four_star", 38),
        ("five_star", 3),
        ("potential_five_star", 6),
        ("women_owned", 61),
    ] {
        assert_eq!(summary_csv[code], n, "{code}");
    }
    let bytes = std::fs::read(csv_dir.join("by_group.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(&bytes[UTF8_BOM.len()..]);
    let mut from_csv: BTreeMap<String, [u32; 4]> = BTreeMap::new();
    for r in reader.records() {
        let r = r.unwrap();
        from_csv.insert(
            r[0].to_string(),
            [r[2].parse().unwrap(), r[3].parse().unwrap(), r[4].parse().unwrap(), r[5].parse().unwrap()],
        );
    }
    assert_eq!(from_csv, tally.by_group);

    // GeoJSON, read back with the geojson crate.
    let path = dir.path().join("map.geojson");
    store
        .write_geojson(
            &ReportOptions {
                province_code: Some("19".into()),
                ..ReportOptions::as_of(as_of())
            },
            &path,
        )
        .unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let gj: geojson::GeoJson = text.parse().unwrap();
    let geojson::GeoJson::FeatureCollection(fc) = gj else {
        panic!("a FeatureCollection")
    };
    let kind = |f: &geojson::Feature| f.property("kind").and_then(|k| k.as_str()).unwrap_or("").to_string();
    let producers: Vec<&geojson::Feature> = fc.features.iter().filter(|f| kind(f) == "producer").collect();
    let visits = fc.features.iter().filter(|f| kind(f) == "visit").count();
    let zones: Vec<&geojson::Feature> = fc.features.iter().filter(|f| kind(f) == "raw_material_zone").collect();
    assert_eq!(producers.len() as u32, tally.producers);
    assert_eq!(visits as u32, tally.visits);
    assert_eq!(zones.len() as u32, tally.zones);
    let mut sums = [0u64; 4];
    let mut women_sum = 0u64;
    for f in &producers {
        let n: Vec<u64> = ["three_star", "four_star", "five_star", "potential_five_star"]
            .iter()
            .map(|k| f.property(k).and_then(|v| v.as_u64()).unwrap())
            .collect();
        for i in 0..4 {
            sums[i] += n[i];
        }
        if f.property("women_owned").and_then(|v| v.as_bool()) == Some(true) {
            women_sum += n.iter().sum::<u64>();
        }
        // RFC 7946: longitude first. Thái Nguyên is near 105.8° E, 21.6° N.
        let geometry = serde_json::to_value(f.geometry.as_ref().unwrap()).unwrap();
        assert_eq!(geometry["type"], "Point");
        let p: Vec<f64> = serde_json::from_value(geometry["coordinates"].clone()).unwrap();
        assert!((105.0..107.0).contains(&p[0]) && (21.0..23.0).contains(&p[1]), "{p:?}");
    }
    assert_eq!(sums, [137, 38, 3, 6]);
    assert_eq!(women_sum, 61);
    for z in &zones {
        let geometry = serde_json::to_value(z.geometry.as_ref().unwrap()).unwrap();
        assert_eq!(geometry["type"], "Polygon");
        let rings: Vec<Vec<[f64; 2]>> = serde_json::from_value(geometry["coordinates"].clone()).unwrap();
        let ring = &rings[0];
        assert_eq!(ring.first(), ring.last(), "closed ring");
        assert_eq!(ring.len(), 5);
        let twice_area: f64 = ring.windows(2).map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1]).sum();
        assert!(twice_area > 0.0, "counter-clockwise outer ring");
        assert!(z.property("area_ha").and_then(|a| a.as_f64()).unwrap() > 0.0);
    }
}

#[test]
fn english_headers_and_a_merge_keeps_the_figures() {
    let (dir, store, _, before) = province();
    let bytes = export::xlsx_bytes(&before, Lang::En).unwrap();
    let path = dir.path().join("en.xlsx");
    std::fs::write(&path, bytes).unwrap();
    let book: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(book.sheet_names()[0], "Summary");

    // Merge two certified producers: the product moves, nothing is dropped or counted twice, and the
    // women-owned count follows the producer kept.
    let producers = store
        .list_producers(&ocop_core::store::ProducerFilter {
            province_code: Some("19".into()),
            limit: 1000,
            ..Default::default()
        })
        .unwrap();
    let man = producers.iter().find(|p| p.women_owned == Some(false)).unwrap();
    let woman = producers
        .iter()
        .find(|p| p.women_owned == Some(true) && p.commune_code == man.commune_code)
        .unwrap();
    let certified_of = |id| {
        store
            .list_products(&ocop_core::store::ProductFilter {
                producer_id: Some(id),
                ..Default::default()
            })
            .unwrap()
            .iter()
            .filter(|p| p.stars.is_some() || p.stage == "potential_five_star")
            .count() as u32
    };
    let (man_before, woman_before) = (certified_of(man.id), certified_of(woman.id));
    let sup = ocop_core::identity::Author::new("sup", "Đỗ Thị Hạnh", ocop_core::identity::Role::Supervisor);
    store.merge_producers(&sup, man.id, woman.id).unwrap();
    let after = store.ocop_report(&before.options).unwrap();
    assert_eq!(after.stars, before.stars);
    assert_eq!(certified_of(man.id), man_before + woman_before, "products moved to the producer kept");
    assert_eq!(certified_of(woman.id), 0);
    assert_eq!(after.women_owned, before.women_owned - woman_before);
}

#[test]
fn the_review_queue_is_pluggable() {
    struct Nothing;
    impl ocop_core::reports::ReviewQueue for Nothing {
        fn pending_visits(
            &self,
            _: &Store,
            _: Option<&str>,
        ) -> ocop_core::Result<Vec<ocop_core::reports::PendingVisit>> {
            Ok(Vec::new())
        }
    }
    let (_dir, store, _, report) = province();
    assert_eq!(report.pending_review.len(), 5);
    let other = store.ocop_report_with(&report.options, &Nothing).unwrap();
    assert!(other.pending_review.is_empty());
    assert_eq!(other.stars, report.stars);
}
