//! The demo's report: text for people, JSON for machines.

use std::path::Path;
use std::time::Duration;

use ocop_core::store::ConflictInfo;
use ocop_core::sync::SyncReport;
use ocop_core::sync::bundle::BundleReport;
use ocop_core::sync::link::LinkProfile;
use serde::Serialize;

use super::hub::{Convergence, DemoHub};
use super::scenario::{CaptureLine, Device};

/// One sync (device ↔ hub, device ↔ device, or a file bundle).
#[derive(Debug, Clone, Serialize)]
pub struct SyncLine {
    pub day: u32,
    pub device: String,
    pub with: String,
    pub round_trips: u32,
    pub bytes_up: u64,
    pub bytes_down: u64,
    pub changes_up: u64,
    pub changes_down: u64,
    pub documents_up: u64,
    pub documents_down: u64,
    pub photos_up: u64,
    pub photo_bytes_up: u64,
    pub conflicts_surfaced: usize,
    pub rejected: u64,
    /// Time the exchange would take on the simulated link (transfer + round trips), seconds.
    pub link_seconds: f64,
}

impl SyncLine {
    pub fn from_report(
        day: u32,
        device: &str,
        with: &str,
        r: &SyncReport,
        network: Duration,
    ) -> Self {
        Self {
            day,
            device: device.into(),
            with: with.into(),
            round_trips: r.round_trips,
            bytes_up: r.bytes_up,
            bytes_down: r.bytes_down,
            changes_up: r.changes_sent,
            changes_down: r.changes_received,
            documents_up: r.documents_sent,
            documents_down: r.documents_received,
            photos_up: r.photos_sent,
            photo_bytes_up: r.photo_bytes_sent,
            conflicts_surfaced: r.conflicts_surfaced.len(),
            rejected: r.rejected,
            link_seconds: network.as_secs_f64(),
        }
    }

    pub fn bundle(
        day: u32,
        from: &str,
        to: &str,
        written: &BundleReport,
        imported: &BundleReport,
    ) -> Self {
        Self {
            day,
            device: to.into(),
            with: format!("file bundle from {from}"),
            round_trips: 0,
            bytes_up: 0,
            bytes_down: written.bytes,
            changes_up: 0,
            changes_down: imported.changes,
            documents_up: 0,
            documents_down: imported.documents,
            photos_up: 0,
            photo_bytes_up: 0,
            conflicts_surfaced: imported.conflicts_surfaced.len(),
            rejected: 0,
            link_seconds: 0.0,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct LinkInfo {
    pub kbit_per_second: f64,
    pub rtt_ms: u128,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeviceInfo {
    pub name: String,
    pub user: String,
    pub role: String,
    pub scope: ocop_core::sync::Scope,
}

#[derive(Debug, Clone, Serialize)]
pub struct DemoReport {
    pub hub: String,
    pub link: LinkInfo,
    pub devices: Vec<DeviceInfo>,
    pub captures: Vec<CaptureLine>,
    pub syncs: Vec<SyncLine>,
    pub conflicts: Vec<ConflictInfo>,
    pub resolved: Vec<ConflictInfo>,
    pub convergence: Convergence,
    pub kept_in: Option<String>,
}

impl DemoReport {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        hub: &DemoHub,
        devices: &[Device],
        profile: LinkProfile,
        captures: Vec<CaptureLine>,
        syncs: Vec<SyncLine>,
        conflicts: Vec<ConflictInfo>,
        resolved: Vec<ConflictInfo>,
        convergence: Convergence,
        kept: Option<&Path>,
    ) -> Self {
        Self {
            hub: hub.describe(),
            link: LinkInfo {
                kbit_per_second: profile.bits_per_second / 1000.0,
                rtt_ms: profile.rtt.as_millis(),
            },
            devices: devices
                .iter()
                .map(|d| DeviceInfo {
                    name: d.name.clone(),
                    user: d.author.name.clone(),
                    role: d.author.role.as_str().into(),
                    scope: d.scope.clone(),
                })
                .collect(),
            captures,
            syncs,
            conflicts,
            resolved,
            convergence,
            kept_in: kept.map(|p| p.display().to_string()),
        }
    }

    pub fn converged(&self) -> bool {
        self.convergence.ok
    }

    pub fn print(&self) {
        println!("OCOP Field demo — a week of field work in Thái Nguyên");
        println!(
            "hub: {}; link: {:.0} kbit/s, {} ms round trip\n",
            self.hub, self.link.kbit_per_second, self.link.rtt_ms
        );
        println!("People");
        for d in &self.devices {
            let scope = if d.scope.provinces.is_empty() {
                format!("communes {}", d.scope.communes.join(", "))
            } else {
                format!("province {}", d.scope.provinces.join(", "))
            };
            println!("  {:<18} {} ({}), {}", d.name, d.user, d.role, scope);
        }
        println!("\nWork done offline");
        for c in &self.captures {
            println!("  day {}  {:<18} {}", c.day, c.device, c.what);
        }
        println!("\nSyncs");
        println!(
            "  {:>3} {:<18} {:<32} {:>3} {:>9} {:>9} {:>7} {:>7} {:>6} {:>9} {:>4}",
            "day",
            "device",
            "with",
            "rt",
            "bytes up",
            "down",
            "chg up",
            "down",
            "photos",
            "link s",
            "cfl"
        );
        for s in &self.syncs {
            println!(
                "  {:>3} {:<18} {:<32} {:>3} {:>9} {:>9} {:>7} {:>7} {:>6} {:>9.1} {:>4}",
                s.day,
                s.device,
                s.with,
                s.round_trips,
                s.bytes_up,
                s.bytes_down,
                s.changes_up,
                s.changes_down,
                s.photos_up,
                s.link_seconds,
                s.conflicts_surfaced
            );
        }
        println!("\nConflicts shown to a person");
        if self.conflicts.is_empty() {
            println!("  none");
        }
        for c in &self.conflicts {
            println!("  {} of {}:", c.path, c.doc_id);
            for v in &c.values {
                let who = v.author.as_ref().map_or("unknown".to_string(), |a| {
                    format!("{} ({})", a.name, a.role.as_str())
                });
                println!("    {} — by {}", v.value, who);
            }
        }
        for c in &self.resolved {
            println!(
                "  resolved by the supervisor: {} of {} (kept the union staffer's value)",
                c.path, c.doc_id
            );
        }
        println!(
            "\nConvergence (every device against the hub: same documents, same heads, same projections)"
        );
        for d in &self.convergence.devices {
            let status = if d.problems.is_empty() {
                "ok"
            } else {
                "DIVERGED"
            };
            println!(
                "  {:<18} {:>4} documents ({} in scope on the hub)  {}",
                d.device, d.documents, d.in_scope_on_hub, status
            );
            for p in &d.problems {
                println!("      {p}");
            }
        }
        println!(
            "\n{}",
            if self.convergence.ok {
                "All devices converged."
            } else {
                "NOT CONVERGED."
            }
        );
        if let Some(dir) = &self.kept_in {
            println!("Stores kept in {dir}");
        }
    }
}
