//! `ocop-hub`: the hub alone, for servers that need no demo or field tools — the same commands as `ocop hub`
//! (`serve`, `enroll`, `revoke`, `devices`), with the same arguments. The multi-hub test and the load bench start
//! hub processes with it.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// OCOP Field sync hub.
#[derive(Debug, Parser)]
#[command(name = "ocop-hub", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the hub over HTTP (SQLite in `--data`, or PostgreSQL with `--database`).
    Serve(ocop_hub::cli::ServeArgs),
    /// Issue a one-time enrollment code for a user.
    Enroll(ocop_hub::cli::EnrollArgs),
    /// Revoke a device, or every device of a user.
    Revoke(ocop_hub::cli::RevokeArgs),
    /// List enrolled devices.
    Devices(ocop_hub::cli::DevicesArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut out = std::io::stdout();
    let done = match &cli.command {
        Command::Serve(a) => ocop_hub::cli::run_serve(a, &mut out),
        Command::Enroll(a) => ocop_hub::cli::run_enroll(a, &mut out),
        Command::Revoke(a) => ocop_hub::cli::run_revoke(a, &mut out),
        Command::Devices(a) => ocop_hub::cli::run_devices(a, &mut out),
    };
    match done {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ocop-hub: {e}");
            ExitCode::FAILURE
        }
    }
}
