//! The foreign traits tested from Rust before any foreign language does (as bitwarden does): callbacks from
//! several threads at once, errors returned by a transport arriving as the app's own `OcopError`, listener
//! failures counted without stopping the sync, and panicking callbacks that do not bring the process down.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::ThreadId;

use ocop_ffi::types::gps::{GpsFix, GpsProvider};
use ocop_ffi::types::producer::{Gender, NewProducer, OwnerKind, Person};
use ocop_ffi::types::query::ProducerFilter;
use ocop_ffi::types::visit::{NewVisit, PhotoKind};
use ocop_ffi::types::{Author, Role, Scope};
use ocop_ffi::{OcopError, OcopStore, SyncProgressListener, SyncTransport};

const TAN_CUONG: &str = "05503";

fn author(user: &str) -> Author {
    Author {
        user_id: user.into(),
        name: format!("Cán bộ {user}"),
        role: Role::Officer,
    }
}

fn open_store(dir: &tempfile::TempDir, name: &str) -> Arc<OcopStore> {
    let s = OcopStore::new(
        dir.path().join(format!("{name}.db")).to_string_lossy().into(),
        author(name),
    );
    s.open().unwrap();
    s
}

fn new_producer(name: &str) -> NewProducer {
    NewProducer {
        owner_kind: OwnerKind::Cooperative,
        name: name.into(),
        representative: Person {
            name: "Nguyễn Thị Hoa".into(),
            gender: Gender::Female,
            position: None,
        },
        commune_code: TAN_CUONG.into(),
        hamlet: "Xóm Nam Đồng".into(),
        street: String::new(),
        registration_no: None,
        phone: Some("0912 345 678".into()),
        location: None,
        members: Some(12),
        women_members: Some(8),
        women_owned: None,
        women_led: None,
    }
}

/// A transport implemented "by the app" in Rust: delivers each request to another store's responder.
struct PeerTransport {
    peer: Arc<OcopStore>,
    calls: AtomicUsize,
}

impl SyncTransport for PeerTransport {
    fn exchange(&self, request: Vec<u8>) -> Result<Vec<u8>, OcopError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.peer.respond(
            request,
            author("peer"),
            Scope {
                provinces: vec!["*".into()],
                communes: vec![],
            },
        )
    }
}

#[derive(Default)]
struct RecordingListener {
    calls: AtomicUsize,
    threads: Mutex<HashSet<ThreadId>>,
}

impl SyncProgressListener for RecordingListener {
    fn on_progress(&self, _: ocop_ffi::types::sync::SyncProgress) -> Result<(), OcopError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.threads
            .lock()
            .unwrap()
            .insert(std::thread::current().id());
        Ok(())
    }
}

#[test]
fn an_app_transport_carries_a_sync_between_two_stores_and_reports_progress() {
    let dir = tempfile::tempdir().unwrap();
    let a = open_store(&dir, "a");
    let b = open_store(&dir, "b");
    let p = a.create_producer(new_producer("HTX Chè Tân Cương")).unwrap();
    let transport = Arc::new(PeerTransport {
        peer: b.clone(),
        calls: AtomicUsize::new(0),
    });
    let listener = Arc::new(RecordingListener::default());
    let report = a
        .sync_with("b".into(), transport.clone(), Some(listener.clone()))
        .unwrap();
    assert!(report.changes_sent >= 1, "{report:?}");
    assert!(transport.calls.load(Ordering::SeqCst) >= 1);
    assert!(listener.calls.load(Ordering::SeqCst) >= 1);
    assert_eq!(report.listener_failures, 0);
    assert_eq!(b.producer(p.id.clone()).unwrap().name, "HTX Chè Tân Cương");
}

#[test]
fn callbacks_run_from_several_threads_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let hub = open_store(&dir, "hub");
    let listener = Arc::new(RecordingListener::default());
    let devices: Vec<_> = (0..4).map(|i| open_store(&dir, &format!("d{i}"))).collect();
    let handles: Vec<_> = devices
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let d = d.clone();
            let hub = hub.clone();
            let listener = listener.clone();
            std::thread::spawn(move || {
                for round in 0..3 {
                    d.create_producer(new_producer(&format!("Hộ kinh doanh {i}-{round}")))
                        .unwrap();
                    let t = Arc::new(PeerTransport {
                        peer: hub.clone(),
                        calls: AtomicUsize::new(0),
                    });
                    d.sync_with("hub".into(), t, Some(listener.clone()))
                        .unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let all = hub
        .list_producers(ProducerFilter {
            limit: 1000,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(all.len(), 12);
    assert!(listener.threads.lock().unwrap().len() >= 2);
}

struct FailingTransport(OcopError);

impl SyncTransport for FailingTransport {
    fn exchange(&self, _: Vec<u8>) -> Result<Vec<u8>, OcopError> {
        Err(self.0.clone())
    }
}

#[test]
fn an_error_returned_by_the_app_transport_is_the_error_of_the_sync() {
    let dir = tempfile::tempdir().unwrap();
    let a = open_store(&dir, "a");
    a.create_producer(new_producer("HTX A")).unwrap();
    let err = OcopError::Network {
        reason: "bluetooth link lost".into(),
    };
    let got = a
        .sync_with("b".into(), Arc::new(FailingTransport(err.clone())), None)
        .unwrap_err();
    assert_eq!(got, err);
    // The store is still usable and nothing was lost.
    assert_eq!(a.list_producers(ProducerFilter::default()).unwrap().len(), 1);
}

struct PanickingTransport;

impl SyncTransport for PanickingTransport {
    fn exchange(&self, _: Vec<u8>) -> Result<Vec<u8>, OcopError> {
        panic!("the radio driver crashed")
    }
}

#[test]
fn a_panicking_transport_becomes_an_internal_error_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let a = open_store(&dir, "a");
    let got = a
        .sync_with("b".into(), Arc::new(PanickingTransport), None)
        .unwrap_err();
    match got {
        OcopError::Internal { reason } => assert!(reason.contains("radio driver"), "{reason}"),
        other => panic!("expected Internal, got {other:?}"),
    }
    assert!(a.is_open());
}

struct BadListener {
    panic: bool,
}

impl SyncProgressListener for BadListener {
    fn on_progress(&self, _: ocop_ffi::types::sync::SyncProgress) -> Result<(), OcopError> {
        if self.panic {
            panic!("progress bar gone");
        }
        Err(OcopError::Internal {
            reason: "view detached".into(),
        })
    }
}

#[test]
fn a_failing_or_panicking_listener_is_counted_and_the_sync_completes() {
    for panic in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let a = open_store(&dir, "a");
        let b = open_store(&dir, "b");
        let p = a.create_producer(new_producer("HTX Listener")).unwrap();
        let t = Arc::new(PeerTransport {
            peer: b.clone(),
            calls: AtomicUsize::new(0),
        });
        let report = a
            .sync_with("b".into(), t, Some(Arc::new(BadListener { panic })))
            .unwrap();
        assert!(report.listener_failures >= 1, "{report:?}");
        assert!(b.producer(p.id).is_ok());
    }
}

#[test]
fn errors_say_what_to_fix_and_carry_no_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let s = OcopStore::new(
        dir.path().join("s.db").to_string_lossy().into(),
        author("s"),
    );
    assert_eq!(
        s.list_producers(ProducerFilter::default()).unwrap_err(),
        OcopError::NotOpen
    );
    s.open().unwrap();
    let p = s.create_producer(new_producer("HTX Lỗi")).unwrap();
    let visit = s
        .start_visit(NewVisit {
            form_id: "ocop_producer_product_survey".into(),
            producer_id: Some(p.id.clone()),
            product_id: None,
            form_version: None,
            commune_code: None,
        })
        .unwrap();
    let bad_fix = GpsFix {
        lat: f64::NAN,
        lon: 105.8,
        accuracy_m: Some(5.0),
        altitude_m: None,
        time: 1_750_000_000_000,
        provider: GpsProvider::Gnss,
        mock: false,
    };
    match s.add_fix(visit.id.clone(), bad_fix).unwrap_err() {
        OcopError::Invalid { field, reason } => {
            assert_eq!(field, "gps");
            assert!(reason.contains("latitude") || reason.contains("lat"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    let junk = dir.path().join("broken.jpg");
    std::fs::write(&junk, b"\xFF\xD8\xFF\xE0 this is not really a jpeg").unwrap();
    match s
        .attach_photo(
            visit.id.clone(),
            junk.to_string_lossy().into(),
            PhotoKind::Product,
            String::new(),
        )
        .unwrap_err()
    {
        OcopError::Invalid { field, reason } => {
            assert_eq!(field, "photo");
            assert!(reason.contains("corrupt") || reason.contains("decode"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    let mut bad_phone = new_producer("HTX Số Cũ");
    bad_phone.phone = Some("0168 123 4567".into());
    let err = s.create_producer(bad_phone).unwrap_err();
    let shown = err.to_string();
    assert!(matches!(err, OcopError::Invalid { .. }), "{err:?}");
    assert!(!shown.contains("123") && !shown.contains("Nguyễn"), "{shown}");
    assert!(matches!(
        s.producer("not-an-id".into()).unwrap_err(),
        OcopError::Invalid { .. }
    ));
    s.close_store();
    assert!(!s.is_open());
}
