//! `ocop`: the OCOP Field command line.
//!
//! - `ocop demo` — a week of field work by four people, synced through a hub over a slow link, checked for
//!   convergence (exit status 1 if anything did not converge).
//! - `ocop places search <words>` — look up Vietnam's 2025 administrative units, diacritics optional.

mod demo;

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
    /// Administrative units (2025): search by name, resolve old codes.
    Places {
        #[command(subcommand)]
        command: PlacesCommand,
    },
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
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
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
