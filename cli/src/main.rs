//! `ocop`: the OCOP Field command line.
//!
//! - `ocop demo` — a week of field work by four people, synced through a hub over a slow link, checked for
//!   convergence (exit status 1 if anything did not converge).
//! - `ocop hub serve|enroll|revoke|devices` — the sync hub (see `hub/README.md`).
//! - `ocop places search <words>` — look up Vietnam's 2025 administrative units, diacritics optional.
//! - `ocop export` — the OCOP summary report as XLSX, CSV or GeoJSON; `ocop duplicates` — likely duplicate
//!   producers (see `export.rs`).

mod demo;
mod export;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// OCOP Field: offline-first field surveys for Vietnam's OCOP programme.
#[derive(Debug, Parser)]
#[command(name = "ocop", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the demo: a week of offline field work on four devices, synced through a hub, checked for convergence.
    Demo(demo::DemoArgs),
    /// The sync hub: serve, enroll devices, list and revoke them.
    Hub {
        #[command(subcommand)]
        command: HubCommand,
    },
    /// The OCOP summary report (by star, group, commune, women-owned, e-commerce, expiring certificates,
    /// visits pending review) as XLSX, CSV or GeoJSON, from a device store or a hub's data folder.
    Export(export::ExportArgs),
    /// Likely duplicate producers, with a score and the reasons.
    Duplicates(export::DuplicatesArgs),
    /// Administrative units (2025): search by name, resolve old codes.
    Places {
        #[command(subcommand)]
        command: PlacesCommand,
    },
}

#[derive(Debug, Subcommand)]
enum HubCommand {
    /// Serve the hub over HTTP (embedded SQLite in the data folder; created if missing).
    Serve(ocop_hub::cli::ServeArgs),
    /// Issue a one-time enrollment code (text and QR) for a user, role and scope.
    Enroll(ocop_hub::cli::EnrollArgs),
    /// Revoke a device's token, or every device of a user.
    Revoke(ocop_hub::cli::RevokeArgs),
    /// List enrolled devices.
    Devices(ocop_hub::cli::DevicesArgs),
}

#[derive(Debug, Subcommand)]
enum PlacesCommand {
    /// Search units by name, ignoring diacritics and case ("ha noi", "tan cuong").
    Search {
        /// Words to look for.
        words: Vec<String>,
        /// At most this many results.
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
    /// Resolve a pre-2025 code (ward, district or province) to today's unit(s).
    Old {
        /// The old code, with its leading zeros.
        code: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(args) => demo::run(&args),
        Command::Places { command } => places(command),
        Command::Hub { command } => hub(command),
        Command::Export(args) => export::run_export(&args),
        Command::Duplicates(args) => export::run_duplicates(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn hub(command: HubCommand) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout();
    match command {
        HubCommand::Serve(args) => ocop_hub::cli::run_serve(&args, &mut out)?,
        HubCommand::Enroll(args) => ocop_hub::cli::run_enroll(&args, &mut out)?,
        HubCommand::Revoke(args) => ocop_hub::cli::run_revoke(&args, &mut out)?,
        HubCommand::Devices(args) => ocop_hub::cli::run_devices(&args, &mut out)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn places(command: PlacesCommand) -> anyhow::Result<ExitCode> {
    let places = ocop_core::places::Places::embedded();
    let print = |u: &ocop_core::places::Unit| {
        let province = places
            .province(&u.province_code)
            .map_or("", |p| p.full_name.as_str());
        println!("{}  {}  ({})", u.code, u.full_name, province);
    };
    match command {
        PlacesCommand::Search { words, limit } => {
            let hits = places.search(&words.join(" "), limit);
            if hits.is_empty() {
                println!("no unit matches");
            }
            hits.into_iter().for_each(print);
        }
        PlacesCommand::Old { code } => {
            let hits = places.resolve_old(&code);
            if hits.is_empty() {
                println!("no pre-2025 unit has code {code}");
            }
            hits.into_iter().for_each(print);
        }
    }
    Ok(ExitCode::SUCCESS)
}
