//! The README's main command: `ocop demo` runs the week's story on a real hub and every device converges.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

#[test]
fn the_demo_runs_the_week_and_every_device_converges_with_the_hub() {
    let out = Command::new(env!("CARGO_BIN_EXE_ocop"))
        .args(["demo", "--json", "--seed", "11"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ocop demo failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let devices = report["convergence"]["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 4, "two officers, a union staffer, a supervisor");
    for d in devices {
        assert_eq!(d["same_heads"], true, "{d}");
        assert_eq!(d["same_projections"], true, "{d}");
        assert_eq!(d["documents"], d["in_scope_on_hub"], "{d}");
    }
    assert!(
        report["syncs"].as_array().unwrap().len() >= 6,
        "hub syncs, a phone-to-phone sync and a bundle"
    );
    let conflicts = report["conflicts"].as_array().unwrap();
    assert!(
        conflicts.iter().any(|c| c["path"] == "phone"),
        "the concurrent phone edit is shown to a person"
    );
}
