//! Hub ingest rate: how many new documents per second the hub takes in.
//!
//! `cargo bench -p ocop-hub --bench ingest` (release). A device store (on /dev/shm, so building the input is
//! quick) registers N producers; then
//! 1. the hub's backend ingests them in-process, frame by frame as the responder would (256 KiB frames), into a
//!    hub data folder on disk (SQLite, `synchronous = FULL`);
//! 2. the same device pushes them to a fresh hub over HTTP on loopback (the whole path: device log read,
//!    encoding, HTTP, responder, ingest, reply);
//!
//! and, to show where the time goes, automerge alone applying the same changes to fresh documents.
//! Prints documents/s. Set `OCOP_BENCH_DOCS` to change N (default 3000).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::{Duration, Instant};

use automerge::{AutoCommit, Change};
use ocop_core::identity::{Author, Role};
use ocop_core::records::{Gender, OwnerKind, Person};
use ocop_core::store::{NewProducer, Store, StoreOptions};
use ocop_core::sync::http::{HttpTransport, enroll};
use ocop_core::sync::message::Entry;
use ocop_core::sync::{self, NodeId, Principal, Scope, SyncBackend, SyncOptions};
use ocop_hub::{Account, Hub, HubOptions};

fn producer(i: usize) -> NewProducer {
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
        commune_code: "05503".into(),
        hamlet: "Xóm 1".into(),
        street: String::new(),
        location: None,
        members: Some(10),
        women_members: Some(6),
        women_owned: Some(true),
        women_led: None,
    }
}

fn main() {
    let n: usize = std::env::var("OCOP_BENCH_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    let shm = std::path::Path::new("/dev/shm");
    let scratch = if shm.is_dir() {
        tempfile::tempdir_in(shm).unwrap()
    } else {
        tempfile::tempdir().unwrap()
    };
    let device = Store::open(scratch.path().join("device.db"), StoreOptions::default()).unwrap();
    let author = Author::new("officer-tc", "An", Role::Officer);
    let t = Instant::now();
    for i in 0..n {
        device.create_producer(&author, producer(i)).unwrap();
    }
    println!(
        "input: {n} producers built in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let log = device.log_since(0, usize::MAX).unwrap();
    let bytes: usize = log.iter().map(|e| e.bytes.len()).sum();
    println!(
        "input: {} changes, {} bytes ({} bytes each)",
        log.len(),
        bytes,
        bytes / log.len().max(1)
    );

    // Automerge alone.
    let t = Instant::now();
    for e in &log {
        let mut doc = AutoCommit::new();
        doc.apply_changes([Change::try_from(&e.bytes[..]).unwrap()])
            .unwrap();
    }
    let automerge = t.elapsed();
    println!(
        "automerge apply alone:   {:>8.0} docs/s",
        n as f64 / automerge.as_secs_f64()
    );

    // In-process ingest into a hub on disk.
    let disk = tempfile::tempdir().unwrap();
    let hub = Hub::open(disk.path().join("hub"), HubOptions::default()).unwrap();
    let who = Principal {
        user_id: "officer-tc".into(),
        role: Role::Officer,
        scope: Scope {
            provinces: vec![],
            communes: vec!["05503".into()],
        },
    };
    let peer = NodeId([3; 16]);
    let mut frames: Vec<(Vec<Entry>, u64)> = Vec::new();
    let mut frame = Vec::new();
    let mut frame_bytes = 0;
    for e in &log {
        frame_bytes += e.bytes.len() + 24;
        frame.push(Entry {
            doc: *e.doc_id.0.as_bytes(),
            bytes: e.bytes.clone(),
        });
        if frame_bytes >= 256 * 1024 {
            frames.push((std::mem::take(&mut frame), e.seq as u64));
            frame_bytes = 0;
        }
    }
    if !frame.is_empty() {
        frames.push((frame, log.len() as u64));
    }
    let nframes = frames.len();
    let t = Instant::now();
    for (entries, through) in frames {
        let rejected = hub.backend().ingest(&who, peer, entries, through).unwrap();
        assert!(rejected.is_empty());
    }
    let ingest = t.elapsed();
    println!(
        "hub ingest (in-process): {:>8.0} docs/s  ({n} docs, {nframes} frames, {:.0} ms)",
        n as f64 / ingest.as_secs_f64(),
        ingest.as_secs_f64() * 1000.0
    );

    // Over HTTP on loopback.
    let hub2 = Hub::open(disk.path().join("hub2"), HubOptions::default()).unwrap();
    let server = hub2.serve("127.0.0.1:0".parse().unwrap()).unwrap();
    let code = hub2
        .enroll(Account {
            user_id: "officer-tc".into(),
            display_name: "An".into(),
            role: Role::Officer,
            scope: who.scope.clone(),
        })
        .unwrap();
    let e = enroll(&server.url(), &code.code, "bench").unwrap();
    let mut transport = HttpTransport::new(server.url(), e.token, Duration::from_secs(120));
    let t = Instant::now();
    let report = sync::sync(&device, "hub", &mut transport, &SyncOptions::default(), &()).unwrap();
    let http = t.elapsed();
    assert_eq!(report.changes_sent as usize, n);
    println!(
        "device push over HTTP:   {:>8.0} docs/s  ({} round trips, {} bytes up, {:.0} ms)",
        n as f64 / http.as_secs_f64(),
        report.round_trips,
        report.bytes_up,
        http.as_secs_f64() * 1000.0
    );
}
