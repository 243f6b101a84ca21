//! Photos through the hub: uploads resume where the hub stands after an interruption, damaged uploads fail the
//! hash check and are not kept, and only supervisors fetch photos, only within their scope.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::*;
use ocop_core::identity::Role;
use ocop_core::sync::message::{self, Body, Head};
use ocop_core::sync::{self, SyncError, Transport, TransportError};
use ocop_hub::storage::PhotoHeld;

fn an_interrupted_upload_resumes_from_what_the_hub_holds_not_from_zero(backend: Backend) {
    let t = TestHub::start(backend);
    let mut a = t.device("officer-tc", Role::Officer, communes(&[TAN_CUONG]));
    let (hash, len) = visit_with_photo(&a, TAN_CUONG, 3);
    a.options.photo_chunk_bytes = 4 * 1024;
    assert!(
        len > 5 * 4 * 1024,
        "the photo takes several chunks ({len} bytes)"
    );

    // Exchange 1 is the document sync; the reply to the fourth chunk (exchange 5) is lost.
    let mut flaky = LosesAReply {
        inner: &mut a.transport,
        count: 0,
        lose: 5,
    };
    let cut = sync::sync(&a.store, "hub", &mut flaky, &a.options, &());
    assert!(cut.is_err());
    let held = match t.hub.storage().photo_held(&hash).unwrap() {
        PhotoHeld::Partial(n) => n,
        other => panic!("expected a partial photo, got {other:?}"),
    };
    assert_eq!(held, 4 * 4 * 1024, "the hub kept every chunk it received");

    let resumed = a.sync().unwrap();
    assert_eq!(resumed.photos_sent, 1);
    assert_eq!(
        resumed.photo_bytes_sent,
        len - held,
        "only the rest is sent, from the hub's offset"
    );
    assert_eq!(
        t.hub.storage().photo_held(&hash).unwrap(),
        PhotoHeld::Complete(len)
    );
    assert_eq!(a.sync().unwrap().photos_sent, 0, "nothing left to send");
}

fn put(hash: &str, offset: u64, total: u64, data: Vec<u8>) -> Vec<u8> {
    message::encode(
        &Head::PhotoPut {
            hash: hash.into(),
            offset,
            total,
        },
        &[Body::Data(data)],
    )
    .unwrap()
}

fn refusal(reply: &[u8]) -> (String, String) {
    match message::decode(reply).unwrap().head {
        Head::Error { code, message } => (code, message),
        other => panic!("expected an error message, got {other:?}"),
    }
}

fn a_damaged_upload_fails_the_hash_check_and_is_not_kept(backend: Backend) {
    let t = TestHub::start(backend);
    let mut a = t.device("officer-tc", Role::Officer, communes(&[TAN_CUONG]));
    let (hash, len) = visit_with_photo(&a, TAN_CUONG, 5);
    a.options.upload_photos = false;
    a.sync().unwrap();

    let mut bytes = a.store.photos().read_all(&hash).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    let reply = a.transport.exchange(put(&hash, 0, len, bytes)).unwrap();
    let (code, reason) = refusal(&reply);
    assert_eq!(code, "bad_request");
    assert!(reason.contains("does not match its hash"), "{reason}");
    assert_eq!(
        t.hub.storage().photo_held(&hash).unwrap(),
        PhotoHeld::Partial(0),
        "the damaged bytes were discarded"
    );

    a.options.upload_photos = true;
    assert_eq!(a.sync().unwrap().photos_sent, 1);
    assert_eq!(
        t.hub.storage().photo_held(&hash).unwrap(),
        PhotoHeld::Complete(len)
    );
}

fn nobody_uploads_a_photo_that_no_record_of_their_scope_refers_to(backend: Backend) {
    let t = TestHub::start(backend);
    let mut a = t.device("officer-tc", Role::Officer, communes(&[TAN_CUONG]));
    let mut b = t.device("officer-tl", Role::Officer, communes(&[TICH_LUONG]));
    let (hash, len) = visit_with_photo(&a, TAN_CUONG, 7);
    a.options.upload_photos = false;
    a.sync().unwrap();
    let e = b
        .transport
        .exchange(put(&hash, 0, len, vec![0xFF; 100]))
        .unwrap_err();
    assert!(matches!(e, TransportError::Forbidden(_)), "{e:?}");
    let stranger = "ab".repeat(32);
    let e = a
        .transport
        .exchange(put(&stranger, 0, 10, vec![0xFF; 10]))
        .unwrap_err();
    assert!(matches!(e, TransportError::Forbidden(_)), "{e:?}");
}

fn only_supervisors_fetch_photos_and_only_within_their_scope(backend: Backend) {
    let t = TestHub::start(backend);
    let mut a = t.device("officer-tc", Role::Officer, communes(&[TAN_CUONG]));
    let (hash, len) = visit_with_photo(&a, TAN_CUONG, 9);
    assert_eq!(a.sync().unwrap().photos_sent, 1);

    let mut supervisor = t.device("sup-tn", Role::Supervisor, province(THAI_NGUYEN));
    supervisor.sync().unwrap();
    assert_eq!(
        sync::fetch_photo(
            &supervisor.store,
            &mut supervisor.transport,
            &hash,
            32 * 1024
        )
        .unwrap(),
        len
    );
    assert_eq!(
        supervisor.store.photos().read_all(&hash).unwrap(),
        a.store.photos().read_all(&hash).unwrap()
    );

    let forbidden = |e: ocop_core::Error| {
        matches!(
            e,
            ocop_core::Error::Sync(SyncError::Transport(TransportError::Forbidden(_)))
        )
    };
    let mut hanoi = t.device("sup-hn", Role::Supervisor, province("01"));
    let e = sync::fetch_photo(&hanoi.store, &mut hanoi.transport, &hash, 32 * 1024).unwrap_err();
    assert!(forbidden(e), "a supervisor of another province");
    let mut colleague = t.device("officer-tc-2", Role::Officer, communes(&[TAN_CUONG]));
    let e = sync::fetch_photo(&colleague.store, &mut colleague.transport, &hash, 32 * 1024)
        .unwrap_err();
    assert!(forbidden(e), "an officer, even in scope");
}

on_both_backends!(
    an_interrupted_upload_resumes_from_what_the_hub_holds_not_from_zero,
    a_damaged_upload_fails_the_hash_check_and_is_not_kept,
    nobody_uploads_a_photo_that_no_record_of_their_scope_refers_to,
    only_supervisors_fetch_photos_and_only_within_their_scope,
);
