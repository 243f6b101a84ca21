//! `ocop demo`: a week of offline field work in Thái Nguyên, synced through a hub over a slow link.
//!
//! Four people — two extension officers, a Women's Union staffer and a district supervisor — each with a phone.
//! Day 0 they sync at the office. Days 1–5 they work offline: registrations, visits with GPS and photos, and the
//! officer and the union staffer edit the same producer (the same phone field: a real conflict; different count
//! fields: a merge). Day 6 they come back in a random order over a slow link; the supervisor also syncs phone to
//! phone with an officer in the commune hall, and receives the union staffer's work as a file bundle sent over
//! Zalo. Day 7 the supervisor resolves the conflict and everyone syncs again. The demo then checks that every
//! device and the hub hold the same documents (same heads) and the same projections, and exits non-zero if not.

mod hub;
mod report;
mod scenario;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use ocop_core::doc::Resolution;
use ocop_core::sample::Sampler;
use ocop_core::sync::bundle::{import_bundle, write_bundle};
use ocop_core::sync::link::LinkProfile;
use ocop_core::sync::{self, SyncOptions};
use report::{DemoReport, SyncLine};
use scenario::{BA_BE, CaptureLine, Device, TAN_CUONG};

/// Options of `ocop demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Print the report as JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Seed for the generated data and the sync order.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Keep the devices' stores and the hub's data in this folder (default: a temporary folder, removed after).
    #[arg(long)]
    pub keep: Option<PathBuf>,
}

/// Runs the demo; exit status 0 when everything converged, 1 when not.
pub fn run(args: &DemoArgs) -> Result<ExitCode> {
    let temp = tempfile::tempdir().context("creating a temporary folder")?;
    let dir = match &args.keep {
        Some(d) => {
            std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
            d.clone()
        }
        None => temp.path().to_path_buf(),
    };
    let photo_dir = dir.join("camera");
    std::fs::create_dir_all(&photo_dir)?;
    let profile = LinkProfile::SLOW_3G;
    let hub = hub::DemoHub::start(&dir.join("hub"))?;
    std::fs::create_dir_all(dir.join("devices"))?;
    let devices = scenario::people(&dir.join("devices"))?;
    let mut tokens = Vec::new();
    for d in &devices {
        tokens.push(hub.enroll(d)?);
    }
    let mut s = Sampler::new(args.seed);
    let mut log: Vec<CaptureLine> = Vec::new();
    let mut syncs: Vec<SyncLine> = Vec::new();
    let [officer_a, officer_b, union, supervisor] = &devices[..] else {
        unreachable!("four people")
    };

    // Day 0: at the office, online.
    let a_producers = scenario::register(officer_a, &mut s, TAN_CUONG, 3, &mut log, 0)?;
    for (d, t) in devices.iter().zip(&tokens) {
        syncs.push(hub.sync(d, t, profile, 0)?);
    }

    // Days 1–5: offline.
    for (i, p) in a_producers.iter().enumerate() {
        scenario::visit(officer_a, &mut s, *p, &photo_dir, &mut log, 1 + i as u32)?;
    }
    let b_producers = scenario::register(officer_b, &mut s, BA_BE, 2, &mut log, 1)?;
    for p in &b_producers {
        scenario::visit(officer_b, &mut s, *p, &photo_dir, &mut log, 2)?;
    }
    scenario::register(union, &mut s, TAN_CUONG, 1, &mut log, 3)?;
    scenario::concurrent_edits(officer_a, union, a_producers[0], &mut log, 4)?;

    // Day 6: back in signal, in a random order. The supervisor meets officer B in the commune hall first, and the
    // union staffer (no data plan) sends her work to the supervisor as a file over Zalo.
    let bundle = dir.join("union-staff.ocop");
    let written = write_bundle(&union.store, &bundle, 0)?;
    let imported = import_bundle(&supervisor.store, &bundle).context("importing the bundle")?;
    syncs.push(SyncLine::bundle(
        6,
        &union.name,
        &supervisor.name,
        &written,
        &imported,
    ));
    syncs.push(device_to_device(supervisor, officer_b, profile).context("syncing phone to phone")?);
    let mut order: Vec<usize> = (0..devices.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, s.below(i + 1));
    }
    for &i in &order {
        syncs.push(hub.sync(&devices[i], &tokens[i], profile, 6)?);
    }

    // Day 7: everyone syncs again to receive the others' work; the supervisor resolves the conflict.
    for &i in &order {
        syncs.push(hub.sync(&devices[i], &tokens[i], profile, 7)?);
    }
    let conflicts_seen = supervisor.store.conflicts(None)?;
    let mut resolved = Vec::new();
    for c in &conflicts_seen {
        if let Some(keep) = c.values.iter().find(|v| {
            v.author
                .as_ref()
                .is_some_and(|a| a.user_id == union.author.user_id)
        }) {
            supervisor.store.resolve_conflict(
                &supervisor.author,
                c.doc_id,
                &c.path,
                &Resolution::Keep(keep.op.clone()),
            )?;
            resolved.push(c.clone());
        }
    }
    syncs.push(hub.sync(supervisor, &tokens[3], profile, 7)?);
    for &i in &order {
        syncs.push(hub.sync(&devices[i], &tokens[i], profile, 7)?);
    }

    let convergence = hub
        .check_convergence(&devices)
        .context("checking convergence")?;
    let report = DemoReport::new(
        &hub,
        &devices,
        profile,
        log,
        syncs,
        conflicts_seen,
        resolved,
        convergence,
        args.keep.as_deref(),
    );
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        report.print();
    }
    hub.stop();
    Ok(if report.converged() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The supervisor's phone syncs directly with officer B's phone (same protocol, in the commune hall).
fn device_to_device(
    initiator: &Device,
    responder: &Device,
    profile: LinkProfile,
) -> Result<SyncLine> {
    let principal = sync::Principal {
        user_id: initiator.author.user_id.clone(),
        role: initiator.author.role,
        scope: initiator.scope.clone(),
    };
    let mut link = sync::link::Link::new(&responder.store, principal, profile);
    let report = sync::sync(
        &initiator.store,
        &format!("device:{}", responder.name),
        &mut link,
        &SyncOptions::default(),
        &(),
    )?;
    Ok(SyncLine::from_report(
        6,
        &initiator.name,
        &responder.name,
        &report,
        link.network_time,
    ))
}
