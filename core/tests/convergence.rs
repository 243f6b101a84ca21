//! Convergence property: N replicas doing random operations, synced in random schedules through a hub and
//! device to device, with random interruptions (cut requests and replies at any byte, repeated requests, a link
//! down), end with identical documents and with projections that match their documents.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ocop_core::doc::Resolution;
use ocop_core::forms::Answer;
use ocop_core::identity::{Author, Role};
use ocop_core::ids::RecordId;
use ocop_core::records::ProducerPatch;
use ocop_core::store::{NewVisit, ProducerFilter, ProductFilter, Store, StoreOptions, VisitFilter};
use ocop_core::sync::link::{Fault, Link, LinkProfile};
use ocop_core::sync::{self, Principal, Scope, SyncOptions};
use proptest::prelude::*;

const COMMUNES: &[&str] = &[TAN_CUONG, BAT_TRANG, "00004"];
const REPLICAS: usize = 3;

#[derive(Debug, Clone)]
enum Op {
    Create {
        at: usize,
        commune: usize,
    },
    Name {
        at: usize,
        doc: usize,
        variant: u8,
    },
    Phone {
        at: usize,
        doc: usize,
        variant: u8,
    },
    Members {
        at: usize,
        doc: usize,
        n: u32,
    },
    Move {
        at: usize,
        doc: usize,
        commune: usize,
    },
    Visit {
        at: usize,
        doc: usize,
    },
    Notes {
        at: usize,
        visit: usize,
        variant: u8,
    },
    Resolve {
        at: usize,
    },
    SyncHub {
        at: usize,
        fault: Option<(u8, usize)>,
    },
    SyncPeer {
        a: usize,
        b: usize,
        fault: Option<(u8, usize)>,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let r = 0..REPLICAS;
    let fault = proptest::option::of((0u8..4, 0usize..4000));
    prop_oneof![
        2 => (r.clone(), 0..COMMUNES.len()).prop_map(|(at, commune)| Op::Create { at, commune }),
        2 => (r.clone(), any::<usize>(), 0u8..3).prop_map(|(at, doc, variant)| Op::Name { at, doc, variant }),
        2 => (r.clone(), any::<usize>(), 0u8..3).prop_map(|(at, doc, variant)| Op::Phone { at, doc, variant }),
        1 => (r.clone(), any::<usize>(), 10u32..90).prop_map(|(at, doc, n)| Op::Members { at, doc, n }),
        1 => (r.clone(), any::<usize>(), 0..COMMUNES.len()).prop_map(|(at, doc, commune)| Op::Move { at, doc, commune }),
        1 => (r.clone(), any::<usize>()).prop_map(|(at, doc)| Op::Visit { at, doc }),
        1 => (r.clone(), any::<usize>(), 0u8..4).prop_map(|(at, visit, variant)| Op::Notes { at, visit, variant }),
        1 => r.clone().prop_map(|at| Op::Resolve { at }),
        3 => (r.clone(), fault.clone()).prop_map(|(at, fault)| Op::SyncHub { at, fault }),
        2 => (r.clone(), r, fault).prop_map(|(a, b, fault)| Op::SyncPeer { a, b, fault }),
    ]
}

fn everyone() -> Principal {
    Principal {
        user_id: "peer".into(),
        role: Role::Supervisor,
        scope: Scope::all(),
    }
}

fn to_fault(f: Option<(u8, usize)>) -> Vec<(u32, Fault)> {
    match f {
        None => vec![],
        Some((0, k)) => vec![(0, Fault::CutReply(k))],
        Some((1, k)) => vec![(0, Fault::CutRequest(k))],
        Some((2, _)) => vec![(0, Fault::Duplicate)],
        Some(_) => vec![(0, Fault::Down)],
    }
}

fn link<'a>(to: &'a Store, fault: Option<(u8, usize)>) -> Link<'a> {
    to_fault(fault).into_iter().fold(
        Link::new(to, everyone(), LinkProfile::INSTANT),
        |l, (n, f)| l.fail_at(n, f),
    )
}

fn authors() -> Vec<Author> {
    vec![
        officer(),
        union_staff(),
        Author::new("officer-2", "Phạm Văn Cường", Role::Officer),
    ]
}

fn producers(s: &Store) -> Vec<RecordId> {
    s.list_producers(&ProducerFilter {
        include_inactive: true,
        limit: 10_000,
        ..Default::default()
    })
    .unwrap()
    .into_iter()
    .map(|p| p.id)
    .collect()
}

fn visits(s: &Store) -> Vec<RecordId> {
    s.list_visits(&VisitFilter {
        limit: 10_000,
        ..Default::default()
    })
    .unwrap()
    .into_iter()
    .map(|v| v.id)
    .collect()
}

fn pick(ids: &[RecordId], i: usize) -> Option<RecordId> {
    (!ids.is_empty()).then(|| ids[i % ids.len()])
}

fn apply(op: &Op, replicas: &[Store], hub: &Store, authors: &[Author]) {
    const NAMES: [&str; 3] = [
        "Hợp tác xã Chè Xanh",
        "HTX Chè Xanh Tân Cương",
        "Tổ hợp tác Chè Xanh",
    ];
    const PHONES: [&str; 3] = ["0912345678", "0987654321", "0911222333"];
    const NOTES: [&str; 4] = [
        "",
        "Cơ sở sạch sẽ.",
        "Cơ sở sạch sẽ. Cần tem truy xuất.",
        "Cần tem truy xuất.",
    ];
    match *op {
        Op::Create { at, commune } => {
            replicas[at]
                .create_producer(
                    &authors[at],
                    producer_in(COMMUNES[commune], "Hộ sản xuất mới"),
                )
                .unwrap();
        }
        Op::Name { at, doc, variant } => {
            if let Some(id) = pick(&producers(&replicas[at]), doc) {
                let patch = ProducerPatch {
                    name: Some(NAMES[variant as usize].into()),
                    ..Default::default()
                };
                replicas[at]
                    .update_producer(&authors[at], id, patch)
                    .unwrap();
            }
        }
        Op::Phone { at, doc, variant } => {
            if let Some(id) = pick(&producers(&replicas[at]), doc) {
                let patch = ProducerPatch {
                    phone: Some(Some(PHONES[variant as usize].into())),
                    ..Default::default()
                };
                replicas[at]
                    .update_producer(&authors[at], id, patch)
                    .unwrap();
            }
        }
        Op::Members { at, doc, n } => {
            if let Some(id) = pick(&producers(&replicas[at]), doc) {
                let p = replicas[at].producer(id).unwrap();
                let n = n.max(p.women_members.unwrap_or(0));
                replicas[at]
                    .update_producer(
                        &authors[at],
                        id,
                        ProducerPatch {
                            members: Some(Some(n)),
                            ..Default::default()
                        },
                    )
                    .unwrap();
            }
        }
        Op::Move { at, doc, commune } => {
            if let Some(id) = pick(&producers(&replicas[at]), doc) {
                let mut address = replicas[at].producer(id).unwrap().address;
                address.commune.code = COMMUNES[commune].into();
                replicas[at]
                    .update_producer(
                        &authors[at],
                        id,
                        ProducerPatch {
                            address: Some(address),
                            ..Default::default()
                        },
                    )
                    .unwrap();
            }
        }
        Op::Visit { at, doc } => {
            if let Some(id) = pick(&producers(&replicas[at]), doc) {
                let v = replicas[at]
                    .start_visit(
                        &authors[at],
                        NewVisit {
                            producer: Some(id),
                            product: None,
                            form_id: "ocop_producer_product_survey".into(),
                            form_version: Some(1),
                            commune_code: None,
                        },
                    )
                    .unwrap();
                replicas[at]
                    .set_answer(
                        &authors[at],
                        v.id,
                        "workers_total",
                        Some(Answer::Integer(12)),
                    )
                    .unwrap();
            }
        }
        Op::Notes { at, visit, variant } => {
            if let Some(id) = pick(&visits(&replicas[at]), visit) {
                // A visit is edited by its collector (here on another of their devices) — the permission
                // matrix refuses anyone else's edits of it.
                let collector = replicas[at].visit(id).unwrap().collector;
                let author = authors
                    .iter()
                    .find(|a| a.user_id == collector)
                    .unwrap_or(&authors[at]);
                replicas[at]
                    .set_notes(author, id, NOTES[variant as usize])
                    .unwrap();
            }
        }
        Op::Resolve { at } => {
            if let Some(c) = replicas[at].conflicts(None).unwrap().into_iter().next() {
                let keep = c.values[c.values.len() - 1].op.clone();
                // Conflicts are resolved by a supervisor (with this replica's device).
                let supervisor = Author::new("sup-tn-01", "Phạm Thị Minh", Role::Supervisor);
                replicas[at]
                    .resolve_conflict(&supervisor, c.doc_id, &c.path, &Resolution::Keep(keep))
                    .unwrap();
            }
        }
        Op::SyncHub { at, fault } => {
            let mut l = link(hub, fault);
            let _ = sync::sync(&replicas[at], "hub", &mut l, &SyncOptions::default(), &());
        }
        Op::SyncPeer { a, b, fault } => {
            if a != b {
                let mut l = link(&replicas[b], fault);
                let _ = sync::sync(
                    &replicas[a],
                    &format!("peer-{b}"),
                    &mut l,
                    &SyncOptions::default(),
                    &(),
                );
            }
        }
    }
}

/// Projections equal to what rebuilding them from the documents gives.
fn projections_match_documents(s: &Store) {
    let snapshot = |s: &Store| {
        let p: Vec<_> = s
            .list_producers(&ProducerFilter {
                include_inactive: true,
                limit: 10_000,
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .map(|mut p| {
                p.updated_at = 0;
                p
            })
            .collect();
        let pr: Vec<_> = s
            .list_products(&ProductFilter {
                limit: 10_000,
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .map(|mut p| {
                p.updated_at = 0;
                p
            })
            .collect();
        let v = s
            .list_visits(&VisitFilter {
                limit: 10_000,
                ..Default::default()
            })
            .unwrap();
        let mut c: Vec<(String, String)> = s
            .conflicts(None)
            .unwrap()
            .into_iter()
            .map(|c| (c.doc_id.to_string(), c.path))
            .collect();
        c.sort();
        (p, pr, v, c)
    };
    let before = snapshot(s);
    s.rebuild_projections().unwrap();
    assert_eq!(before, snapshot(s), "projections match the documents");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, max_shrink_iters: 64, ..ProptestConfig::default() })]

    #[test]
    fn replicas_converge_whatever_the_schedule(ops in proptest::collection::vec(op(), 5..45)) {
        let dir = tempfile::tempdir().unwrap();
        let fast = StoreOptions { durable: false, ..Default::default() };
        let hub = Store::open(dir.path().join("hub.db"), fast.clone()).unwrap();
        let replicas: Vec<Store> = (0..REPLICAS).map(|i| Store::open(dir.path().join(format!("r{i}.db")), fast.clone()).unwrap()).collect();
        let authors = authors();
        for op in &ops {
            apply(op, &replicas, &hub, &authors);
        }
        // Quiesce: everyone syncs with the hub until nothing moves (two rounds suffice: push everything, then pull).
        for _ in 0..2 {
            for r in &replicas {
                let mut l = link(&hub, None);
                sync::sync(r, "hub", &mut l, &SyncOptions::default(), &()).unwrap();
            }
        }
        for r in &replicas {
            assert_converged(r, &hub);
            projections_match_documents(r);
        }
        projections_match_documents(&hub);
    }
}
