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

#[test]
fn device_to_device_moves_only_what_each_side_may_see() {
    let dir = tempfile::tempdir().unwrap();
    let supervisor = open(&dir, "supervisor.db");
    let officer = open(&dir, "officer.db");
    officer
        .set_scope(Some(Scope {
            provinces: vec![],
            communes: vec![TAN_CUONG.into()],
        }))
        .unwrap();
    let sup = ocop_core::identity::Author::new("sup", "Phạm Minh", Role::Supervisor);
    supervisor
        .create_producer(&sup, producer_in(TAN_CUONG, "HTX Tân Cương"))
        .unwrap();
    supervisor
        .create_producer(&sup, producer_in(BAT_TRANG, "HTX Gốm Bát Tràng"))
        .unwrap();

    // The officer asks the supervisor's phone: only Tân Cương comes.
    let officer_principal = Principal {
        user_id: "officer".into(),
        role: Role::Officer,
        scope: officer.scope().unwrap(),
    };
    let mut link = Link::new(&supervisor, officer_principal, LinkProfile::INSTANT);
    sync::sync(
        &officer,
        "supervisor",
        &mut link,
        &SyncOptions::default(),
        &(),
    )
    .unwrap();
    let names: Vec<String> = officer
        .list_producers(&ProducerFilter::default())
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, vec!["HTX Tân Cương"]);

    // The supervisor's phone pushes everything to the officer's: the officer's store keeps only its scope.
    let mut link = Link::new(&officer, everyone(), LinkProfile::INSTANT);
    sync::sync(
        &supervisor,
        "officer",
        &mut link,
        &SyncOptions::default(),
        &(),
    )
    .unwrap();
    assert_eq!(
        officer
            .list_producers(&ProducerFilter::default())
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_bundle_carries_a_week_and_a_cut_bundle_delivers_what_arrived() {
    use ocop_core::sync::bundle::{import_bundle, write_bundle};
    let dir = tempfile::tempdir().unwrap();
    let phone = open(&dir, "phone.db");
    for i in 0..300 {
        let p = phone
            .create_producer(
                &officer(),
                producer_in(TAN_CUONG, &format!("Hộ sản xuất {i}")),
            )
            .unwrap();
        phone
            .update_producer(
                &officer(),
                p.id,
                ProducerPatch {
                    members: Some(Some(100 + i)),
                    ..Default::default()
                },
            )
            .unwrap();
    }
    let file = dir.path().join("week.ocop");
    let written = write_bundle(&phone, &file, 0).unwrap();
    assert_eq!((written.changes, written.documents), (600, 300));

    let cut = dir.path().join("cut.ocop");
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let other = open(&dir, "other.db");
    let partial = import_bundle(&other, &cut).unwrap();
    assert!(partial.incomplete);
    assert!(partial.changes > 0 && partial.changes < 600, "{partial:?}");
    let full = import_bundle(&other, &file).unwrap();
    assert_eq!(full.changes + partial.changes, 600, "nothing applied twice");
    assert_eq!(full.duplicates, partial.changes);
    assert_converged(&phone, &other);
    let again = import_bundle(&other, &file).unwrap();
    assert_eq!((again.changes, again.duplicates), (0, 600));

    let garbage = dir.path().join("photo.jpg");
    std::fs::write(&garbage, b"\xff\xd8\xff\xe0 not a bundle").unwrap();
    assert!(import_bundle(&other, &garbage).is_err());
}

#[test]
fn hostile_messages_get_clear_errors_and_leave_the_store_sound() {
    use ocop_core::sync::message::{self, Body, Entry, Head, NodeId};
    use ocop_core::sync::respond;
    let dir = tempfile::tempdir().unwrap();
    let target = open(&dir, "target.db");
    let source = open(&dir, "source.db");
    for i in 0..20 {
        source
            .create_producer(&officer(), producer_in(TAN_CUONG, &format!("HTX {i}")))
            .unwrap();
    }
    // A genuine request, captured from a real session.
    struct Capture(Vec<Vec<u8>>, Link<'static>);
    impl ocop_core::sync::Transport for Capture {
        fn exchange(
            &mut self,
            request: Vec<u8>,
        ) -> Result<Vec<u8>, ocop_core::sync::TransportError> {
            self.0.push(request.clone());
            self.1.exchange(request)
        }
    }
    let scratch: &'static Store = Box::leak(Box::new(open(&dir, "scratch.db")));
    let mut cap = Capture(
        Vec::new(),
        Link::new(scratch, everyone(), LinkProfile::INSTANT),
    );
    sync::sync(&source, "x", &mut cap, &SyncOptions::default(), &()).unwrap();
    let genuine = cap.0.remove(0);

    let who = everyone();
    let is_error = |bytes: &[u8]| {
        matches!(
            message::decode(bytes).map(|d| d.head),
            Ok(Head::Error { .. })
        )
    };
    // Random bytes, foreign protocols, empty.
    for junk in [
        &b""[..],
        b"GET / HTTP/1.1\r\n\r\n",
        b"OCS",
        b"OCS\x01\xff\xff\xff\xff",
        &[0u8; 4096][..],
    ] {
        let reply = respond(&target, &who, junk);
        assert_eq!(reply.status, 400);
        assert!(is_error(&reply.bytes));
    }
    // Truncated at many points: never a panic; what arrived whole is applied once.
    for cut in (0..genuine.len()).step_by(37) {
        let reply = respond(&target, &who, &genuine[..cut]);
        assert!(
            reply.status == 200 || reply.status == 400,
            "cut {cut}: {}",
            reply.status
        );
    }
    // Replayed three times: applied once.
    for _ in 0..3 {
        assert_eq!(respond(&target, &who, &genuine).status, 200);
    }
    assert_eq!(target.log_since(0, 1000).unwrap().len(), 20);
    // Entries that are not automerge changes are refused per document, with a reason, and nothing else breaks.
    let bogus = message::encode(
        &Head::Sync {
            protocol: message::PROTOCOL,
            node: NodeId([9; 16]),
            expect: None,
            cursor: 0,
            push_base: 0,
            scope: None,
            max_response: 1 << 20,
        },
        &[
            Body::Entries {
                through: 1,
                entries: vec![Entry {
                    doc: [1; 16],
                    bytes: vec![0x85, 0x6f, 0x4a, 0x83, 0, 0],
                }],
            },
            Body::End {
                through: 1,
                more: false,
            },
        ],
    )
    .unwrap();
    let reply = respond(&target, &who, &bogus);
    assert_eq!(reply.status, 200);
    match message::decode(&reply.bytes).unwrap().head {
        Head::SyncReply { rejected, .. } => {
            assert_eq!(rejected.len(), 1, "the bad change is refused with a reason")
        }
        other => panic!("{other:?}"),
    }
    // An oversized claimed frame is refused before allocating.
    let mut huge = genuine[..4].to_vec();
    huge.extend_from_slice(&(u32::MAX - 1).to_le_bytes());
    huge.extend_from_slice(&[0; 5]);
    assert_eq!(respond(&target, &who, &huge).status, 400);
    target.integrity_check().unwrap();
    assert_eq!(target.log_since(0, 1000).unwrap().len(), 20);
}

#[test]
fn a_form_published_by_a_hub_admin_reaches_every_device_and_visits_answer_it() {
    use ocop_core::forms::{Answer, Form};
    use ocop_core::store::NewVisit;
    let dir = tempfile::tempdir().unwrap();
    let hub = open(&dir, "hub.db");
    let officer_phone = open(&dir, "officer.db");
    let other_phone = open(&dir, "other.db");
    let admin = ocop_core::identity::Author::new("admin", "Quản trị", Role::HubAdmin);

    let mut v3 = officer_phone
        .latest_form("ocop_producer_product_survey")
        .unwrap();
    v3.version = 3;
    let mut extra = v3
        .questions
        .iter()
        .find(|q| q.id == "workers_total")
        .unwrap()
        .clone();
    extra.id = "seasonal_workers".into();
    v3.questions.push(extra);
    // Only a hub admin publishes.
    assert!(matches!(
        officer_phone.publish_form(&officer(), &v3),
        Err(ocop_core::Error::Forbidden(_))
    ));
    hub.publish_form(&admin, &v3).unwrap();
    assert!(
        officer_phone
            .form("ocop_producer_product_survey", 3)
            .is_err(),
        "not there before sync"
    );

    let mut link = Link::new(&hub, everyone(), LinkProfile::INSTANT);
    sync::sync(
        &officer_phone,
        "hub",
        &mut link,
        &SyncOptions::default(),
        &(),
    )
    .unwrap();
    assert_eq!(
        officer_phone
            .latest_form("ocop_producer_product_survey")
            .unwrap()
            .version,
        3
    );
    let p = officer_phone
        .create_producer(&officer(), producer_in(TAN_CUONG, "HTX"))
        .unwrap();
    let visit = officer_phone
        .start_visit(
            &officer(),
            NewVisit {
                producer: Some(p.id),
                product: None,
                form_id: "ocop_producer_product_survey".into(),
                form_version: None,
                commune_code: None,
            },
        )
        .unwrap();
    assert_eq!(visit.form_version, 3);
    officer_phone
        .set_answer(
            &officer(),
            visit.id,
            "seasonal_workers",
            Some(Answer::Integer(4)),
        )
        .unwrap();

    // A conflicting definition under the same version is refused.
    let mut other = v3.clone();
    other.questions.pop();
    assert!(hub.publish_form(&admin, &other).is_err());
    let _: Form = v3;

    // The visit and the form travel together: the collector's other phone can work on it.
    let mut link = Link::new(&officer_phone, everyone(), LinkProfile::INSTANT);
    sync::sync(
        &other_phone,
        "officer",
        &mut link,
        &SyncOptions::default(),
        &(),
    )
    .unwrap();
    other_phone
        .set_answer(
            &officer(),
            visit.id,
            "seasonal_workers",
            Some(Answer::Integer(5)),
        )
        .unwrap();
}
