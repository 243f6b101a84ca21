//! Sync between stores through the protocol: round trips, bytes, interruptions, repeats, bundles, photos, and
//! hostile messages. The "hub" here is a device store answering as a responder; the real hub (crate `ocop-hub`)
//! runs the same protocol over its own storage and has its own tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ocop_core::identity::Role;
use ocop_core::records::ProducerPatch;
use ocop_core::store::{ProducerFilter, Store};
use ocop_core::sync::link::{Fault, Link, LinkProfile};
use ocop_core::sync::{self, Principal, Scope, SyncOptions};

fn everyone() -> Principal {
    Principal {
        user_id: "peer".into(),
        role: Role::Supervisor,
        scope: Scope::all(),
    }
}

fn sync_via(
    device: &Store,
    hub: &Store,
    link: &mut Link<'_>,
) -> ocop_core::Result<sync::SyncReport> {
    let _ = hub;
    sync::sync(device, "hub", link, &SyncOptions::default(), &())
}

#[test]
fn one_document_syncs_in_one_round_trip_and_an_unchanged_check_costs_a_few_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let hub = open(&dir, "hub.db");
    let phone = open(&dir, "phone.db");
    let p = phone
        .create_producer(&officer(), producer_in(TAN_CUONG, "HTX Chè Tân Cương"))
        .unwrap();

    let mut link = Link::new(&hub, everyone(), LinkProfile::SLOW_3G);
    let report = sync_via(&phone, &hub, &mut link).unwrap();
    assert_eq!(report.document_round_trips, 1, "{report:?}");
    assert_eq!(report.changes_sent, 1);
    assert_eq!(hub.producer(p.id).unwrap().name, "HTX Chè Tân Cương");

    let again = sync_via(&phone, &hub, &mut link).unwrap();
    assert_eq!(again.document_round_trips, 1);
    assert_eq!((again.changes_sent, again.changes_received), (0, 0));
    assert!(
        again.bytes_up + again.bytes_down < 200,
        "an unchanged check cost {} bytes",
        again.bytes_up + again.bytes_down
    );

    // One edited field costs hundreds of bytes, not the document.
    phone
        .update_producer(
            &officer(),
            p.id,
            ProducerPatch {
                members: Some(Some(40)),
                ..Default::default()
            },
        )
        .unwrap();
    let edit = sync_via(&phone, &hub, &mut link).unwrap();
    assert_eq!(edit.changes_sent, 1);
    assert!(
        edit.bytes_up < 400,
        "one field edit cost {} bytes up",
        edit.bytes_up
    );
    assert_eq!(hub.producer(p.id).unwrap().members, Some(40));
}

#[test]
fn five_thousand_documents_sync_in_the_same_few_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let hub = open(&dir, "hub.db");
    let phone = open(&dir, "phone.db");
    let supervisor = open(&dir, "supervisor.db");
    let author = officer();
    for i in 0..5000 {
        phone
            .create_producer(
                &author,
                producer_in(TAN_CUONG, &format!("Hộ kinh doanh số {i}")),
            )
            .unwrap();
    }
    let mut link = Link::new(&hub, everyone(), LinkProfile::INSTANT);
    let up = sync_via(&phone, &hub, &mut link).unwrap();
    assert_eq!(up.changes_sent, 5000);
    assert!(
        up.document_round_trips <= 2,
        "push of 5,000 documents took {} round trips",
        up.document_round_trips
    );

    let mut link = Link::new(&hub, everyone(), LinkProfile::INSTANT);
    let down = sync::sync(&supervisor, "hub", &mut link, &SyncOptions::default(), &()).unwrap();
    assert_eq!(down.changes_received, 5000);
    assert!(
        down.document_round_trips <= 2,
        "pull of 5,000 documents took {} round trips",
        down.document_round_trips
    );
    assert_eq!(
        supervisor
            .list_producers(&ProducerFilter {
                limit: 10_000,
                ..Default::default()
            })
            .unwrap()
            .len(),
        5000
    );

    let check = sync::sync(&supervisor, "hub", &mut link, &SyncOptions::default(), &()).unwrap();
    assert_eq!(check.document_round_trips, 1);
    assert!(
        check.bytes_up + check.bytes_down < 200,
        "checking 5,000 unchanged documents cost {} bytes",
        check.bytes_up + check.bytes_down
    );
}

#[test]
fn nothing_echoes_back_to_where_it_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let hub = open(&dir, "hub.db");
    let phone = open(&dir, "phone.db");
    for i in 0..20 {
        phone
            .create_producer(&officer(), producer_in(TAN_CUONG, &format!("HTX {i}")))
            .unwrap();
    }
    let mut link = Link::new(&hub, everyone(), LinkProfile::INSTANT);
    let first = sync_via(&phone, &hub, &mut link).unwrap();
    assert_eq!((first.changes_sent, first.changes_received), (20, 0));
    let second = sync_via(&phone, &hub, &mut link).unwrap();
    assert_eq!((second.changes_sent, second.changes_received), (0, 0));
}

#[test]
fn a_connection_cut_at_any_byte_resumes_and_nothing_is_applied_twice() {
    let dir = tempfile::tempdir().unwrap();
    let author = officer();
    // Build the officer's week once, then replay it against fresh hubs with a cut at many byte positions.
    let phone = open(&dir, "phone.db");
    for i in 0..30 {
        let p = phone
            .create_producer(&author, producer_in(TAN_CUONG, &format!("HTX {i}")))
            .unwrap();
        phone
            .update_producer(
                &author,
                p.id,
                ProducerPatch {
                    members: Some(Some(100 + i)),
                    ..Default::default()
                },
            )
            .unwrap();
    }
    let mut probe = Link::new(&phone, everyone(), LinkProfile::INSTANT);
    let size_probe = open(&dir, "probe.db");
    sync::sync(&size_probe, "hub", &mut probe, &SyncOptions::default(), &()).unwrap();
    let reply_len = probe.bytes_down as usize;
    assert!(reply_len > 1000);

    for (n, cut) in (0..reply_len).step_by(reply_len / 40).enumerate() {
        // Pull from the phone (acting as the responder) into a fresh store, cutting the reply at `cut`.
        let target = open(&dir, &format!("t{n}.db"));
        let mut link =
            Link::new(&phone, everyone(), LinkProfile::INSTANT).fail_at(0, Fault::CutReply(cut));
        let first = sync::sync(&target, "hub", &mut link, &SyncOptions::default(), &());
        assert!(first.is_err(), "a cut reply is reported");
        let second = sync::sync(&target, "hub", &mut link, &SyncOptions::default(), &()).unwrap();
        assert_eq!(
            target.log_since(0, 1000).unwrap().len(),
            60,
            "cut at {cut}: every change exactly once"
        );
        assert!(second.changes_received <= 60);
        assert_converged(&phone, &target);
    }

    let request_len = {
        let hub = open(&dir, "size.db");
        let mut link = Link::new(&hub, everyone(), LinkProfile::INSTANT);
        sync::sync(&phone, "size", &mut link, &SyncOptions::default(), &()).unwrap();
        link.bytes_up as usize
    };
    for (n, cut) in (0..request_len).step_by(request_len / 40).enumerate() {
        let hub = open(&dir, &format!("h{n}.db"));
        let label = format!("hub{n}");
        let mut link =
            Link::new(&hub, everyone(), LinkProfile::INSTANT).fail_at(0, Fault::CutRequest(cut));
        assert!(sync::sync(&phone, &label, &mut link, &SyncOptions::default(), &()).is_err());
        let resumed = sync::sync(&phone, &label, &mut link, &SyncOptions::default(), &()).unwrap();
        assert_eq!(hub.log_since(0, 1000).unwrap().len(), 60, "cut at {cut}");
        assert!(resumed.changes_sent <= 60);
        assert_converged(&phone, &hub);
    }
}

#[test]
fn a_repeated_request_is_harmless() {
    let dir = tempfile::tempdir().unwrap();
    let hub = open(&dir, "hub.db");
    let phone = open(&dir, "phone.db");
    for i in 0..5 {
        phone
            .create_producer(&officer(), producer_in(TAN_CUONG, &format!("HTX {i}")))
            .unwrap();
    }
    let mut link = Link::new(&hub, everyone(), LinkProfile::INSTANT).fail_at(0, Fault::Duplicate);
    sync_via(&phone, &hub, &mut link).unwrap();
    assert_eq!(hub.log_since(0, 100).unwrap().len(), 5);
    assert_converged(&phone, &hub);
}

#[test]
fn an_unreachable_hub_is_a_clear_error_and_changes_stay_local() {
    let dir = tempfile::tempdir().unwrap();
    let hub = open(&dir, "hub.db");
    let phone = open(&dir, "phone.db");
    let p = phone
        .create_producer(&officer(), producer_in(TAN_CUONG, "HTX"))
        .unwrap();
    let mut link = Link::new(&hub, everyone(), LinkProfile::INSTANT).fail_at(0, Fault::Down);
    let err = sync_via(&phone, &hub, &mut link).unwrap_err();
    assert!(err.to_string().contains("unreachable"), "{err}");
    assert_eq!(
        phone.sync_state(p.id).unwrap(),
        sync::RecordSyncState::LocalOnly
    );
    sync_via(&phone, &hub, &mut link).unwrap();
    assert_eq!(
        phone.sync_state(p.id).unwrap(),
        sync::RecordSyncState::Synced
    );
}
