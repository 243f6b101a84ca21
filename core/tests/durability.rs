//! Durability: a capture call returns only after its transaction is on disk.
//!
//! The test runs captures in a child process that prints `ACK <kind> <id>` after each capture call returns, kills
//! it with SIGKILL at random moments many times over, reopens the store each time, and checks that every
//! acknowledged record is there and that SQLite's `PRAGMA integrity_check` passes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use ocop_core::forms::Answer;
use ocop_core::ids::RecordId;
use ocop_core::store::{NewVisit, Store, StoreOptions};

const CHILD_ENV: &str = "OCOP_DURABILITY_CHILD_DB";

/// One round of captures: a producer, a visit, a GPS fix and answers; prints an ACK after each call returns.
fn capture_round(store: &Store, i: u64, mut ack: impl FnMut(&str, RecordId)) {
    let me = officer();
    let p = store
        .create_producer(&me, producer_in(TAN_CUONG, &format!("Hộ sản xuất {i}")))
        .unwrap();
    ack("producer", p.id);
    let v = store
        .start_visit(
            &me,
            NewVisit {
                producer: Some(p.id),
                product: None,
                form_id: "ocop_producer_product_survey".into(),
                form_version: Some(1),
                commune_code: None,
            },
        )
        .unwrap();
    ack("visit", v.id);
    store
        .add_fix(&me, v.id, fix(21.5194, 105.787, Some(5.0)))
        .unwrap();
    ack("fix", v.id);
    store
        .set_answers(
            &me,
            v.id,
            &[
                (
                    "respondent_name".into(),
                    Answer::Text(format!("Người trả lời {i}")),
                ),
                ("workers_total".into(), Answer::Integer(i as i64 % 500)),
            ],
        )
        .unwrap();
    ack("answers", v.id);
}

/// In the child process: capture forever. Run directly (no child variable), it captures a few rounds and checks
/// them, so the same code path is also an ordinary test.
#[test]
fn capture_loop() {
    match std::env::var(CHILD_ENV) {
        Ok(db) => {
            let store = Store::open(&db, StoreOptions::default()).unwrap();
            let mut out = std::io::stdout().lock();
            for i in 0.. {
                capture_round(&store, i, |kind, id| {
                    use std::io::Write;
                    writeln!(out, "ACK {kind} {id}").unwrap();
                    out.flush().unwrap();
                });
            }
        }
        Err(_) => {
            let dir = tempfile::tempdir().unwrap();
            let store = open(&dir, "a.db");
            let mut acks = Vec::new();
            for i in 0..5 {
                capture_round(&store, i, |k, id| acks.push((k.to_string(), id)));
            }
            assert_eq!(acks.len(), 20);
            check_acks(&store, &acks);
        }
    }
}

fn check_acks(store: &Store, acks: &[(String, RecordId)]) {
    for (kind, id) in acks {
        match kind.as_str() {
            "producer" => assert!(
                store.producer(*id).is_ok(),
                "acknowledged producer {id} lost"
            ),
            "visit" => assert!(store.visit(*id).is_ok(), "acknowledged visit {id} lost"),
            "fix" => assert_eq!(
                store.visit(*id).unwrap().fixes.len(),
                1,
                "acknowledged fix of {id} lost"
            ),
            "answers" => assert_eq!(
                store.visit(*id).unwrap().answers.len(),
                2,
                "acknowledged answers of {id} lost"
            ),
            other => panic!("unknown ack {other}"),
        }
    }
}

#[test]
fn acknowledged_captures_survive_sigkill_at_random_moments() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("field.db");
    let exe = std::env::current_exe().unwrap();
    let mut rng_state: u64 = 0x9e3779b97f4a7c15 ^ u64::from(std::process::id());
    let mut next = move || {
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        rng_state
    };
    let mut all_acks: Vec<(String, RecordId)> = Vec::new();
    let kills = 30;
    for round in 0..kills {
        let mut child = Command::new(&exe)
            .args(["--exact", "capture_loop", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &db)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let mut parts = line.split_whitespace();
                if parts.next() == Some("ACK")
                    && let (Some(kind), Some(id)) = (parts.next(), parts.next())
                {
                    let _ = tx.send((kind.to_string(), id.parse::<RecordId>().unwrap()));
                }
            }
        });
        // Wait for the first acknowledgement (the process is up and writing), then a random moment more.
        let first = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the child acknowledged a capture");
        all_acks.push(first);
        let wait = Duration::from_millis(next() % 400);
        let until = Instant::now() + wait;
        while Instant::now() < until {
            std::thread::sleep(Duration::from_millis(1));
        }
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        reader.join().unwrap();
        all_acks.extend(rx.try_iter());

        let store = Store::open(&db, StoreOptions::default())
            .unwrap_or_else(|e| panic!("round {round}: reopen failed: {e}"));
        store
            .integrity_check()
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        check_acks(&store, &all_acks);
    }
    assert!(
        all_acks.len() > kills,
        "captures happened between kills ({} acknowledged)",
        all_acks.len()
    );
}
