//! Three hub processes (`ocop-hub serve --database …`) on one PostgreSQL schema, with no coordination between them
//! beyond the database. Five devices — two officers and a union staffer in one commune, an officer in another, a
//! province supervisor — edit the same producers concurrently, round after round, and sync at the same time, each
//! time through a hub chosen at random (seeded). In the end every device and the hub agree on every document (same
//! heads, and the read models of two hub instances agree), and nothing is stored twice. A photo upload cut off at
//! one process resumes at another, and a revocation reaches every process.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use std::collections::{BTreeMap, HashMap};

use automerge::AutoCommit;
use common::*;
use ocop_core::identity::Role;
use ocop_core::ids::RecordId;
use ocop_core::records::ProducerPatch;
use ocop_core::sync::http::enroll;
use ocop_core::sync::{SyncError, TransportError};
use ocop_hub::storage::PhotoHeld;
use ocop_hub::{Account, Hub, HubOptions, PgOptions};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn change_count(store: &ocop_core::store::Store, id: RecordId) -> usize {
    let doc = AutoCommit::load(&store.export_document(id).unwrap()).unwrap();
    doc.clone().get_changes(&[]).len()
}

#[test]
fn devices_syncing_through_three_hub_processes_in_random_order_converge_with_nothing_duplicated() {
    let schema = PgSchema::create();
    let hubs: Vec<HubProcess> = (0..3).map(|_| HubProcess::start(&["--database", &schema.url])).collect();
    let admin = Hub::open_postgres(
        &schema.url,
        None,
        PgOptions::default(),
        HubOptions::default(),
    )
    .unwrap();
    let mut rng = StdRng::seed_from_u64(0x0C0B_F1E1D);
    let dir = tempfile::tempdir().unwrap();

    let people = [
        ("officer-tc-1", Role::Officer, communes(&[TAN_CUONG])),
        ("officer-tc-2", Role::Officer, communes(&[TAN_CUONG])),
        ("union-tc", Role::UnionStaff, communes(&[TAN_CUONG])),
        ("officer-tl", Role::Officer, communes(&[TICH_LUONG])),
        ("supervisor", Role::Supervisor, province(THAI_NGUYEN)),
    ];
    let mut devices: Vec<Device> = people
        .iter()
        .map(|(user, role, scope)| {
            let issued = admin
                .enroll(Account {
                    user_id: (*user).into(),
                    display_name: format!("Người dùng {user}"),
                    role: *role,
                    scope: scope.clone(),
                })
                .unwrap();
            // Codes are issued by one hub and redeemed at another.
            let at = &hubs[rng.random_range(0..hubs.len())].url;
            let enrollment = enroll(at, &issued.code, &format!("phone of {user}")).unwrap();
            Device::open(&dir, enrollment, at)
        })
        .collect();

    let home = |d: &Device| -> &'static str {
        if d.enrollment.user_id == "officer-tl" {
            TICH_LUONG
        } else {
            TAN_CUONG
        }
    };
    let mut conflicts_seen = 0usize;
    for round in 0..6 {
        // Offline work: every device edits producers of its commune (the supervisor: anyone's) and sometimes
        // registers a new one. Several edit the same fields of the same records.
        for d in &mut devices {
            if round == 0 || rng.random_bool(0.3) {
                let commune = home(d);
                d.store
                    .create_producer(
                        &d.author,
                        producer_in(
                            commune,
                            &format!("HTX {} vòng {round}", d.enrollment.user_id),
                        ),
                    )
                    .unwrap();
            }
            let known: Vec<_> = d.store.document_heads().unwrap();
            for _ in 0..rng.random_range(1..4) {
                let Some((id, _)) = known.get(rng.random_range(0..known.len().max(1))) else {
                    break;
                };
                let Ok(current) = d.store.producer(*id) else {
                    continue;
                };
                if d.enrollment.role != Role::Supervisor && current.address.commune.code != home(d)
                {
                    continue;
                }
                let patch = match rng.random_range(0..3) {
                    0 => ProducerPatch {
                        members: Some(Some(rng.random_range(5..60))),
                        ..Default::default()
                    },
                    1 => ProducerPatch {
                        name: Some(format!("{} ({})", current.name, rng.random_range(0..100))),
                        ..Default::default()
                    },
                    _ => ProducerPatch {
                        women_members: Some(Some(rng.random_range(0..5))),
                        members: Some(Some(rng.random_range(5..60))),
                        ..Default::default()
                    },
                };
                d.store.update_producer(&d.author, *id, patch).unwrap();
            }
        }
        // Everyone syncs at the same time, each through a hub picked at random.
        let urls: Vec<String> = devices
            .iter()
            .map(|_| hubs[rng.random_range(0..hubs.len())].url.clone())
            .collect();
        let reports: Vec<_> = std::thread::scope(|s| {
            let handles: Vec<_> = devices
                .iter_mut()
                .zip(&urls)
                .map(|(d, url)| {
                    s.spawn(move || {
                        d.via(url);
                        d.sync()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for r in reports {
            let r = r.unwrap();
            assert_eq!(r.rejected, 0, "{r:?}");
            conflicts_seen += r.conflicts_surfaced.len();
        }
    }

    // Quiet: sync until a whole pass moves nothing, each device through another hub each time.
    let mut passes = 0;
    loop {
        let mut moved = 0;
        for (i, d) in devices.iter_mut().enumerate() {
            d.via(&hubs[(i + passes) % hubs.len()].url);
            let r = d.sync().unwrap();
            moved += r.changes_sent + r.changes_received;
        }
        passes += 1;
        if moved == 0 {
            break;
        }
        assert!(passes < 6, "still moving changes after {passes} passes");
    }
    assert!(
        conflicts_seen > 0,
        "the devices did edit the same fields concurrently"
    );

    // Every device holds what its scope covers, with the same heads as every other device holding it.
    let supervisor = devices
        .iter()
        .find(|d| d.enrollment.role == Role::Supervisor)
        .unwrap();
    let all: BTreeMap<RecordId, String> = supervisor
        .store
        .document_heads()
        .unwrap()
        .into_iter()
        .collect();
    for d in &devices {
        let held: BTreeMap<RecordId, String> =
            d.store.document_heads().unwrap().into_iter().collect();
        for (id, heads) in &held {
            assert_eq!(
                all.get(id),
                Some(heads),
                "{} differs on {id:?}",
                d.enrollment.user_id
            );
        }
        if d.enrollment.role == Role::Supervisor {
            continue; // the province: everything
        }
        let in_scope = all
            .keys()
            .filter(|id| {
                supervisor
                    .store
                    .producer(**id)
                    .is_ok_and(|p| p.address.commune.code == home(d))
            })
            .count();
        let mine = held
            .keys()
            .filter(|id| d.store.producer(**id).is_ok())
            .count();
        assert_eq!(
            mine, in_scope,
            "{} holds every producer of its commune",
            d.enrollment.user_id
        );
    }

    // The hub agrees: two hub instances' read models (each built from the log) hold the same heads.
    let other = Hub::open_postgres(
        &schema.url,
        None,
        PgOptions::default(),
        HubOptions::default(),
    )
    .unwrap();
    for hub in [&admin, &other] {
        let read: BTreeMap<RecordId, String> = hub
            .read_model()
            .unwrap()
            .store()
            .document_heads()
            .unwrap()
            .into_iter()
            .collect();
        assert_eq!(read, all, "the hub's read model agrees with the devices");
    }

    // Nothing duplicated: per document, the log holds exactly the document's distinct changes.
    let mut db = schema.client();
    let per_doc: HashMap<uuid::Uuid, (i64, i64, i64)> = db
        .query(
            "SELECT c.doc, COUNT(*), COUNT(DISTINCT c.hash), MAX(d.changes)
             FROM changes c JOIN documents d ON d.doc = c.doc GROUP BY c.doc",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), (r.get(1), r.get(2), r.get(3))))
        .collect();
    assert_eq!(per_doc.len(), all.len());
    for id in all.keys() {
        let (rows, distinct, meta) = per_doc[&id.0];
        let real = change_count(&supervisor.store, *id) as i64;
        assert_eq!((rows, distinct, meta), (real, real, real), "{id:?}");
    }
    let (max_seq, rows): (i64, i64) = {
        let r = db
            .query_one("SELECT COALESCE(MAX(seq), 0), COUNT(*) FROM changes", &[])
            .unwrap();
        (r.get(0), r.get(1))
    };
    assert_eq!(max_seq, rows, "log positions have no gaps");
}

#[test]
fn a_photo_upload_cut_at_one_hub_process_resumes_at_another_and_a_revocation_reaches_every_process()
{
    let schema = PgSchema::create();
    let hubs: Vec<HubProcess> = (0..2).map(|_| HubProcess::start(&["--database", &schema.url])).collect();
    let admin = Hub::open_postgres(
        &schema.url,
        None,
        PgOptions::default(),
        HubOptions::default(),
    )
    .unwrap();
    let issued = admin
        .enroll(Account {
            user_id: "officer-tc".into(),
            display_name: "Nguyễn Văn An".into(),
            role: Role::Officer,
            scope: communes(&[TAN_CUONG]),
        })
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let enrollment = enroll(&hubs[0].url, &issued.code, "phone").unwrap();
    let mut a = Device::open(&dir, enrollment, &hubs[0].url);
    let (hash, len) = visit_with_photo(&a, TAN_CUONG, 11);
    a.options.photo_chunk_bytes = 4 * 1024;
    assert!(len > 5 * 4 * 1024, "several chunks ({len} bytes)");

    // At the first process: exchange 1 syncs the documents, the reply to the fourth chunk is lost.
    let mut flaky = LosesAReply {
        inner: &mut a.transport,
        count: 0,
        lose: 5,
    };
    assert!(ocop_core::sync::sync(&a.store, "hub", &mut flaky, &a.options, &()).is_err());
    let held = match admin.storage().photo_held(&hash).unwrap() {
        PhotoHeld::Partial(n) => n,
        other => panic!("expected a partial photo, got {other:?}"),
    };
    assert_eq!(held, 4 * 4 * 1024);

    // The next sync reaches the second process: it resumes from the bytes the database holds.
    a.via(&hubs[1].url);
    let resumed = a.sync().unwrap();
    assert_eq!(resumed.photos_sent, 1);
    assert_eq!(
        resumed.photo_bytes_sent,
        len - held,
        "only the rest is sent"
    );
    assert_eq!(
        admin.storage().photo_held(&hash).unwrap(),
        PhotoHeld::Complete(len)
    );

    // Revoked through a third party (the admin command): both processes refuse the device at once.
    assert_eq!(admin.revoke_user("officer-tc").unwrap(), 1);
    for h in &hubs {
        a.via(&h.url);
        let e = a.sync().unwrap_err();
        assert!(
            matches!(
                e,
                ocop_core::Error::Sync(SyncError::Transport(TransportError::Unauthorized(_)))
            ),
            "{e:?}"
        );
    }
}
