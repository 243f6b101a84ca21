//! Scope: each device receives the records of its communes (a supervisor: its province), records moved between
//! communes move between scopes with their history, and a push outside the scope is refused with a reason the
//! device keeps showing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::*;
use ocop_core::identity::Role;
use ocop_core::ids::RecordId;
use ocop_core::records::ProducerPatch;
use ocop_core::store::{ProducerFilter, Store};
use ocop_core::sync::RecordSyncState;

fn names(store: &Store) -> Vec<String> {
    let mut n: Vec<String> = store
        .list_producers(&ProducerFilter {
            include_inactive: true,
            limit: 1000,
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    n.sort();
    n
}

fn changes_of(store: &Store, id: RecordId) -> usize {
    store
        .log_since(0, 100_000)
        .unwrap()
        .iter()
        .filter(|e| e.doc_id == id)
        .count()
}

fn each_device_receives_only_the_records_of_its_scope(backend: Backend) {
    let t = TestHub::start(backend);
    let mut tan_cuong = t.device("officer-tc", Role::Officer, communes(&[TAN_CUONG]));
    let mut tich_luong = t.device("officer-tl", Role::Officer, communes(&[TICH_LUONG]));
    let mut bat_trang = t.device("union-bt", Role::UnionStaff, communes(&[BAT_TRANG]));
    let mut supervisor = t.device("sup-tn", Role::Supervisor, province(THAI_NGUYEN));

    for (d, commune, name) in [
        (&tan_cuong, TAN_CUONG, "HTX Chè Tân Cương"),
        (&tich_luong, TICH_LUONG, "HTX Rau Tích Lương"),
        (&bat_trang, BAT_TRANG, "CSSX Gốm Bát Tràng"),
    ] {
        d.store
            .create_producer(&d.author, producer_in(commune, name))
            .unwrap();
    }
    for d in [
        &mut tan_cuong,
        &mut tich_luong,
        &mut bat_trang,
        &mut supervisor,
    ] {
        d.sync().unwrap();
    }
    for d in [&mut tan_cuong, &mut tich_luong, &mut bat_trang] {
        let again = d.sync().unwrap();
        assert_eq!(
            again.changes_received, 0,
            "nothing of another commune arrives"
        );
    }
    assert_eq!(names(&tan_cuong.store), ["HTX Chè Tân Cương"]);
    assert_eq!(names(&tich_luong.store), ["HTX Rau Tích Lương"]);
    assert_eq!(names(&bat_trang.store), ["CSSX Gốm Bát Tràng"]);
    assert_eq!(
        names(&supervisor.store),
        ["HTX Chè Tân Cương", "HTX Rau Tích Lương"],
        "the province supervisor gets both communes of Thái Nguyên and nothing of Hà Nội"
    );
}

fn a_record_moved_to_another_commune_arrives_there_with_its_history_and_the_old_commune_sees_the_move(
    backend: Backend,
) {
    let t = TestHub::start(backend);
    let mut from = t.device("officer-tc", Role::Officer, communes(&[TAN_CUONG]));
    let mut to = t.device("officer-tl", Role::Officer, communes(&[TICH_LUONG]));
    let mut supervisor = t.device("sup-tn", Role::Supervisor, province(THAI_NGUYEN));

    let p = from
        .store
        .create_producer(&from.author, producer_in(TAN_CUONG, "HTX Chè Tân Cương"))
        .unwrap();
    for members in [11, 12, 13] {
        let patch = ProducerPatch {
            members: Some(Some(members)),
            ..Default::default()
        };
        from.store
            .update_producer(&from.author, p.id, patch)
            .unwrap();
    }
    from.sync().unwrap();
    supervisor.sync().unwrap();
    assert_eq!(to.sync().unwrap().changes_received, 0);

    // The supervisor finds the cooperative is registered in the wrong commune and moves it.
    let moved = ProducerPatch {
        address: Some(
            supervisor
                .store
                .address_in(TICH_LUONG, "Xóm Đồng", "")
                .unwrap(),
        ),
        ..Default::default()
    };
    supervisor
        .store
        .update_producer(&supervisor.author, p.id, moved)
        .unwrap();
    supervisor.sync().unwrap();

    let arrived = to.sync().unwrap();
    assert_eq!(
        arrived.changes_received, 5,
        "the whole history: creation, three edits, the move"
    );
    let there = to.store.producer(p.id).unwrap();
    assert_eq!(there.address.commune.code, TICH_LUONG);
    assert_eq!(there.members, Some(13));
    assert_eq!(
        to.store.heads(p.id).unwrap(),
        supervisor.store.heads(p.id).unwrap()
    );

    from.sync().unwrap();
    let gone = from.store.producer(p.id).unwrap();
    assert_eq!(
        gone.address.commune.code, TICH_LUONG,
        "the old commune sees the move"
    );
    assert_eq!(changes_of(&from.store, p.id), 5);

    // From now on the record lives in Tích Lương: its edits no longer reach Tân Cương.
    let patch = ProducerPatch {
        members: Some(Some(40)),
        ..Default::default()
    };
    to.store.update_producer(&to.author, p.id, patch).unwrap();
    to.sync().unwrap();
    assert_eq!(from.sync().unwrap().changes_received, 0);
    assert_eq!(from.store.producer(p.id).unwrap().members, Some(13));
    supervisor.sync().unwrap();
    assert_eq!(supervisor.store.producer(p.id).unwrap().members, Some(40));
}

fn an_officer_may_hand_a_record_over_but_not_pull_one_in(backend: Backend) {
    let t = TestHub::start(backend);
    let mut a = t.device("officer-tc", Role::Officer, communes(&[TAN_CUONG]));
    let mut b = t.device("officer-tl", Role::Officer, communes(&[TICH_LUONG]));
    let p = a
        .store
        .create_producer(&a.author, producer_in(TAN_CUONG, "HTX Miến Dong"))
        .unwrap();
    let hand_over = ProducerPatch {
        address: Some(a.store.address_in(TICH_LUONG, "Xóm 2", "").unwrap()),
        ..Default::default()
    };
    a.store.update_producer(&a.author, p.id, hand_over).unwrap();
    assert_eq!(
        a.sync().unwrap().rejected,
        0,
        "moving one's own record out is allowed"
    );
    assert_eq!(b.sync().unwrap().changes_received, 2);

    // Officer A, still holding the record, edits it: it is Tích Lương's now.
    let late = ProducerPatch {
        members: Some(Some(30)),
        ..Default::default()
    };
    a.store.update_producer(&a.author, p.id, late).unwrap();
    assert_eq!(a.sync().unwrap().rejected, 1);
    match a.store.sync_state(p.id).unwrap() {
        RecordSyncState::Rejected { reason } => assert!(reason.contains(TICH_LUONG), "{reason}"),
        other => panic!("expected rejected, got {other:?}"),
    }
}

fn a_push_outside_the_scope_is_refused_with_a_reason_and_stays_visible_as_rejected(
    backend: Backend,
) {
    let t = TestHub::start(backend);
    let mut a = t.device("officer-tc", Role::Officer, communes(&[TAN_CUONG]));
    let mut b = t.device("officer-tl", Role::Officer, communes(&[TICH_LUONG]));
    let mut supervisor = t.device("sup-tn", Role::Supervisor, province(THAI_NGUYEN));
    let mine = a
        .store
        .create_producer(&a.author, producer_in(TAN_CUONG, "HTX Chè Tân Cương"))
        .unwrap();
    let theirs = a
        .store
        .create_producer(&a.author, producer_in(TICH_LUONG, "HTX Rau Tích Lương"))
        .unwrap();

    let report = a.sync().unwrap();
    assert_eq!(report.rejected, 1);
    assert_eq!(
        a.store.sync_state(mine.id).unwrap(),
        RecordSyncState::Synced
    );
    match a.store.sync_state(theirs.id).unwrap() {
        RecordSyncState::Rejected { reason } => {
            assert_eq!(
                reason,
                format!(
                    "commune {TICH_LUONG} is outside your scope; you may not create producer records there"
                )
            );
        }
        other => panic!("expected rejected, got {other:?}"),
    }
    assert_eq!(
        a.store.producer(theirs.id).unwrap().name,
        "HTX Rau Tích Lương",
        "the device keeps the record"
    );

    // Later edits of the refused record build on a change the hub does not have: refused too, with that reason.
    let patch = ProducerPatch {
        members: Some(Some(50)),
        ..Default::default()
    };
    a.store
        .update_producer(&a.author, theirs.id, patch)
        .unwrap();
    assert_eq!(a.sync().unwrap().rejected, 1);
    let reasons: Vec<String> = a
        .store
        .rejections()
        .unwrap()
        .into_iter()
        .map(|r| r.2)
        .collect();
    assert!(
        reasons.iter().any(|r| r.contains("does not have")),
        "{reasons:?}"
    );

    // Nobody receives it.
    assert_eq!(b.sync().unwrap().changes_received, 0);
    supervisor.sync().unwrap();
    assert_eq!(names(&supervisor.store), ["HTX Chè Tân Cương"]);
}

on_both_backends!(
    each_device_receives_only_the_records_of_its_scope,
    a_record_moved_to_another_commune_arrives_there_with_its_history_and_the_old_commune_sees_the_move,
    an_officer_may_hand_a_record_over_but_not_pull_one_in,
    a_push_outside_the_scope_is_refused_with_a_reason_and_stays_visible_as_rejected,
);
