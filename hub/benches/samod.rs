//! Our sync engine against the per-document baseline, samod (the Rust automerge-repo), on the same documents over
//! the same simulated link, in the same run (issue 3).
//!
//! `cargo bench -p ocop-hub --bench samod` (release; `-- --quick` or `OCOP_BENCH_QUICK=1` for a short run).
//!
//! For N documents (500 and 5,000; quick: 100 and 500) an officer's phone in one commune holds N/6 producers and
//! the rest visits (20 answers and a GPS fix each). Three scenarios, each run by both sides:
//!
//! 1. **first upload**: the hub (ours: a fresh `ocop-hub` on disk; samod: an empty in-memory repo) holds nothing;
//! 2. **nothing changed**: the same phone syncs again;
//! 3. **a week's edits**: N/10 producer field edits and N/50 new visits on the phone, then a sync.
//!
//! **The same documents**: every document of the phone is exported as standard automerge bytes and loaded into
//! the samod client repo with `Repo::create`; the week's edits are the phone's own changes, merged into the samod
//! client's documents with `load_incremental` (so both sides move exactly the same automerge changes).
//!
//! **The same link** (slow 3G: 400 kbit/s, 400 ms round trip), on a virtual clock:
//! - ours: the core's in-process `Link`, which charges each exchange one round trip plus its request and reply
//!   bytes at the link's bandwidth (the engine is strictly request/response);
//! - samod: its real `Repo`s (samod 0.16, tokio runtime, in-memory storage) connected through a custom `Dialer`
//!   whose transport relays every samod message through a simulated wire: each direction is a serial link
//!   (a message waits for the ones before it, then takes size ÷ bandwidth) and arrives half a round trip later.
//!   samod pipelines its per-document syncs over the one connection, so it gets the benefit of overlap that a
//!   request/response engine does not. The tokio clock is paused, so these delays cost no real time: the
//!   virtual time from dialling to "the server has all our changes" for every document
//!   (`DocHandle::they_have_our_changes`) is samod's link time.
//!
//! Both sides run in this one process on one thread; **time = measured processing (real time, both peers) + link
//! time (virtual)**. Processing and transfer are added, not overlapped, on both sides.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use automerge::Automerge;
use futures::channel::mpsc;
use futures::future::BoxFuture;
use futures::{FutureExt, SinkExt, StreamExt};
use ocop_core::forms::FormRegistry;
use ocop_core::identity::{Author, Role};
use ocop_core::ids::{RecordId, now_millis};
use ocop_core::records::ProducerPatch;
use ocop_core::sample::{Sampler, communes_of};
use ocop_core::store::{NewVisit, Store, StoreOptions, VisitCapture};
use ocop_core::sync::link::{Link, LinkProfile};
use ocop_core::sync::{self, Principal, Scope, SyncOptions};
use ocop_hub::{Hub, HubOptions};
use samod::{BackoffConfig, DialError, Dialer, DocHandle, Repo, Transport};

const FORM: &str = "ocop_producer_product_survey";
const PROFILE: LinkProfile = LinkProfile::SLOW_3G;

/// One side's cost for one scenario.
#[derive(Clone, Copy, Default)]
struct Cost {
    processing: Duration,
    link: Duration,
    bytes_up: u64,
    bytes_down: u64,
    /// Ours: request/response exchanges. samod: messages (up + down).
    messages: u64,
}

impl Cost {
    fn total(&self) -> Duration {
        self.processing + self.link
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The documents

struct Phone {
    store: Store,
    me: Author,
    commune: &'static ocop_core::places::Unit,
    producers: Vec<RecordId>,
    sampler: Sampler,
    _dir: tempfile::TempDir,
}

fn scratch() -> tempfile::TempDir {
    let shm = std::path::Path::new("/dev/shm");
    if shm.is_dir() {
        tempfile::tempdir_in(shm).unwrap()
    } else {
        tempfile::tempdir().unwrap()
    }
}

fn visit(s: &mut Sampler, producer: RecordId, commune: &ocop_core::places::Unit) -> VisitCapture {
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

fn scope(commune: &str) -> Scope {
    Scope {
        provinces: vec![],
        communes: vec![commune.to_string()],
    }
}

/// A phone with `n` documents: n/6 producers, the rest visits.
fn phone(n: usize) -> Phone {
    let dir = scratch();
    let store = Store::open(
        dir.path().join("phone.db"),
        StoreOptions {
            durable: false,
            ..Default::default()
        },
    )
    .unwrap();
    let commune = communes_of("19")[0];
    store.set_scope(Some(scope(&commune.code))).unwrap();
    let me = Author::new("officer-00", "Cán bộ", Role::Officer);
    let mut s = Sampler::new(42 + n as u64);
    let mut producers = Vec::new();
    for _ in 0..(n / 6).max(1) {
        producers.push(store.create_producer(&me, s.producer(commune)).unwrap().id);
    }
    let already = store.document_heads().unwrap().len();
    for _ in already..n {
        let p = producers[s.below(producers.len())];
        store.capture_visit(&me, visit(&mut s, p, commune)).unwrap();
    }
    Phone {
        store,
        me,
        commune,
        producers,
        sampler: s,
        _dir: dir,
    }
}

/// The week: n/10 producer edits and n/50 new visits. Returns the documents touched.
fn week(p: &mut Phone, n: usize) -> Vec<RecordId> {
    let mut touched = Vec::new();
    for i in 0..n / 10 {
        let id = p.producers[p.sampler.below(p.producers.len())];
        let current = p.store.producer(id).unwrap();
        let patch = match i % 3 {
            0 => ProducerPatch {
                phone: Some(Some(p.sampler.phone())),
                ..Default::default()
            },
            1 => ProducerPatch {
                members: Some(Some(current.members.unwrap_or(0) + 1)),
                ..Default::default()
            },
            _ => ProducerPatch {
                name: format!("{} ({i})", current.name.split(" (").next().unwrap_or("")).into(),
                ..Default::default()
            },
        };
        p.store.update_producer(&p.me, id, patch).unwrap();
        touched.push(id);
    }
    for _ in 0..n / 50 {
        let pick = p.producers[p.sampler.below(p.producers.len())];
        let v = p
            .store
            .capture_visit(&p.me, visit(&mut p.sampler, pick, p.commune))
            .unwrap();
        touched.push(v.id);
    }
    touched.sort();
    touched.dedup();
    touched
}

// ---------------------------------------------------------------------------------------------------------------
// Our engine

fn ours(p: &Phone, hub: &Hub) -> Cost {
    let principal = Principal {
        user_id: p.me.user_id.clone(),
        role: Role::Officer,
        scope: scope(&p.commune.code),
    };
    let mut link = Link::new(hub.backend(), principal, PROFILE);
    let t = Instant::now();
    let report = sync::sync(&p.store, "hub", &mut link, &SyncOptions::default(), &()).unwrap();
    let processing = t.elapsed();
    assert_eq!(report.rejected, 0, "the hub refused changes");
    Cost {
        processing,
        link: link.network_time,
        bytes_up: link.bytes_up,
        bytes_down: link.bytes_down,
        messages: u64::from(link.exchanges()),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// samod over the simulated wire

/// Messages and bytes carried one way.
#[derive(Default)]
struct Counter {
    messages: AtomicU64,
    bytes: AtomicU64,
}

/// Carries messages from `rx` to `tx` as a serial link of `PROFILE`'s bandwidth with half its round trip of
/// latency, on tokio's (paused) clock.
fn wire(
    mut rx: mpsc::UnboundedReceiver<Vec<u8>>,
    tx: mpsc::UnboundedSender<Vec<u8>>,
    counter: Arc<Counter>,
) {
    let (to_deliver, mut deliveries) = mpsc::unbounded::<(tokio::time::Instant, Vec<u8>)>();
    tokio::spawn(async move {
        while let Some((at, m)) = deliveries.next().await {
            tokio::time::sleep_until(at).await;
            if tx.unbounded_send(m).is_err() {
                break;
            }
        }
    });
    tokio::spawn(async move {
        let mut free_at = tokio::time::Instant::now();
        while let Some(m) = rx.next().await {
            counter.messages.fetch_add(1, Ordering::Relaxed);
            counter.bytes.fetch_add(m.len() as u64, Ordering::Relaxed);
            let start = free_at.max(tokio::time::Instant::now());
            free_at = start + PROFILE.transfer(m.len());
            if to_deliver
                .unbounded_send((free_at + PROFILE.rtt / 2, m))
                .is_err()
            {
                break;
            }
        }
    });
}

/// Dials the server repo's acceptor through the simulated wire.
struct SlowDialer {
    acceptor: samod::AcceptorHandle,
    up: Arc<Counter>,
    down: Arc<Counter>,
}

impl Dialer for SlowDialer {
    type Error = Infallible;

    fn url(&self) -> samod::Url {
        samod::Url::parse("sim://slow-3g").unwrap()
    }

    fn connect(&self) -> BoxFuture<'static, Result<Transport, DialError<Infallible>>> {
        let acceptor = self.acceptor.clone();
        let (up, down) = (self.up.clone(), self.down.clone());
        async move {
            let (client_tx, wire_up_rx) = mpsc::unbounded::<Vec<u8>>();
            let (wire_up_tx, server_rx) = mpsc::unbounded::<Vec<u8>>();
            let (server_tx, wire_down_rx) = mpsc::unbounded::<Vec<u8>>();
            let (wire_down_tx, client_rx) = mpsc::unbounded::<Vec<u8>>();
            wire(wire_up_rx, wire_up_tx, up);
            wire(wire_down_rx, wire_down_tx, down);
            acceptor
                .accept(Transport::new(
                    server_rx.map(Ok::<_, Infallible>),
                    server_tx,
                ))
                .map_err(DialError::transient)?;
            Ok(Transport::new(
                client_rx.map(Ok::<_, Infallible>),
                client_tx.sink_map_err(|e| std::io::Error::other(e.to_string())),
            ))
        }
        .boxed()
    }
}

struct SamodSide {
    client: Repo,
    server: Repo,
    acceptor: samod::AcceptorHandle,
    handles: HashMap<RecordId, DocHandle>,
}

/// Before the week: every document of the phone as standard automerge bytes.
fn export_all(p: &Phone) -> Vec<(RecordId, Vec<u8>)> {
    p.store
        .document_heads()
        .unwrap()
        .into_iter()
        .map(|(id, _)| (id, p.store.export_document(id).unwrap()))
        .collect()
}

async fn samod_setup(docs: &[(RecordId, Vec<u8>)]) -> SamodSide {
    let client = Repo::build_tokio().load().await;
    let server = Repo::build_tokio().load().await;
    let acceptor = server
        .make_acceptor(samod::Url::parse("sim://hub").unwrap())
        .unwrap();
    let mut handles = HashMap::new();
    for (id, bytes) in docs {
        let doc = Automerge::load(bytes).unwrap();
        handles.insert(*id, client.create(doc).await.unwrap());
    }
    SamodSide {
        client,
        server,
        acceptor,
        handles,
    }
}

/// One connection, from dialling until the server holds all of every document of the client.
async fn samod_sync(side: &SamodSide) -> Cost {
    let up = Arc::new(Counter::default());
    let down = Arc::new(Counter::default());
    let dialer = Arc::new(SlowDialer {
        acceptor: side.acceptor.clone(),
        up: up.clone(),
        down: down.clone(),
    });
    let real = Instant::now();
    let virtual_start = tokio::time::Instant::now();
    let d = side.client.dial(BackoffConfig::default(), dialer).unwrap();
    d.established().await.unwrap();
    let conn = d.connection_id().unwrap();
    futures::future::join_all(side.handles.values().map(|h| h.they_have_our_changes(conn))).await;
    let link = virtual_start.elapsed();
    let processing = real.elapsed();
    d.close();
    // Let both sides see the connection end before the next scenario.
    tokio::time::sleep(Duration::from_secs(5)).await;
    Cost {
        processing,
        link,
        bytes_up: up.bytes.load(Ordering::Relaxed),
        bytes_down: down.bytes.load(Ordering::Relaxed),
        messages: up.messages.load(Ordering::Relaxed) + down.messages.load(Ordering::Relaxed),
    }
}

/// Applies the phone's edits of `touched` to the samod client (the same automerge changes).
async fn samod_apply(side: &mut SamodSide, p: &Phone, touched: &[RecordId]) {
    for id in touched {
        let bytes = p.store.export_document(*id).unwrap();
        match side.handles.get(id) {
            Some(h) => {
                h.with_document(|d| d.load_incremental(&bytes).unwrap());
            }
            None => {
                let h = side
                    .client
                    .create(Automerge::load(&bytes).unwrap())
                    .await
                    .unwrap();
                side.handles.insert(*id, h);
            }
        }
    }
}

/// Every document on the samod server has the client's heads.
async fn samod_check(side: &SamodSide) {
    for h in side.handles.values() {
        let on_server = side
            .server
            .find(h.document_id().clone())
            .await
            .unwrap()
            .expect("the samod server lacks a document");
        let theirs = on_server.with_document(|d| d.get_heads());
        let ours = h.with_document(|d| d.get_heads());
        assert_eq!(theirs, ours, "samod did not converge");
    }
}

// ---------------------------------------------------------------------------------------------------------------

const SCENARIOS: [&str; 3] = ["first upload", "nothing changed", "a week's edits"];

fn run(n: usize, rt: &tokio::runtime::Runtime) -> [(Cost, Cost, usize); 3] {
    let t = Instant::now();
    let mut p = phone(n);
    let before = export_all(&p);
    eprintln!(
        "  {n} documents: phone built in {:.0} s",
        t.elapsed().as_secs_f64()
    );

    // Ours: a fresh hub on disk.
    let hub_dir = scratch();
    let hub = Hub::open(hub_dir.path(), HubOptions::default()).unwrap();
    let ours_first = ours(&p, &hub);
    let ours_again = ours(&p, &hub);
    let touched = week(&mut p, n);
    let ours_week = ours(&p, &hub);
    eprintln!("  {n} documents: ours done");

    // samod on the same documents; the same week is replayed after its first two scenarios.
    let (samod_first, samod_again, samod_week) = rt.block_on(async {
        let t = Instant::now();
        let mut side = samod_setup(&before).await;
        eprintln!(
            "  {n} documents: samod client loaded in {:.0} s",
            t.elapsed().as_secs_f64()
        );
        let first = samod_sync(&side).await;
        eprintln!("  {n} documents: samod first upload done");
        let again = samod_sync(&side).await;
        eprintln!("  {n} documents: samod re-sync done");
        samod_apply(&mut side, &p, &touched).await;
        let week = samod_sync(&side).await;
        eprintln!("  {n} documents: samod week done");
        samod_check(&side).await;
        side.client.stop().await;
        side.server.stop().await;
        (first, again, week)
    });
    [
        (ours_first, samod_first, before.len()),
        (ours_again, samod_again, before.len()),
        (ours_week, samod_week, touched.len()),
    ]
}

fn secs(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64())
}

fn main() {
    let quick =
        std::env::args().any(|a| a == "--quick") || std::env::var_os("OCOP_BENCH_QUICK").is_some();
    let sizes: &[usize] = if quick { &[100, 500] } else { &[500, 5000] };
    // A paused clock: the simulated wire's delays advance virtual time only.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    let mut results = Vec::new();
    for &n in sizes {
        let t = Instant::now();
        results.push((n, run(n, &rt)));
        eprintln!("{n} documents done in {:.0} s", t.elapsed().as_secs_f64());
    }

    println!(
        "# Our sync engine vs samod (per-document automerge-repo), same documents, same link\n"
    );
    println!(
        "link: {:.0} kbit/s, {} ms RTT (virtual clock); time = processing (real, both peers) + link (virtual)\n",
        PROFILE.bits_per_second / 1000.0,
        PROFILE.rtt.as_millis()
    );
    println!(
        "| documents | scenario | docs moved | ours: exchanges | ours: bytes up/down | ours: processing + link = time (s) | samod: messages | samod: bytes up/down | samod: processing + link = time (s) | samod ÷ ours (time) | samod ÷ ours (link only) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for (n, rows) in &results {
        for (k, (o, s, moved)) in rows.iter().enumerate() {
            println!(
                "| {n} | {} | {moved} | {} | {} / {} | {} + {} = {} | {} | {} / {} | {} + {} = {} | **{:.1}×** | {:.1}× |",
                SCENARIOS[k],
                o.messages,
                o.bytes_up,
                o.bytes_down,
                secs(o.processing),
                secs(o.link),
                secs(o.total()),
                s.messages,
                s.bytes_up,
                s.bytes_down,
                secs(s.processing),
                secs(s.link),
                secs(s.total()),
                s.total().as_secs_f64() / o.total().as_secs_f64().max(1e-9),
                s.link.as_secs_f64() / o.link.as_secs_f64().max(1e-9)
            );
        }
    }
}
