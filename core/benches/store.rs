//! Store benchmarks (issue 2). Run: `cargo bench -p ocop-core --bench store`
//!
//! 1. Capture of a whole visit (20 answers, a GPS fix, 3 photo references) through `Store::capture_visit`,
//!    side by side with a plain rusqlite insert of the same data as JSON with the same durability (WAL,
//!    `synchronous = FULL`, one transaction per capture). Runs alternate A/B so both see the same machine noise.
//! 2. Opening a store of 50,000 visits and running the first list query, in a fresh process each time, with
//!    that process's peak resident memory (VmHWM).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ocop_core::forms::FormRegistry;
use ocop_core::identity::{Author, Role};
use ocop_core::ids::now_millis;
use ocop_core::photo::ImportedPhoto;
use ocop_core::records::PhotoKind;
use ocop_core::sample::{Sampler, communes_of};
use ocop_core::store::{NewVisit, Store, StoreOptions, VisitCapture, VisitFilter};

const FORM: &str = "ocop_producer_product_survey";

fn author() -> Author {
    Author::new("officer-bench", "Nguyễn Văn An", Role::Officer)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

struct Fixture {
    store: Store,
    producer: ocop_core::ids::RecordId,
    photos: Vec<ImportedPhoto>,
    commune: &'static ocop_core::places::Unit,
}

fn fixture(dir: &Path, durable: bool) -> Fixture {
    let store = Store::open(
        dir.join("bench.db"),
        StoreOptions {
            durable,
            ..Default::default()
        },
    )
    .unwrap();
    let commune = communes_of("19")[3];
    let mut s = Sampler::new(1);
    let producer = store
        .create_producer(&author(), s.producer(commune))
        .unwrap()
        .id;
    let mut photos = Vec::new();
    for i in 0..3 {
        let path = dir.join(format!("p{i}.jpg"));
        ocop_core::photo::testing::generate_jpeg(&path, 640, 480, i, None).unwrap();
        photos.push(store.import_photo(&path).unwrap());
    }
    Fixture {
        store,
        producer,
        photos,
        commune,
    }
}

fn visit_capture(f: &Fixture, s: &mut Sampler) -> VisitCapture {
    let form = FormRegistry::embedded().get(FORM, 1).unwrap();
    let answers = s.answers(form, f.commune, 20);
    assert_eq!(answers.len(), 20);
    VisitCapture {
        visit: NewVisit {
            producer: Some(f.producer),
            product: None,
            form_id: FORM.into(),
            form_version: Some(1),
            commune_code: None,
        },
        answers,
        fixes: vec![s.fix_near(f.commune, now_millis() - 5000)],
        photos: f
            .photos
            .iter()
            .enumerate()
            .map(|(i, p)| (p.clone(), PhotoKind::Product, format!("Ảnh {i}")))
            .collect(),
        notes: String::new(),
        submit: false,
    }
}

/// The same data as JSON, the way a plain app would store it.
fn as_json(c: &VisitCapture) -> String {
    let answers: serde_json::Map<String, serde_json::Value> = c
        .answers
        .iter()
        .map(|(q, a)| (q.clone(), serde_json::to_value(a).unwrap()))
        .collect();
    let photos: Vec<serde_json::Value> = c
        .photos
        .iter()
        .map(|(p, k, cap)| serde_json::json!({"hash": p.hash, "bytes": p.bytes, "width": p.width, "height": p.height, "kind": k, "caption": cap}))
        .collect();
    serde_json::json!({
        "producer": c.visit.producer.map(|p| p.to_string()),
        "form": c.visit.form_id, "version": 1,
        "answers": answers, "fixes": c.fixes, "photos": photos, "collector": "officer-bench",
        "started_at": now_millis(),
    })
    .to_string()
}

fn capture_bench(runs: usize) {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture(dir.path(), true);
    let base = rusqlite::Connection::open(dir.path().join("baseline.db")).unwrap();
    base.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
        .unwrap();
    base.execute_batch(
        "PRAGMA synchronous = FULL;
         CREATE TABLE visits (id TEXT PRIMARY KEY, producer TEXT, json TEXT NOT NULL, created_at INTEGER NOT NULL);",
    )
    .unwrap();
    let mut s = Sampler::new(7);
    let mut ours = Vec::with_capacity(runs);
    let mut theirs = Vec::with_capacity(runs);
    for i in 0..runs + 20 {
        let c = visit_capture(&f, &mut s);
        let json = as_json(&c);
        let t = Instant::now();
        f.store.capture_visit(&author(), c).unwrap();
        let a = t.elapsed();
        let t = Instant::now();
        let tx = base.unchecked_transaction().unwrap();
        tx.execute(
            "INSERT INTO visits (id, producer, json, created_at) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![
                ocop_core::ids::RecordId::new().to_string(),
                f.producer.to_string(),
                json,
                now_millis()
            ],
        )
        .unwrap();
        tx.commit().unwrap();
        let b = t.elapsed();
        if i >= 20 {
            ours.push(a);
            theirs.push(b);
        }
    }
    ours.sort();
    theirs.sort();
    let (m_ours, m_theirs) = (percentile(&ours, 0.5), percentile(&theirs, 0.5));
    println!(
        "## Capture of a visit (20 answers, 1 GPS fix, 3 photo references), {runs} runs each, alternating"
    );
    println!();
    println!("| | median | p90 | p99 | max |");
    println!("|---|---|---|---|---|");
    for (name, v) in [
        ("`Store::capture_visit`", &ours),
        ("plain rusqlite JSON insert (same durability)", &theirs),
    ] {
        println!(
            "| {name} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms |",
            ms(percentile(v, 0.5)),
            ms(percentile(v, 0.9)),
            ms(percentile(v, 0.99)),
            ms(*v.last().unwrap())
        );
    }
    println!();
    println!(
        "ratio of medians: **{:.2}×** (target ≤ 3×); capture p99 **{:.2} ms** (target ≤ 10 ms)",
        ms(m_ours) / ms(m_theirs),
        ms(percentile(&ours, 0.99))
    );
    println!();
}

fn bench_data_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("target")
        });
    target.join("bench-data")
}

/// Builds (once, then reuses) a store of `n` visits under target/bench-data.
fn big_store(n: usize) -> PathBuf {
    let dir = bench_data_dir().join(format!("visits-{n}"));
    let db = dir.join("bench.db");
    let done = dir.join("complete");
    if done.exists() {
        return db;
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let t = Instant::now();
    let f = fixture(&dir, false);
    let form = FormRegistry::embedded().get(FORM, 1).unwrap();
    let mut s = Sampler::new(99);
    let communes = communes_of("19");
    let mut producers = vec![(f.producer, f.commune)];
    for i in 0..n {
        if i % 100 == 0 {
            let c = communes[s.below(communes.len())];
            producers.push((
                f.store
                    .create_producer(&author(), s.producer(c))
                    .unwrap()
                    .id,
                c,
            ));
        }
        let (producer, commune) = producers[s.below(producers.len())];
        let capture = VisitCapture {
            visit: NewVisit {
                producer: Some(producer),
                product: None,
                form_id: FORM.into(),
                form_version: Some(1),
                commune_code: None,
            },
            answers: s.answers(form, commune, 20),
            fixes: vec![s.fix_near(commune, now_millis() - 5000)],
            photos: f
                .photos
                .iter()
                .map(|p| (p.clone(), PhotoKind::Product, String::new()))
                .collect(),
            notes: String::new(),
            submit: false,
        };
        f.store.capture_visit(&author(), capture).unwrap();
        if (i + 1) % 10_000 == 0 {
            eprintln!(
                "  built {} visits in {:.0} s",
                i + 1,
                t.elapsed().as_secs_f64()
            );
        }
    }
    drop(f);
    std::fs::write(&done, b"ok").unwrap();
    eprintln!(
        "built a store of {n} visits in {:.0} s",
        t.elapsed().as_secs_f64()
    );
    db
}

fn open_bench(n: usize, runs: usize) {
    let db = big_store(n);
    let exe = std::env::current_exe().unwrap();
    let mut opens = Vec::new();
    let mut totals = Vec::new();
    let mut hwm = Vec::new();
    for _ in 0..runs {
        let out = std::process::Command::new(&exe)
            .arg("--child-open")
            .arg(&db)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let v: Vec<u64> = text
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        opens.push(Duration::from_micros(v[0]));
        totals.push(Duration::from_micros(v[1]));
        hwm.push(v[2]);
    }
    opens.sort();
    totals.sort();
    hwm.sort();
    let size: u64 = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
    println!(
        "## Open a store of {n} visits and run the first list query (fresh process each run, {runs} runs)"
    );
    println!();
    println!("database file: {:.1} MB", size as f64 / 1e6);
    println!();
    println!("| | median | max |");
    println!("|---|---|---|");
    println!(
        "| `Store::open` | {:.1} ms | {:.1} ms |",
        ms(percentile(&opens, 0.5)),
        ms(*opens.last().unwrap())
    );
    println!(
        "| open + first `list_visits` (50 rows) | {:.1} ms | {:.1} ms |",
        ms(percentile(&totals, 0.5)),
        ms(*totals.last().unwrap())
    );
    println!(
        "| peak resident memory of the process (VmHWM) | {:.1} MB | {:.1} MB |",
        hwm[hwm.len() / 2] as f64 / 1024.0,
        *hwm.last().unwrap() as f64 / 1024.0
    );
    println!();
    println!("targets: open + first query ≤ 50 ms, peak memory ≤ 60 MB");
    println!();
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child-open") {
        let db = PathBuf::from(&args[i + 1]);
        let t = Instant::now();
        let store = Store::open(&db, StoreOptions::default()).unwrap();
        let open = t.elapsed();
        let first = store
            .list_visits(&VisitFilter {
                limit: 50,
                ..Default::default()
            })
            .unwrap();
        let total = t.elapsed();
        assert_eq!(first.len(), 50);
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let hwm_kb: u64 = status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        println!("{} {} {}", open.as_micros(), total.as_micros(), hwm_kb);
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    println!("# Store benchmarks\n");
    capture_bench(if quick { 60 } else { 400 });
    // `--capture-only`: skip the open benchmark (for profiling the capture path under perf or callgrind).
    if args.iter().any(|a| a == "--capture-only") {
        return;
    }
    open_bench(
        if quick { 2_000 } else { 50_000 },
        if quick { 3 } else { 7 },
    );
}
