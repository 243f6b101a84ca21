//! Enrollment and authentication over HTTP: codes work once and expire, tokens are checked on every request,
//! revocation is immediate, and the hub's database never holds a code or a token in the clear.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use std::time::Duration;

use common::*;
use ocop_core::identity::Role;
use ocop_core::sync::http::{HttpTransport, enroll};
use ocop_core::sync::{SyncError, Transport, TransportError};
use ocop_hub::{Account, HubOptions};

fn account(user: &str) -> Account {
    Account {
        user_id: user.into(),
        display_name: "Nguyễn Văn An".into(),
        role: Role::Officer,
        scope: communes(&[TAN_CUONG]),
    }
}

fn refused_reason(e: ocop_core::Error) -> String {
    match e {
        ocop_core::Error::Sync(SyncError::Transport(TransportError::Unauthorized(r))) => r,
        other => panic!("expected an authorization refusal, got {other:?}"),
    }
}

fn an_enrollment_code_works_once_and_gives_the_account_it_was_issued_for(backend: Backend) {
    let t = TestHub::start(backend);
    let issued = t.hub.enroll(account("officer-tn-01")).unwrap();
    let got = enroll(&t.url(), &issued.code.to_lowercase(), "Samsung A15").unwrap();
    assert_eq!(got.user_id, "officer-tn-01");
    assert_eq!(got.role, Role::Officer);
    assert_eq!(got.scope, communes(&[TAN_CUONG]));
    assert_eq!(got.hub_node, t.hub.node_id().unwrap().to_hex());
    assert_eq!(got.token.len(), 64);

    let again = enroll(&t.url(), &issued.code, "another phone").unwrap_err();
    assert!(refused_reason(again).contains("already used"));
    let unknown = enroll(&t.url(), "AAAA-BBBB-CCCC", "phone").unwrap_err();
    assert!(refused_reason(unknown).contains("not valid"));

    let devices = t.hub.list_devices().unwrap();
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].device_name, "Samsung A15");
}

fn an_expired_enrollment_code_is_refused(backend: Backend) {
    let t = TestHub::start_with(
        backend,
        HubOptions {
            enrollment_validity: Duration::from_millis(1),
            ..HubOptions::default()
        },
    );
    let issued = t.hub.enroll(account("officer-late")).unwrap();
    std::thread::sleep(Duration::from_millis(20));
    let e = enroll(&t.url(), &issued.code, "phone").unwrap_err();
    assert!(refused_reason(e).contains("expired"));
    assert!(t.hub.list_devices().unwrap().is_empty());
}

fn malformed_enrollment_requests_get_400_with_a_reason(backend: Backend) {
    let t = TestHub::start(backend);
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let mut r = agent
        .post(&format!("{}/v1/enroll", t.url()))
        .send(&b"{not json"[..])
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.body_mut().read_to_string().unwrap().contains("error"));
    let issued = t.hub.enroll(account("officer-x")).unwrap();
    let body = serde_json::json!({"code": issued.code, "device_name": ""}).to_string();
    let r = agent
        .post(&format!("{}/v1/enroll", t.url()))
        .send(body.as_bytes())
        .unwrap();
    assert_eq!(r.status().as_u16(), 400, "an empty device name is refused");
    // The refused attempt did not use the code up.
    enroll(&t.url(), &issued.code, "phone").unwrap();
}

fn sync_requires_a_valid_unrevoked_token(backend: Backend) {
    let t = TestHub::start(backend);
    let mut device = t.device("officer-tn-01", Role::Officer, communes(&[TAN_CUONG]));
    device.sync().unwrap();

    let request = b"OCS\x01".to_vec();
    for token in ["", "not-a-token", &"0".repeat(64)] {
        let mut bad = HttpTransport::new(t.url(), token, Duration::from_secs(5));
        let e = bad.exchange(request.clone()).unwrap_err();
        assert!(
            matches!(e, TransportError::Unauthorized(_)),
            "token {token:?}: {e:?}"
        );
    }

    assert!(t.hub.revoke(&device.enrollment.device_id).unwrap());
    let e = device.sync().unwrap_err();
    match e {
        ocop_core::Error::Sync(SyncError::Transport(TransportError::Unauthorized(reason))) => {
            assert!(reason.contains("revoked"), "{reason}");
        }
        other => panic!("a revoked device must get 401, got {other:?}"),
    }
    assert!(
        !t.hub.revoke(&device.enrollment.device_id).unwrap(),
        "already revoked"
    );
    let listed = t.hub.list_devices().unwrap();
    assert!(listed[0].revoked_at.is_some());
}

fn revoking_a_user_revokes_all_their_devices_only(backend: Backend) {
    let t = TestHub::start(backend);
    let mut a1 = t.device("officer-a", Role::Officer, communes(&[TAN_CUONG]));
    let mut a2 = t.device("officer-a", Role::Officer, communes(&[TAN_CUONG]));
    let mut b = t.device("officer-b", Role::Officer, communes(&[TICH_LUONG]));
    assert_eq!(t.hub.revoke_user("officer-a").unwrap(), 2);
    assert!(a1.sync().is_err());
    assert!(a2.sync().is_err());
    b.sync().unwrap();
}

fn codes_and_tokens_are_stored_only_as_hashes(backend: Backend) {
    let t = TestHub::start(backend);
    let issued = t.hub.enroll(account("officer-tn-01")).unwrap();
    let got = enroll(&t.url(), &issued.code, "phone").unwrap();
    // Everything the hub wrote: the SQLite database and its write-ahead log, or every row in PostgreSQL.
    let bytes = t.stored_bytes();
    assert!(bytes.len() > 200, "the dump holds the hub's rows");
    let contains = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(
        !contains(got.token.as_bytes()),
        "the raw token is in the database"
    );
    let code = ocop_hub::auth::normalize_code(&issued.code);
    assert!(
        !contains(code.as_bytes()),
        "the raw code is in the database"
    );
    assert!(!contains(issued.code.as_bytes()));
    assert!(
        contains(ocop_hub::auth::token_hash(&got.token).as_bytes()),
        "the hash is"
    );
}

on_both_backends!(
    an_enrollment_code_works_once_and_gives_the_account_it_was_issued_for,
    an_expired_enrollment_code_is_refused,
    malformed_enrollment_requests_get_400_with_a_reason,
    sync_requires_a_valid_unrevoked_token,
    revoking_a_user_revokes_all_their_devices_only,
    codes_and_tokens_are_stored_only_as_hashes,
);
