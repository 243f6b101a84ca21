//! The review pages in a real headless Chromium: a supervisor signs in, opens the queue and an officer's visit
//! (answers, photo, map), returns it with comments; the officer's phone syncs and finds the visit returned with
//! those comments. The browser is driven by `hub/tests/browser/review.cjs` (playwright-core against Debian's
//! `/usr/bin/chromium`, installed by `scripts/bootstrap.d/30-chromium.sh`). A screenshot of every page is kept
//! in `target/browser-shots/`. Without Chromium, node or playwright-core this test fails, saying what to install.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod web_fixture;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use ocop_core::identity::Role;
use ocop_core::review::{Decision, ReviewStatus};
use web_fixture::*;

fn chromium() -> PathBuf {
    let path = std::env::var_os("OCOP_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        path.exists(),
        "Chromium is missing at {} — the browser test cannot run. Install it with scripts/bootstrap.sh \
         (apt-get install chromium chromium-driver), or point OCOP_CHROMIUM at it.",
        path.display()
    );
    path
}

fn node_modules() -> PathBuf {
    let dir = std::env::var_os("OCOP_BROWSER_NODE_MODULES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/node_modules"));
    assert!(
        dir.join("playwright-core/package.json").exists(),
        "playwright-core is missing in {} — run scripts/bootstrap.sh (npm ci in hub/tests/browser).",
        dir.display()
    );
    dir
}

#[test]
fn a_supervisor_returns_a_visit_in_chromium_and_the_officer_sees_it_after_sync() {
    let chromium = chromium();
    let modules = node_modules();
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("browser-shots");
    std::fs::create_dir_all(&shots).unwrap();
    for old in std::fs::read_dir(&shots).unwrap() {
        let old = old.unwrap().path();
        if old.extension().is_some_and(|e| e == "png") {
            std::fs::remove_file(old).unwrap();
        }
    }

    // One browser run, on the embedded SQLite hub: the pages read the read model, the same on every backend,
    // and tests/web.rs covers the pages' writes on both backends.
    let mut f = field_with_visit(Backend::Sqlite);
    let code = web_code(&f.t, "sup-tn", Role::Supervisor, province(THAI_NGUYEN));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/review.cjs");
    let out = Command::new("node")
        .arg(&script)
        .current_dir(script.parent().unwrap())
        .env("NODE_PATH", &modules)
        .env("HUB_URL", f.t.url())
        .env("SIGN_IN_CODE", &code)
        .env("VISIT_ID", f.visit.to_string())
        .env("SHOTS", &shots)
        .env("CHROMIUM", &chromium)
        .output()
        .expect("node is missing — install it (Debian: nodejs, npm) via scripts/bootstrap.sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the browser run failed:\n{stdout}\n{stderr}");
    let result: serde_json::Value = serde_json::from_str(stdout.trim().lines().last().unwrap()).unwrap();
    assert_eq!(result["ok"], true);
    assert!(result["photoWidth"].as_u64().unwrap() > 0, "the photo loaded in the browser");

    for name in [
        "01-sign-in.png",
        "02-queue.png",
        "03-visit.png",
        "04-returned.png",
        "05-visit-en.png",
        "06-queue-returned-en.png",
    ] {
        let png = std::fs::read(shots.join(name)).unwrap();
        assert!(png.starts_with(b"\x89PNG") && png.len() > 5_000, "{name} is a real screenshot");
    }

    // The officer's phone syncs and finds the visit returned, with both comments, from the supervisor.
    f.officer.sync().unwrap();
    let returned = f.officer.store.returned_to("officer-tc").unwrap();
    let r = returned
        .iter()
        .find(|r| r.record == f.visit)
        .expect("the visit is returned to its collector");
    assert_eq!(r.review.decision, Decision::Returned);
    assert_eq!(r.review.reviewer, "sup-tn");
    assert_eq!(r.review.comment, "Ảnh bao bì bị mờ, chụp lại giúp.");
    let field = result["field"].as_str().unwrap();
    assert_eq!(
        r.review.field_comments.get(field).map(String::as_str),
        Some("Kiểm tra lại câu trả lời này.")
    );
    assert_eq!(
        f.officer.store.review_status(f.visit).unwrap().status,
        ReviewStatus::Returned
    );
}
