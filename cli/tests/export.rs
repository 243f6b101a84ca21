//! `ocop export` and `ocop duplicates`, run as the built binary against a generated store.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use ocop_core::identity::{Author, Role};
use ocop_core::ids::Date;
use ocop_core::reports::sample::{ProvincePlan, generate_province};
use ocop_core::store::{Store, StoreOptions};

fn ocop() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ocop"))
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn province_store(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let path = dir.path().join("province.db");
    let store = Store::open(
        &path,
        StoreOptions {
            durable: false,
            ..Default::default()
        },
    )
    .unwrap();
    let officer = Author::new("officer-tn-01", "Nguyễn Văn An", Role::Officer);
    let plan = ProvincePlan::issue_example(Date::parse("2026-06-30").unwrap());
    generate_province(&store, &officer, &plan).unwrap();
    // A duplicate registration for `ocop duplicates`.
    let mut p = ocop_core::sample::Sampler::new(9).producer(ocop_core::places::Places::embedded().commune("05503").unwrap());
    p.name = "HTX Chè Đồng Tâm".into();
    store.create_producer(&officer, p.clone()).unwrap();
    p.name = "Hợp tác xã chè Đồng Tâm".into();
    store.create_producer(&officer, p).unwrap();
    drop(store);
    path
}

#[test]
fn export_writes_xlsx_csv_and_geojson_with_the_figures() {
    use calamine::{Data, DataType, Reader, Xlsx, open_workbook};
    let dir = tempfile::tempdir().unwrap();
    let db = province_store(&dir);

    let xlsx = dir.path().join("out/report.xlsx");
    let stdout = run(ocop().args(["export", "--store"]).arg(&db).args([
        "--format", "xlsx", "--province", "19", "--as-of", "2026-06-30", "--out",
    ]).arg(&xlsx));
    assert!(stdout.contains("184 certified OCOP products — 3★ 137, 4★ 38, 5★ 3, potential 5★ 6; women-owned 61"), "{stdout}");
    let mut book: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let summary = book.worksheet_range("Tổng hợp").unwrap();
    let row = summary.rows().find(|r| r[0] == Data::String("certified_total".into())).unwrap();
    assert_eq!(row[3].as_f64(), Some(184.0));

    let csv_dir = dir.path().join("csv");
    run(ocop().args(["export", "--store"]).arg(&db).args([
        "--format", "csv", "--province", "19", "--as-of", "2026-06-30", "--lang", "en", "--out",
    ]).arg(&csv_dir));
    let bytes = std::fs::read(csv_dir.join("summary.csv")).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    assert_eq!(&reader.headers().unwrap()[3], "Count");
    let women = reader
        .records()
        .map(|r| r.unwrap())
        .find(|r| &r[0] == "women_owned")
        .unwrap();
    assert_eq!(&women[3], "61");

    let gj = dir.path().join("map.geojson");
    run(ocop().args(["export", "--store"]).arg(&db).args(["--format", "geojson", "--province", "19", "--out"]).arg(&gj));
    let parsed: geojson::GeoJson = std::fs::read_to_string(&gj).unwrap().parse().unwrap();
    let geojson::GeoJson::FeatureCollection(fc) = parsed else { panic!("a FeatureCollection") };
    assert!(fc.features.len() > 184);
}

#[test]
fn duplicates_lists_the_pair_and_bad_input_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = province_store(&dir);
    let stdout = run(ocop().args(["duplicates", "--store"]).arg(&db).args(["--commune", "05503"]));
    assert!(stdout.contains("HTX Chè Đồng Tâm"), "{stdout}");
    assert!(stdout.contains("Hợp tác xã chè Đồng Tâm"), "{stdout}");
    assert!(stdout.contains("Trùng tên"), "{stdout}");
    let json = run(ocop().args(["duplicates", "--json", "--store"]).arg(&db).args(["--commune", "05503"]));
    let pairs: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(pairs.as_array().unwrap().iter().any(|p| p["reasons"].as_array().unwrap().iter().any(|r| r["code"] == "same_name")));

    for args in [
        vec!["export", "--store", "/nonexistent/x.db", "--format", "xlsx", "--out", "/tmp/x.xlsx"],
        vec!["duplicates", "--store", "/nonexistent/x.db"],
    ] {
        let out = ocop().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("no store at"));
    }
    let out = ocop()
        .args(["export", "--store"])
        .arg(&db)
        .args(["--format", "xlsx", "--as-of", "30/06/2026", "--out"])
        .arg(dir.path().join("x.xlsx"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--as-of"));
    // Exactly one source.
    let out = ocop().args(["duplicates"]).output().unwrap();
    assert!(!out.status.success());
}
