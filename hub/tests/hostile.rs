//! Hostile input over HTTP: random, truncated, oversized, replayed and malformed requests get a clear 4xx (or a
//! harmless 200 where the protocol is designed to take them), never a panic or a damaged log; the hub keeps
//! serving.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use std::time::Duration;

use common::*;
use ocop_core::identity::Role;
use ocop_core::sync::message::{self, Body, Entry, Head, NodeId, PROTOCOL};
use ocop_core::sync::{self, Principal, Scope, SyncBackend, Transport, TransportError};
use ocop_hub::HubOptions;

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .new_agent()
}

fn post(url: &str, token: &str, body: &[u8]) -> (u16, Vec<u8>) {
    let mut r = agent()
        .post(&format!("{url}/v1/sync"))
        .header("Authorization", &format!("Bearer {token}"))
        .send(body)
        .unwrap();
    let status = r.status().as_u16();
    (
        status,
        r.body_mut()
            .with_config()
            .limit(1 << 26)
            .read_to_vec()
            .unwrap(),
    )
}

fn error_of(body: &[u8]) -> (String, String) {
    match message::decode(body).unwrap().head {
        Head::Error { code, message } => (code, message),
        other => panic!("expected an error message, got {other:?}"),
    }
}

fn healthy(url: &str) {
    let mut r = agent().get(&format!("{url}/v1/health")).call().unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.body_mut().read_to_string().unwrap().contains("\"ok\""));
}

/// Records the requests a device sends.
struct Recorder<'a> {
    inner: &'a mut dyn Transport,
    requests: Vec<Vec<u8>>,
}

impl Transport for Recorder<'_> {
    fn exchange(&mut self, request: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        self.requests.push(request.clone());
        self.inner.exchange(request)
    }
}

fn log_len(t: &TestHub) -> u64 {
    t.hub
        .storage()
        .log_page(0, &Scope::all(), None, 1_000_000)
        .unwrap()
        .rows
        .len() as u64
}

fn random_truncated_and_replayed_requests_are_answered_and_change_nothing_twice(backend: Backend) {
    let t = TestHub::start(backend);
    let mut a = t.device("officer-tc", Role::Officer, communes(&[TAN_CUONG]));
    for i in 0..40 {
        a.store
            .create_producer(&a.author, producer_in(TAN_CUONG, &format!("HTX số {i}")))
            .unwrap();
    }
    a.options.frame_bytes = 2048;
    let mut rec = Recorder {
        inner: &mut a.transport,
        requests: Vec::new(),
    };
    sync::sync(&a.store, "hub", &mut rec, &a.options, &()).unwrap();
    let push = rec.requests[0].clone();
    assert_eq!(log_len(&t), 40);
    let token = a.enrollment.token.clone();

    // Replayed: harmless.
    let (status, reply) = post(&t.url(), &token, &push);
    assert_eq!(status, 200);
    assert!(matches!(
        message::decode(&reply).unwrap().head,
        Head::SyncReply { .. }
    ));
    assert_eq!(log_len(&t), 40, "a replayed push adds nothing");

    // Cut inside the head: a clear 400.
    let (status, reply) = post(&t.url(), &token, &push[..6]);
    assert_eq!(status, 400);
    assert_eq!(error_of(&reply).0, "bad_request");
    // Cut inside the body: the whole frames are taken (they are already held), the rest ignored.
    for cut in [push.len() / 3, push.len() / 2, push.len() - 1] {
        let (status, _) = post(&t.url(), &token, &push[..cut]);
        assert_eq!(status, 200, "cut at {cut}");
    }
    assert_eq!(log_len(&t), 40);

    // Random bytes, with and without the magic.
    for seed in 0..20u8 {
        let mut junk: Vec<u8> = (0..300)
            .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
            .collect();
        if seed % 2 == 0 {
            junk.splice(0..0, b"OCS\x01".iter().copied());
        }
        let (status, reply) = post(&t.url(), &token, &junk);
        assert_eq!(status, 400, "seed {seed}");
        assert!(!error_of(&reply).1.is_empty());
    }

    // A well-formed message carrying bytes that are not changes: refused one by one, with a reason.
    let junk_push = message::encode(
        &Head::Sync {
            protocol: PROTOCOL,
            node: a.store.node_id(),
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
                    doc: [9; 16],
                    bytes: b"definitely not automerge".to_vec(),
                }],
            },
            Body::End {
                through: 1,
                more: false,
            },
        ],
    )
    .unwrap();
    let (status, reply) = post(&t.url(), &token, &junk_push);
    assert_eq!(status, 200);
    match message::decode(&reply).unwrap().head {
        Head::SyncReply { rejected, .. } => {
            assert_eq!(rejected.len(), 1);
            assert_eq!(
                rejected[0].reason,
                "these bytes are not an automerge change"
            );
        }
        other => panic!("{other:?}"),
    }

    // A reply message sent as a request, a request for another scope.
    let reply_as_request = message::encode(
        &Head::PhotoAck {
            offset: 0,
            complete: true,
        },
        &[],
    )
    .unwrap();
    assert_eq!(post(&t.url(), &token, &reply_as_request).0, 400);
    let wider = message::encode(
        &Head::Sync {
            protocol: PROTOCOL,
            node: NodeId([1; 16]),
            expect: None,
            cursor: 0,
            push_base: 0,
            scope: Some(province(THAI_NGUYEN)),
            max_response: 1 << 20,
        },
        &[Body::End {
            through: 0,
            more: false,
        }],
    )
    .unwrap();
    let (status, reply) = post(&t.url(), &token, &wider);
    assert_eq!(status, 403, "asking for more than the account's scope");
    assert_eq!(error_of(&reply).0, "forbidden");

    healthy(&t.url());
    assert_eq!(
        a.sync().unwrap().rejected,
        0,
        "the device syncs normally afterwards"
    );
    assert_eq!(log_len(&t), 40);
}

fn an_oversized_body_gets_413_with_a_reason_and_the_hub_keeps_serving(backend: Backend) {
    let t = TestHub::start_with(
        backend,
        HubOptions {
            max_body_bytes: 1024 * 1024,
            ..HubOptions::default()
        },
    );
    let mut a = t.device("officer-tc", Role::Officer, communes(&[TAN_CUONG]));
    let big = vec![7u8; 3 * 1024 * 1024];
    let (status, reply) = post(&t.url(), &a.enrollment.token, &big);
    assert_eq!(status, 413);
    let (code, reason) = error_of(&reply);
    assert_eq!(code, "too_large");
    assert!(reason.contains("larger than"), "{reason}");
    healthy(&t.url());
    a.sync().unwrap();
}

fn wrong_methods_and_paths_are_refused_plainly(backend: Backend) {
    let t = TestHub::start(backend);
    let r = agent().get(&format!("{}/v1/sync", t.url())).call().unwrap();
    assert_eq!(r.status().as_u16(), 405);
    let r = agent().get(&format!("{}/admin", t.url())).call().unwrap();
    assert_eq!(r.status().as_u16(), 404);
    let (status, reply) = post(&t.url(), "", b"OCS\x01");
    assert_eq!(status, 401);
    assert_eq!(error_of(&reply).0, "unauthorized");
    healthy(&t.url());
}

/// Whatever arrives, the responder over the hub's backend answers with a well-formed message and a status.
fn arbitrary_requests_never_panic_the_hub(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let (hub, _schema) = open_hub(backend, dir.path(), HubOptions::default());
    let who = Principal {
        user_id: "fuzz".into(),
        role: Role::Officer,
        scope: communes(&[TAN_CUONG]),
    };
    let mut runner =
        proptest::test_runner::TestRunner::new(proptest::prelude::ProptestConfig::with_cases(200));
    let input = (
        proptest::collection::vec(proptest::num::u8::ANY, 0..1024),
        proptest::bool::ANY,
    );
    runner
        .run(&input, |(bytes, magic)| {
            let mut request = if magic {
                b"OCS\x01".to_vec()
            } else {
                Vec::new()
            };
            request.extend(bytes);
            let reply = sync::respond(hub.backend() as &dyn SyncBackend, &who, &request);
            proptest::prop_assert!(message::decode(&reply.bytes).is_ok());
            proptest::prop_assert!(
                [200, 400, 403, 404].contains(&reply.status),
                "status {}",
                reply.status
            );
            Ok(())
        })
        .unwrap();
}

on_both_backends!(
    arbitrary_requests_never_panic_the_hub,
    random_truncated_and_replayed_requests_are_answered_and_change_nothing_twice,
    an_oversized_body_gets_413_with_a_reason_and_the_hub_keeps_serving,
    wrong_methods_and_paths_are_refused_plainly,
);
