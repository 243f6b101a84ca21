//! A week offline, synced: 50 officers against a district hub (issue 3).
//!
//! `cargo bench -p ocop-hub --bench sync` (release). `-- --quick` (or `OCOP_BENCH_QUICK=1`) for a small run.
//!
//! Setup (built once, then reused from `target/bench-data/`): a district of 50 communes of Thái Nguyên; per
//! commune an officer's phone holding 200 producers and 1,000 visits, all synced to one hub — 10,000 producers
//! and 50,000 visits on the hub. The week: on a fresh copy of each phone, ~100 new visits (20 answers, a GPS fix)
//! and ~200 edits of producer fields. Then each phone syncs with the hub's sync backend over the in-process
//! simulated link (slow 3G: 400 kbit/s, 400 ms round trip).
//!
//! Reported per sync: round trips, bytes on the wire against the raw JSON of what changed, wall time (measured
//! processing on both sides + the link's transfer and round-trip time) against the physical floor (all the bytes
//! at the link's bandwidth + one round trip), and the hub's ingest rate (documents per second spent inside the
//! hub's ingest).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ocop_core::forms::FormRegistry;
use ocop_core::identity::{Author, Role};
use ocop_core::ids::{RecordId, now_millis};
use ocop_core::records::ProducerPatch;
use ocop_core::sample::{Sampler, communes_of};
use ocop_core::store::{NewVisit, ProducerFilter, Store, StoreOptions, VisitCapture};
use ocop_core::sync::link::{Link, LinkProfile};
use ocop_core::sync::message::{Entry, NodeId, PhotoNeed, Rejection};
use ocop_core::sync::{self, Outgoing, Principal, Scope, SyncBackend, SyncOptions};
use ocop_hub::{Hub, HubOptions};

const FORM: &str = "ocop_producer_product_survey";

struct Size {
    communes: usize,
    producers: usize,
    visits: usize,
    new_visits: usize,
    edits: usize,
}

fn author(i: usize) -> Author {
    Author::new(
        format!("officer-{i:02}"),
        format!("Cán bộ {i}"),
        Role::Officer,
    )
}

fn scope_of(commune: &str) -> Scope {
    Scope {
        provinces: vec![],
        communes: vec![commune.to_string()],
    }
}

fn fast() -> StoreOptions {
    StoreOptions {
        durable: false,
        ..Default::default()
    }
}

fn visit_capture(
    s: &mut Sampler,
    producer: RecordId,
    commune: &ocop_core::places::Unit,
) -> VisitCapture {
    let form = FormRegistry::embedded().get(FORM, 1).unwrap();
    VisitCapture {
        visit: NewVisit {
            producer: Some(producer),
            product: None,
            form_id: FORM.into(),
            form_version: Some(1),
            commune_code: None,
        },
        answers: s.answers(form, commune, 20),
        fixes: vec![s.fix_near(commune, now_millis() - 60_000)],
        photos: Vec::new(),
        notes: String::new(),
        submit: false,
    }
}

/// Builds (or reuses) the district: one phone per commune, all synced to the hub.
fn district(size: &Size) -> PathBuf {
    let root = bench_dir().join(format!(
        "district-{}x{}x{}",
        size.communes, size.producers, size.visits
    ));
    if root.join("complete").exists() {
        return root;
    }
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let t = Instant::now();
    let hub = Hub::open(root.join("hub"), HubOptions::default()).unwrap();
    let communes = communes_of("19");
    for (c, &commune) in communes.iter().enumerate().take(size.communes) {
        let phone = Store::open(root.join(format!("phone-{c:02}.db")), fast()).unwrap();
        phone.set_scope(Some(scope_of(&commune.code))).unwrap();
        let me = author(c);
        let mut s = Sampler::new(1000 + c as u64);
        let mut ids = Vec::new();
        for _ in 0..size.producers {
            ids.push(phone.create_producer(&me, s.producer(commune)).unwrap().id);
        }
        for _ in 0..size.visits {
            let p = ids[s.below(ids.len())];
            phone
                .capture_visit(&me, visit_capture(&mut s, p, commune))
                .unwrap();
        }
        let principal = Principal {
            user_id: me.user_id.clone(),
            role: Role::Officer,
            scope: scope_of(&commune.code),
        };
        let mut link = Link::new(hub.backend(), principal, LinkProfile::INSTANT);
        sync::sync(&phone, "hub", &mut link, &SyncOptions::default(), &()).unwrap();
        eprintln!(
            "  commune {}/{} ready ({:.0} s)",
            c + 1,
            size.communes,
            t.elapsed().as_secs_f64()
        );
    }
    std::fs::write(root.join("complete"), b"ok").unwrap();
    eprintln!("district built in {:.0} s", t.elapsed().as_secs_f64());
    root
}

fn bench_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("target")
        })
        .join("bench-data")
}

/// The hub's backend, timing what happens inside its ingest.
struct Timed<'a> {
    inner: &'a dyn SyncBackend,
    ingest: Mutex<(Duration, HashSet<[u8; 16]>)>,
}

impl SyncBackend for Timed<'_> {
    fn node_id(&self) -> ocop_core::Result<NodeId> {
        self.inner.node_id()
    }
    fn received_from(&self, peer: NodeId) -> ocop_core::Result<u64> {
        self.inner.received_from(peer)
    }
    fn ingest(
        &self,
        who: &Principal,
        peer: NodeId,
        entries: Vec<Entry>,
        through: u64,
    ) -> ocop_core::Result<Vec<Rejection>> {
        let docs: Vec<[u8; 16]> = entries.iter().map(|e| e.doc).collect();
        let t = Instant::now();
        let r = self.inner.ingest(who, peer, entries, through);
        let mut g = self.ingest.lock().unwrap();
        g.0 += t.elapsed();
        g.1.extend(docs);
        r
    }
    fn outgoing(
        &self,
        who: &Principal,
        peer: NodeId,
        scope: &Scope,
        after: u64,
        max: usize,
    ) -> ocop_core::Result<Outgoing> {
        self.inner.outgoing(who, peer, scope, after, max)
    }
    fn lacking_photos(
        &self,
        who: &Principal,
        scope: &Scope,
        max: usize,
    ) -> ocop_core::Result<Vec<PhotoNeed>> {
        self.inner.lacking_photos(who, scope, max)
    }
    fn photo_put(
        &self,
        who: &Principal,
        hash: &str,
        offset: u64,
        total: u64,
        data: &[u8],
    ) -> ocop_core::Result<(u64, bool)> {
        self.inner.photo_put(who, hash, offset, total, data)
    }
    fn photo_get(
        &self,
        who: &Principal,
        hash: &str,
        offset: u64,
        max: u32,
    ) -> ocop_core::Result<(u64, Vec<u8>)> {
        self.inner.photo_get(who, hash, offset, max)
    }
}

struct Row {
    round_trips: u32,
    bytes: u64,
    raw_json: u64,
    wall: Duration,
    floor: Duration,
    changed_docs: usize,
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let quick =
        std::env::args().any(|a| a == "--quick") || std::env::var_os("OCOP_BENCH_QUICK").is_some();
    let size = if quick {
        Size {
            communes: 5,
            producers: 40,
            visits: 200,
            new_visits: 20,
            edits: 40,
        }
    } else {
        Size {
            communes: 50,
            producers: 200,
            visits: 1000,
            new_visits: 100,
            edits: 200,
        }
    };
    let profile = LinkProfile::SLOW_3G;
    let root = district(&size);
    let work = tempfile::tempdir_in(bench_dir()).unwrap();
    copy_dir(&root, work.path());
    let hub = Hub::open(work.path().join("hub"), HubOptions::default()).unwrap();
    let timed = Timed {
        inner: hub.backend(),
        ingest: Mutex::new((Duration::ZERO, HashSet::new())),
    };
    let communes = communes_of("19");

    // The week, offline, on every phone.
    let t = Instant::now();
    let mut phones = Vec::new();
    let mut raw = Vec::new();
    for (c, &commune) in communes.iter().enumerate().take(size.communes) {
        let phone = Store::open(
            work.path().join(format!("phone-{c:02}.db")),
            StoreOptions::default(),
        )
        .unwrap();
        let me = author(c);
        let mut s = Sampler::new(5000 + c as u64);
        let ids: Vec<RecordId> = phone
            .list_producers(&ProducerFilter {
                limit: 100_000,
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .collect();
        let mut raw_json = 0u64;
        for _ in 0..size.new_visits {
            let pick = ids[s.below(ids.len())];
            let v = phone
                .capture_visit(&me, visit_capture(&mut s, pick, commune))
                .unwrap();
            raw_json += serde_json::to_string(&v).unwrap().len() as u64;
        }
        for i in 0..size.edits {
            let id = ids[s.below(ids.len())];
            let current = phone.producer(id).unwrap();
            let patch = match i % 3 {
                0 => ProducerPatch {
                    phone: Some(Some(s.phone())),
                    ..Default::default()
                },
                1 => ProducerPatch {
                    members: Some(Some(current.members.unwrap_or(0) + 1)),
                    ..Default::default()
                },
                _ => ProducerPatch {
                    name: Some(format!(
                        "{} ({})",
                        current.name.split(" (").next().unwrap_or(""),
                        i
                    )),
                    ..Default::default()
                },
            };
            raw_json += serde_json::to_string(&serde_json::json!({"id": id, "patch": &patch}))
                .unwrap()
                .len() as u64;
            phone.update_producer(&me, id, patch).unwrap();
        }
        phones.push(phone);
        raw.push(raw_json);
    }
    eprintln!(
        "the week captured on {} phones in {:.0} s",
        size.communes,
        t.elapsed().as_secs_f64()
    );

    // Back in signal: each phone syncs over the slow link.
    let mut rows = Vec::new();
    for (c, phone) in phones.iter().enumerate() {
        let me = author(c);
        let principal = Principal {
            user_id: me.user_id.clone(),
            role: Role::Officer,
            scope: scope_of(&communes[c].code),
        };
        let before = timed.ingest.lock().unwrap().1.len();
        let mut link = Link::new(&timed, principal, profile);
        let t = Instant::now();
        let report = sync::sync(phone, "hub", &mut link, &SyncOptions::default(), &()).unwrap();
        let processing = t.elapsed();
        let bytes = report.bytes_up + report.bytes_down;
        let floor = profile.rtt + profile.transfer(bytes as usize);
        rows.push(Row {
            round_trips: report.document_round_trips,
            bytes,
            raw_json: raw[c],
            wall: processing + link.network_time,
            floor,
            changed_docs: timed.ingest.lock().unwrap().1.len() - before,
        });
    }
    let (ingest_time, ingested) = {
        let g = timed.ingest.lock().unwrap();
        (g.0, g.1.len())
    };

    let n = rows.len();
    println!("# Sync after a week offline: {n} officers against a district hub\n");
    println!(
        "hub: {} producers, {} visits in {} communes; each phone: +{} visits (20 answers, 1 GPS fix) and {} producer edits; link: {:.0} kbit/s, {} ms RTT\n",
        size.communes * size.producers,
        size.communes * size.visits,
        size.communes,
        size.new_visits,
        size.edits,
        profile.bits_per_second / 1000.0,
        profile.rtt.as_millis()
    );
    println!("| per sync (median of {n}) | value |");
    println!("|---|---|");
    println!(
        "| round trips | {:.0} (max {}) |",
        median(rows.iter().map(|r| f64::from(r.round_trips)).collect()),
        rows.iter().map(|r| r.round_trips).max().unwrap_or(0)
    );
    println!(
        "| bytes on the wire (up + down) | {:.0} |",
        median(rows.iter().map(|r| r.bytes as f64).collect())
    );
    println!(
        "| raw JSON of what changed | {:.0} |",
        median(rows.iter().map(|r| r.raw_json as f64).collect())
    );
    println!(
        "| wire bytes ÷ raw JSON | {:.2} |",
        median(
            rows.iter()
                .map(|r| r.bytes as f64 / r.raw_json as f64)
                .collect()
        )
    );
    println!(
        "| documents changed | {:.0} |",
        median(rows.iter().map(|r| r.changed_docs as f64).collect())
    );
    println!(
        "| wall time (processing + link) | {:.2} s |",
        median(rows.iter().map(|r| r.wall.as_secs_f64()).collect())
    );
    println!(
        "| physical floor (bytes ÷ bandwidth + 1 RTT) | {:.2} s |",
        median(rows.iter().map(|r| r.floor.as_secs_f64()).collect())
    );
    println!(
        "| wall ÷ floor | **{:.2}** (max {:.2}; target ≤ 1.5) |",
        median(
            rows.iter()
                .map(|r| r.wall.as_secs_f64() / r.floor.as_secs_f64())
                .collect()
        ),
        rows.iter()
            .map(|r| r.wall.as_secs_f64() / r.floor.as_secs_f64())
            .fold(0.0, f64::max)
    );
    println!();
    println!(
        "hub ingest: {ingested} documents in {:.2} s inside the hub's ingest = **{:.0} documents/s** (target ≥ 2,000)",
        ingest_time.as_secs_f64(),
        ingested as f64 / ingest_time.as_secs_f64().max(1e-9)
    );
}
