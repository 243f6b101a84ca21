//! The hub's command line, for the `ocop` binary to mount as `ocop hub serve|enroll|revoke|devices`.
//!
//! Each command is a clap [`Args`](clap::Args) struct and a `run_*` function that writes what a person reads to
//! `out` (the binary passes standard output). Every command takes the hub's data folder with `--data` (embedded
//! SQLite, the default) or a PostgreSQL database with `--database postgres://…` (several hubs on one database); the
//! admin commands work while `serve` runs on the same folder or database.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use ocop_core::identity::Role;
use ocop_core::places::Places;
use ocop_core::sync::Scope;

use crate::error::{HubError, Result};
use crate::{Account, Hub, HubOptions};

/// `ocop hub serve`: run the hub.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// The hub's data folder (created if missing): the SQLite database and photos, or with `--database` only this
    /// process's read model (optional then).
    #[arg(long, required_unless_present = "database")]
    pub data: Option<PathBuf>,
    /// A PostgreSQL database (`postgres://user@host:port/db`) instead of SQLite in the data folder; any number of
    /// hubs may serve one database.
    #[arg(long)]
    pub database: Option<String>,
    /// Address to listen on (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub addr: SocketAddr,
    /// Log filter (`info`, `debug`, `ocop_hub=debug` …).
    #[arg(long, default_value = "info")]
    pub log: String,
}

/// `ocop hub enroll`: issue a one-time enrollment code for a user.
#[derive(Debug, Clone, clap::Args)]
pub struct EnrollArgs {
    /// The hub's data folder (SQLite).
    #[arg(long, required_unless_present = "database")]
    pub data: Option<PathBuf>,
    /// The hub's PostgreSQL database instead (`postgres://…`).
    #[arg(long)]
    pub database: Option<String>,
    /// Stable user id, e.g. `officer-tn-01`.
    #[arg(long)]
    pub user: String,
    /// Display name.
    #[arg(long, default_value = "")]
    pub name: String,
    /// Role: officer, union_staff, supervisor or hub_admin.
    #[arg(long, value_parser = parse_role)]
    pub role: Role,
    /// A commune of the scope (2025 code); repeat for several.
    #[arg(long = "commune")]
    pub communes: Vec<String>,
    /// A whole province of the scope (2025 code, or `*` for all); repeat for several.
    #[arg(long = "province")]
    pub provinces: Vec<String>,
    /// Days the code stays valid.
    #[arg(long, default_value_t = 7)]
    pub days: u32,
    /// Also write the code as a QR image (PNG, or SVG when the name ends in .svg).
    #[arg(long)]
    pub qr: Option<PathBuf>,
    /// The hub's address as devices reach it, put into the QR code with the code.
    #[arg(long)]
    pub hub_url: Option<String>,
}

/// `ocop hub revoke`: revoke a device, or every device of a user.
#[derive(Debug, Clone, clap::Args)]
pub struct RevokeArgs {
    /// The hub's data folder (SQLite).
    #[arg(long, required_unless_present = "database")]
    pub data: Option<PathBuf>,
    /// The hub's PostgreSQL database instead (`postgres://…`).
    #[arg(long)]
    pub database: Option<String>,
    /// The device id (see `ocop hub devices`).
    #[arg(required_unless_present = "user", conflicts_with = "user")]
    pub device: Option<String>,
    /// Revoke every device of this user instead.
    #[arg(long)]
    pub user: Option<String>,
}

/// `ocop hub devices`: list enrolled devices.
#[derive(Debug, Clone, clap::Args)]
pub struct DevicesArgs {
    /// The hub's data folder (SQLite).
    #[arg(long, required_unless_present = "database")]
    pub data: Option<PathBuf>,
    /// The hub's PostgreSQL database instead (`postgres://…`).
    #[arg(long)]
    pub database: Option<String>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

fn parse_role(s: &str) -> std::result::Result<Role, String> {
    Role::parse(s)
        .ok_or_else(|| format!("unknown role {s:?} (officer, union_staff, supervisor, hub_admin)"))
}

/// Opens the hub the arguments name: PostgreSQL when `database` is given, else SQLite in `data`.
pub fn open_hub(
    data: Option<&std::path::Path>,
    database: Option<&str>,
    options: HubOptions,
) -> Result<Hub> {
    match (database, data) {
        (Some(url), data) => Hub::open_postgres(url, data, crate::PgOptions::default(), options),
        (None, Some(data)) => Hub::open(data, options),
        (None, None) => Err(invalid(
            "data",
            "name a data folder (--data) or a database (--database)",
        )),
    }
}

/// Where a hub's data is, for messages (never the database password).
fn location(data: Option<&std::path::Path>, database: Option<&str>) -> String {
    match (database, data) {
        (Some(url), _) => match url.parse::<postgres::Config>() {
            Ok(c) => format!(
                "PostgreSQL database {} on {}",
                c.get_dbname().unwrap_or("(default)"),
                c.get_hosts()
                    .iter()
                    .map(|h| match h {
                        postgres::config::Host::Tcp(h) => h.clone(),
                        postgres::config::Host::Unix(p) => p.display().to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Err(_) => "PostgreSQL".into(),
        },
        (None, Some(d)) => format!("data: {}", d.display()),
        (None, None) => String::new(),
    }
}

fn invalid(field: &str, reason: impl Into<String>) -> HubError {
    HubError::Invalid {
        field: field.into(),
        reason: reason.into(),
    }
}

/// Runs the hub until Ctrl-C. Prints the address it listens on.
pub fn run_serve(args: &ServeArgs, out: &mut dyn Write) -> Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_new(&args.log)
        .map_err(|e| invalid("log filter", e.to_string()))?;
    // Another subscriber may be installed already (the binary's own); then that one logs.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
    let hub = open_hub(
        args.data.as_deref(),
        args.database.as_deref(),
        HubOptions::default(),
    )?;
    let server = hub.serve_until_interrupted(args.addr)?;
    writeln!(
        out,
        "OCOP Field hub {} listening on {} ({})",
        hub.node_id()?.to_hex(),
        server.url(),
        location(args.data.as_deref(), args.database.as_deref())
    )?;
    out.flush()?;
    server.wait();
    Ok(())
}

/// Issues an enrollment code and prints it, with a QR code for the terminal.
pub fn run_enroll(args: &EnrollArgs, out: &mut dyn Write) -> Result<()> {
    let places = Places::embedded();
    for c in &args.communes {
        if places.commune(c).is_none() {
            return Err(invalid(
                "commune",
                format!("{c:?} is not a 2025 commune code"),
            ));
        }
    }
    for p in &args.provinces {
        if p != "*" && places.province(p).is_none() {
            return Err(invalid(
                "province",
                format!("{p:?} is not a 2025 province code"),
            ));
        }
    }
    if args.days == 0 || args.days > 90 {
        return Err(invalid("days", "must be between 1 and 90"));
    }
    let options = HubOptions {
        enrollment_validity: std::time::Duration::from_secs(u64::from(args.days) * 24 * 3600),
        ..HubOptions::default()
    };
    let hub = open_hub(args.data.as_deref(), args.database.as_deref(), options)?;
    let issued = hub.enroll(Account {
        user_id: args.user.clone(),
        display_name: args.name.clone(),
        role: args.role,
        scope: Scope {
            provinces: args.provinces.clone(),
            communes: args.communes.clone(),
        },
    })?;
    let payload = issued.qr_payload(args.hub_url.as_deref());
    writeln!(
        out,
        "Enrollment code for {} ({}): {}",
        args.user,
        args.role.as_str(),
        issued.code
    )?;
    let expires = chrono::DateTime::from_timestamp_millis(issued.expires_at)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default();
    writeln!(out, "Valid once, until {expires}.")?;
    writeln!(out, "{}", crate::auth::qr_text(&payload)?)?;
    if let Some(path) = &args.qr {
        crate::auth::write_qr(&payload, path)?;
        writeln!(out, "QR code written to {}", path.display())?;
    }
    Ok(())
}

/// Revokes a device (or all of a user's) and says what happened.
pub fn run_revoke(args: &RevokeArgs, out: &mut dyn Write) -> Result<()> {
    let hub = open_hub(
        args.data.as_deref(),
        args.database.as_deref(),
        HubOptions::default(),
    )?;
    match (&args.device, &args.user) {
        (_, Some(user)) => {
            let n = hub.revoke_user(user)?;
            writeln!(out, "Revoked {n} device(s) of {user}.")?;
        }
        (Some(device), None) => {
            if hub.revoke(device)? {
                writeln!(out, "Revoked {device}.")?;
            } else {
                return Err(HubError::NotFound("active device"));
            }
        }
        (None, None) => return Err(invalid("device", "name a device id or --user")),
    }
    Ok(())
}

/// Lists the enrolled devices.
pub fn run_devices(args: &DevicesArgs, out: &mut dyn Write) -> Result<()> {
    let hub = open_hub(
        args.data.as_deref(),
        args.database.as_deref(),
        HubOptions::default(),
    )?;
    let devices = hub.list_devices()?;
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&devices)?)?;
        return Ok(());
    }
    writeln!(
        out,
        "{:<17} {:<20} {:<12} {:<8} device",
        "id", "user", "role", "state"
    )?;
    for d in devices {
        let state = if d.revoked_at.is_some() {
            "revoked"
        } else {
            "active"
        };
        writeln!(
            out,
            "{:<17} {:<20} {:<12} {:<8} {}",
            d.device_id,
            d.user_id,
            d.role.as_str(),
            state,
            d.device_name
        )?;
    }
    Ok(())
}
