//! A frame of many documents (the hub works on its documents several at a time): the hub's log and its
//! rejections come out in the order the device sent the entries, each document's changes in their own order; a
//! repeated frame stores nothing twice.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use automerge::AutoCommit;
use common::*;
use ocop_core::identity::{Author, Role};
use ocop_core::records::ProducerPatch;
use ocop_core::store::{Store, StoreOptions};
use ocop_core::sync::message::{Entry, NodeId};
use ocop_core::sync::{Principal, SyncBackend};
use ocop_hub::HubOptions;

/// Each document's changes, oldest first, as a device would push them.
fn changes_of(store: &Store, id: ocop_core::ids::RecordId) -> Vec<Entry> {
    let mut doc = AutoCommit::load(&store.export_document(id).unwrap()).unwrap();
    let uuid = uuid::Uuid::parse_str(&id.to_string()).unwrap();
    doc.get_changes(&[])
        .into_iter()
        .map(|c| Entry {
            doc: *uuid.as_bytes(),
            bytes: c.raw_bytes().to_vec(),
        })
        .collect()
}

fn a_frame_of_many_documents_is_stored_in_the_order_it_was_sent(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let device = Store::open(dir.path().join("device.db"), StoreOptions::default()).unwrap();
    let me = Author::new("officer-tc", "An", Role::Officer);
    let mut per_doc = Vec::new();
    for i in 0..24 {
        let p = device
            .create_producer(&me, producer_in(TAN_CUONG, &format!("HTX chè {i}")))
            .unwrap();
        device
            .update_producer(
                &me,
                p.id,
                ProducerPatch {
                    members: Some(Some(20 + i)),
                    ..Default::default()
                },
            )
            .unwrap();
        let changes = changes_of(&device, p.id);
        assert_eq!(changes.len(), 2, "a creation and an edit");
        per_doc.push(changes);
    }

    // Every document's creation, then every edit — interleaved across documents — with a few bad entries.
    let mut frame: Vec<Entry> = Vec::new();
    let mut refused_docs = Vec::new();
    for (i, changes) in per_doc.iter().enumerate() {
        if i == 7 {
            continue; // document 7's creation is never sent: its edit must be refused
        }
        frame.push(changes[0].clone());
        if i == 5 {
            frame.push(Entry {
                doc: changes[0].doc,
                bytes: b"not a change".to_vec(),
            });
            refused_docs.push(changes[0].doc);
        }
        if i == 9 {
            frame.push(changes[0].clone()); // a repeat inside the frame
        }
    }
    for (i, changes) in per_doc.iter().enumerate() {
        frame.push(changes[1].clone());
        if i == 7 {
            refused_docs.push(changes[1].doc);
        }
    }

    let (hub, _schema) = open_hub(backend, &dir.path().join("hub"), HubOptions::default());
    let who = Principal {
        user_id: me.user_id.clone(),
        role: Role::Officer,
        scope: communes(&[TAN_CUONG]),
    };
    let peer = NodeId([7; 16]);
    let backend: &dyn SyncBackend = hub.backend();
    let rejected = backend.ingest(&who, peer, frame.clone(), 48).unwrap();
    assert_eq!(
        rejected.iter().map(|r| r.doc).collect::<Vec<_>>(),
        refused_docs,
        "the junk entry of document 5, then document 7's orphan edit, in frame order"
    );
    assert!(rejected[0].reason.contains("not an automerge change"));
    assert!(rejected[1].reason.contains("does not have"));

    // The log holds the accepted entries in frame order (repeat and refused ones left out).
    let log = hub
        .storage()
        .log_page(0, &communes(&[TAN_CUONG]), None, 1000)
        .unwrap();
    let mut expected: Vec<&Entry> = Vec::new();
    for e in &frame {
        let refused = e.bytes == b"not a change"
            || (e.doc == per_doc[7][1].doc && e.bytes == per_doc[7][1].bytes);
        if !refused && !expected.iter().any(|x| x.bytes == e.bytes) {
            expected.push(e);
        }
    }
    assert_eq!(log.rows.len(), 23 * 2);
    assert_eq!(expected.len(), log.rows.len());
    for (row, e) in log.rows.iter().zip(&expected) {
        assert_eq!(row.doc.as_bytes(), &e.doc);
        assert_eq!(row.bytes, e.bytes);
    }
    assert_eq!(backend.received_from(peer).unwrap(), 48);

    // The same frame again: nothing new is stored; the same entries are refused for the same reasons.
    let again = backend.ingest(&who, peer, frame, 48).unwrap();
    assert_eq!(again, rejected);
    let log_after = hub
        .storage()
        .log_page(0, &communes(&[TAN_CUONG]), None, 1000)
        .unwrap();
    assert_eq!(log_after.rows.len(), log.rows.len());

    // Document 7's creation arrives later; its edit is then accepted.
    let late = vec![per_doc[7][0].clone(), per_doc[7][1].clone()];
    assert!(backend.ingest(&who, peer, late, 50).unwrap().is_empty());
    let meta = hub
        .storage()
        .document(uuid::Uuid::from_bytes(per_doc[7][0].doc))
        .unwrap()
        .unwrap();
    assert_eq!(meta.changes, 2);
}

on_both_backends!(a_frame_of_many_documents_is_stored_in_the_order_it_was_sent);
