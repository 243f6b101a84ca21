//! Real devices (core stores) syncing with the hub over real HTTP on loopback: concurrent work converges,
//! a reply cut in the middle resumes without applying anything twice, a lost push reply costs nothing, and an
//! unreachable or stopped hub is reported as such.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::*;
use ocop_core::identity::Role;
use ocop_core::records::{Gender, Person, ProducerPatch};
use ocop_core::store::Store;
use ocop_core::sync::{SyncError, TransportError};

fn log_len(store: &Store) -> usize {
    store.log_since(0, 1_000_000).unwrap().len()
}

fn an_officer_and_a_union_staffer_edit_the_same_producer_offline_and_converge_through_the_hub(
    backend: Backend,
) {
    let t = TestHub::start(backend);
    let mut officer = t.device("officer-tc", Role::Officer, communes(&[TAN_CUONG]));
    let mut union = t.device("union-tc", Role::UnionStaff, communes(&[TAN_CUONG]));
    let mut supervisor = t.device("sup-tn", Role::Supervisor, province(THAI_NGUYEN));

    let p = officer
        .store
        .create_producer(&officer.author, producer_in(TAN_CUONG, "HTX Chè Tân Cương"))
        .unwrap();
    officer.sync().unwrap();
    union.sync().unwrap();

    // Offline: both change the representative's gender; the officer also the members, the staffer the name.
    let rep = |gender| Person {
        name: "Lê Thị Hoa".into(),
        gender,
        position: None,
    };
    let o = ProducerPatch {
        representative: Some(rep(Gender::Male)),
        members: Some(Some(25)),
        ..Default::default()
    };
    officer
        .store
        .update_producer(&officer.author, p.id, o)
        .unwrap();
    let u = ProducerPatch {
        representative: Some(rep(Gender::Other)),
        name: Some("HTX Chè Tân Cương Thái Nguyên".into()),
        ..Default::default()
    };
    union.store.update_producer(&union.author, p.id, u).unwrap();

    union.sync().unwrap();
    let got = officer.sync().unwrap();
    assert!(got.conflicts_surfaced.contains(&p.id), "{got:?}");
    union.sync().unwrap();
    supervisor.sync().unwrap();

    let heads = officer.store.heads(p.id).unwrap();
    assert_eq!(union.store.heads(p.id).unwrap(), heads);
    assert_eq!(supervisor.store.heads(p.id).unwrap(), heads);
    for d in [&officer, &union, &supervisor] {
        let merged = d.store.producer(p.id).unwrap();
        assert_eq!(merged.name, "HTX Chè Tân Cương Thái Nguyên");
        assert_eq!(merged.members, Some(25));
        let conflicts = d.store.conflicts(Some(p.id)).unwrap();
        assert_eq!(
            conflicts.len(),
            1,
            "the gender conflict is shown to a person"
        );
    }
}

fn a_reply_cut_in_the_middle_resumes_and_nothing_is_applied_twice(backend: Backend) {
    let t = TestHub::start(backend);
    let mut officer = t.device("officer-tc", Role::Officer, communes(&[TAN_CUONG]));
    let n = 700;
    for i in 0..n {
        officer
            .store
            .create_producer(
                &officer.author,
                producer_in(TAN_CUONG, &format!("Hộ kinh doanh chè số {i}")),
            )
            .unwrap();
    }
    officer.sync().unwrap();
    let raw: usize = officer
        .store
        .log_since(0, 1_000_000)
        .unwrap()
        .iter()
        .map(|e| e.bytes.len() + 24)
        .sum();
    assert!(
        raw > 300 * 1024,
        "the reply spans two frames of 256 KiB ({raw} bytes)"
    );

    let proxy = CuttingProxy::start(t.server.addr());
    // A first supervisor measures the full reply through the proxy.
    let mut probe = t.device("sup-probe", Role::Supervisor, province(THAI_NGUYEN));
    probe.via(&proxy.url());
    let full = probe.sync().unwrap();
    assert_eq!(full.changes_received, n);

    let mut supervisor = t.device("sup-tn", Role::Supervisor, province(THAI_NGUYEN));
    supervisor.via(&proxy.url());
    // Cut inside the last frame (the HTTP header is shorter than 200 bytes, the end marker shorter than 20).
    proxy.cut_next_reply_after(full.bytes_down as usize - 200);
    let cut = supervisor.sync().unwrap_err();
    assert!(
        matches!(
            cut,
            ocop_core::Error::Sync(SyncError::Transport(TransportError::Interrupted { .. }))
        ),
        "{cut:?}"
    );
    let kept = log_len(&supervisor.store);
    assert!(
        kept > 0 && kept < n as usize,
        "the whole frames before the cut were kept: {kept}"
    );

    let resumed = supervisor.sync().unwrap();
    assert_eq!(
        resumed.changes_received as usize,
        n as usize - kept,
        "only the rest came"
    );
    assert!(resumed.bytes_down < full.bytes_down, "and only its bytes");
    assert_eq!(
        log_len(&supervisor.store),
        n as usize,
        "every change exactly once"
    );
    assert_eq!(
        supervisor.store.document_heads().unwrap(),
        officer.store.document_heads().unwrap()
    );
}

fn a_lost_push_reply_costs_nothing_and_duplicates_nothing(backend: Backend) {
    let t = TestHub::start(backend);
    let proxy = CuttingProxy::start(t.server.addr());
    let mut officer = t.device("officer-tc", Role::Officer, communes(&[TAN_CUONG]));
    officer.via(&proxy.url());
    for i in 0..50 {
        officer
            .store
            .create_producer(
                &officer.author,
                producer_in(TAN_CUONG, &format!("HTX số {i}")),
            )
            .unwrap();
    }
    proxy.cut_next_reply_after(10);
    assert!(officer.sync().is_err());
    assert_eq!(
        officer.store.pending_changes().unwrap(),
        50,
        "not acknowledged yet"
    );
    let again = officer.sync().unwrap();
    assert_eq!(
        again.changes_sent, 0,
        "the hub already held them: the device asked first"
    );
    assert_eq!(officer.store.pending_changes().unwrap(), 0);

    let mut supervisor = t.device("sup-tn", Role::Supervisor, province(THAI_NGUYEN));
    assert_eq!(supervisor.sync().unwrap().changes_received, 50);
}

fn an_unreachable_or_stopped_hub_is_reported_and_nothing_is_lost(backend: Backend) {
    let t = TestHub::start(backend);
    let enrollment = t.enroll("officer-tc", Role::Officer, communes(&[TAN_CUONG]));
    let mut officer = Device::open(&t.dir, enrollment, &t.url());
    officer
        .store
        .create_producer(&officer.author, producer_in(TAN_CUONG, "HTX Chè"))
        .unwrap();
    let TestHub { hub, server, .. } = t;
    server.shutdown();
    let e = officer.sync().unwrap_err();
    assert!(
        matches!(
            e,
            ocop_core::Error::Sync(SyncError::Transport(TransportError::Unreachable(_)))
        ),
        "{e:?}"
    );
    assert_eq!(officer.store.pending_changes().unwrap(), 1);

    // The hub comes back (on another port): the device syncs as if nothing happened.
    let server = hub.serve("127.0.0.1:0".parse().unwrap()).unwrap();
    officer.via(&server.url());
    assert_eq!(officer.sync().unwrap().changes_sent, 1);
    assert_eq!(officer.store.pending_changes().unwrap(), 0);
}

on_both_backends!(
    an_officer_and_a_union_staffer_edit_the_same_producer_offline_and_converge_through_the_hub,
    a_reply_cut_in_the_middle_resumes_and_nothing_is_applied_twice,
    a_lost_push_reply_costs_nothing_and_duplicates_nothing,
    an_unreachable_or_stopped_hub_is_reported_and_nothing_is_lost,
);
