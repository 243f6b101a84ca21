//! Load: many simulated devices syncing at the same time through one, two and three hub processes on PostgreSQL,
//! and through the SQLite hub, in one run.
//!
//! ```sh
//! OCOP_TEST_POSTGRES_URL=postgres://root@127.0.0.1:5432/test cargo bench -p ocop-hub --bench load [-- --quick]
//! ```
//!
//! Each configuration starts its hubs as real processes (`ocop-hub serve`, the same program as `ocop hub serve`)
//! — SQLite in a fresh data folder, or PostgreSQL in a fresh schema (dropped afterwards). D devices (core stores
//! on /dev/shm, each an officer of its own commune of Thái Nguyên) are enrolled. Then, in R measured rounds, every
//! device registers K producers offline and syncs; each sync goes to the next hub in turn (what a round-robin load
//! balancer does). All devices run at once, in their own threads. Reported: documents ingested per second over the
//! measured phase (wall time), and the median and 99th percentile of one sync's latency (push + pull, over HTTP on
//! loopback). The devices' own work (registering producers) runs on the same cores as the hubs, as the load
//! generator always does on one machine: compare configurations by their ratio, not by absolute figures.
//!
//! The machine may be busy with other work: the four configurations are run in turn, repeated (3 times by default),
//! and the medians reported, so that a burst of other load hits every configuration alike.
//!
//! `--quick`: 8 devices × 4 rounds × 4 producers, once. Default: 24 devices × 8 rounds × 8 producers, 3 times.
//! `OCOP_BENCH_DEVICES`, `OCOP_BENCH_ROUNDS`, `OCOP_BENCH_DOCS`, `OCOP_BENCH_REPEAT` override.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

// The hub tests' helpers: `HubProcess` (an `ocop-hub serve` process) and `PgSchema` (a throw-away schema).
#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Barrier;
use std::time::{Duration, Instant};

use ocop_core::identity::{Author, Role};
use ocop_core::places::Places;
use ocop_core::records::{Gender, OwnerKind, Person};
use ocop_core::store::{NewProducer, Store, StoreOptions};
use ocop_core::sync::http::{HttpTransport, enroll};
use ocop_core::sync::{self, Scope, SyncOptions};
use ocop_hub::{Account, Hub, HubOptions, PgOptions};

fn producer(commune: &str, i: usize) -> NewProducer {
    NewProducer {
        owner_kind: OwnerKind::HouseholdBusiness,
        name: format!("Hộ kinh doanh chè số {i}"),
        registration_no: None,
        representative: Person {
            name: "Lê Thị Hoa".into(),
            gender: Gender::Female,
            position: None,
        },
        phone: Some("0912345678".into()),
        commune_code: commune.into(),
        hamlet: "Xóm 1".into(),
        street: String::new(),
        location: None,
        members: Some(10),
        women_members: Some(6),
        women_owned: Some(true),
        women_led: None,
    }
}

struct Load {
    devices: usize,
    rounds: usize,
    docs: usize,
}

struct Outcome {
    docs_per_s: f64,
    p50_ms: f64,
    p99_ms: f64,
    syncs: usize,
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

/// Runs the load against hubs at `urls`; `admin` enrolls the devices.
fn run(admin: &Hub, urls: &[String], load: &Load, communes: &[String]) -> Outcome {
    let scratch = tempfile::tempdir_in("/dev/shm").unwrap_or_else(|_| tempfile::tempdir().unwrap());
    let devices: Vec<(Store, Author, String, String)> = (0..load.devices)
        .map(|i| {
            let commune = communes[i % communes.len()].clone();
            let user = format!("officer-{i}");
            let issued = admin
                .enroll(Account {
                    user_id: user.clone(),
                    display_name: user.clone(),
                    role: Role::Officer,
                    scope: Scope {
                        provinces: vec![],
                        communes: vec![commune.clone()],
                    },
                })
                .unwrap();
            let e = enroll(&urls[i % urls.len()], &issued.code, "bench phone").unwrap();
            let store = Store::open(
                scratch.path().join(format!("d{i}.db")),
                StoreOptions {
                    durable: false,
                    ..StoreOptions::default()
                },
            )
            .unwrap();
            (
                store,
                Author::new(user, "An", Role::Officer),
                e.token,
                commune,
            )
        })
        .collect();
    let barrier = Barrier::new(load.devices + 1);
    let (latencies, wall) = std::thread::scope(|s| {
        let handles: Vec<_> = devices
            .iter()
            .enumerate()
            .map(|(i, (store, author, token, commune))| {
                let barrier = &barrier;
                s.spawn(move || {
                    let options = SyncOptions::default();
                    // Warm-up: the first sync (cursors, connections) is not measured.
                    let mut t = HttpTransport::new(
                        &urls[i % urls.len()],
                        token.clone(),
                        Duration::from_secs(60),
                    );
                    sync::sync(store, "hub", &mut t, &options, &()).unwrap();
                    barrier.wait();
                    let mut took = Vec::with_capacity(load.rounds);
                    for r in 0..load.rounds {
                        for k in 0..load.docs {
                            store
                                .create_producer(author, producer(commune, r * 1000 + k))
                                .unwrap();
                        }
                        let url = &urls[(i + r + 1) % urls.len()];
                        let mut t = HttpTransport::new(url, token.clone(), Duration::from_secs(60));
                        let started = Instant::now();
                        let report = sync::sync(store, "hub", &mut t, &options, &()).unwrap();
                        took.push(started.elapsed());
                        assert_eq!(report.rejected, 0);
                        assert!(report.changes_sent as usize >= load.docs);
                    }
                    took
                })
            })
            .collect();
        barrier.wait();
        let started = Instant::now();
        let mut all = Vec::new();
        for h in handles {
            all.extend(h.join().unwrap());
        }
        (all, started.elapsed())
    });
    let mut sorted = latencies;
    sorted.sort();
    let docs = load.devices * load.rounds * load.docs;
    Outcome {
        docs_per_s: docs as f64 / wall.as_secs_f64(),
        p50_ms: percentile(&sorted, 0.5),
        p99_ms: percentile(&sorted, 0.99),
        syncs: sorted.len(),
    }
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let load = Load {
        devices: env_or("OCOP_BENCH_DEVICES", if quick { 8 } else { 24 }),
        rounds: env_or("OCOP_BENCH_ROUNDS", if quick { 4 } else { 8 }),
        docs: env_or("OCOP_BENCH_DOCS", if quick { 4 } else { 8 }),
    };
    // Fails loudly, before any work, when the PostgreSQL server is not configured.
    common::postgres_url();
    let communes: Vec<String> = Places::embedded()
        .communes_of("19")
        .iter()
        .map(|u| u.code.clone())
        .collect();
    assert!(communes.len() >= load.devices.min(8));
    let reps = env_or("OCOP_BENCH_REPEAT", if quick { 1 } else { 3 });
    println!(
        "load: {} devices × {} rounds × {} new producers each, syncing concurrently over HTTP on loopback; \
         configurations interleaved, {reps} repetition(s), medians shown",
        load.devices, load.rounds, load.docs
    );
    let configs: [(&str, usize); 4] = [
        ("SQLite", 1),
        ("PostgreSQL", 1),
        ("PostgreSQL", 2),
        ("PostgreSQL", 3),
    ];
    let mut results: Vec<Vec<Outcome>> = configs.iter().map(|_| Vec::new()).collect();
    for rep in 0..reps {
        for (i, (name, n)) in configs.iter().enumerate() {
            let o = run_config(name, *n, &load, &communes);
            println!(
                "  run {}: {name} ×{n}: {:.0} documents/s, p50 {:.0} ms, p99 {:.0} ms",
                rep + 1,
                o.docs_per_s,
                o.p50_ms,
                o.p99_ms
            );
            results[i].push(o);
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!();
    println!("| hub | processes | documents/s | sync p50 (ms) | sync p99 (ms) | syncs per run |");
    println!("|---|---:|---:|---:|---:|---:|");
    let mut medians = Vec::new();
    for ((name, n), outs) in configs.iter().zip(&results) {
        let docs = median(&mut outs.iter().map(|o| o.docs_per_s).collect());
        let p50 = median(&mut outs.iter().map(|o| o.p50_ms).collect());
        let p99 = median(&mut outs.iter().map(|o| o.p99_ms).collect());
        println!(
            "| {name} | {n} | {docs:.0} | {p50:.0} | {p99:.0} | {} |",
            outs.first().map_or(0, |o| o.syncs)
        );
        medians.push((name, n, docs));
    }
    let pg1 = medians[1].2;
    println!();
    for (name, n, docs) in &medians {
        println!(
            "{name} ×{n}: {:.2}× the documents/s of one PostgreSQL hub process",
            docs / pg1
        );
    }
}

/// Starts the hubs of one configuration, runs the load through them, stops them.
fn run_config(name: &str, n: usize, load: &Load, communes: &[String]) -> Outcome {
    if name == "SQLite" {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("hub");
        let admin = Hub::open(&data, HubOptions::default()).unwrap();
        let hub = common::HubProcess::start(&["--data", data.to_str().unwrap()]);
        return run(&admin, std::slice::from_ref(&hub.url), load, communes);
    }
    let schema = common::PgSchema::create();
    let admin = Hub::open_postgres(
        &schema.url,
        None,
        PgOptions::default(),
        HubOptions::default(),
    )
    .unwrap();
    let hubs: Vec<common::HubProcess> = (0..n)
        .map(|_| common::HubProcess::start(&["--database", &schema.url]))
        .collect();
    let urls: Vec<String> = hubs.iter().map(|h| h.url.clone()).collect();
    run(&admin, &urls, load, communes)
}
