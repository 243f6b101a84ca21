//! The admin commands as the `ocop` binary mounts them: enroll prints a code and writes a QR image, devices lists,
//! revoke revokes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use clap::Parser;
use common::{Backend, PgSchema};
use ocop_hub::HubOptions;
use ocop_hub::cli::{
    DevicesArgs, EnrollArgs, RevokeArgs, ServeArgs, run_devices, run_enroll, run_revoke,
};

#[derive(Parser)]
struct Enroll {
    #[command(flatten)]
    args: EnrollArgs,
}

#[derive(Parser)]
struct Serve {
    #[command(flatten)]
    args: ServeArgs,
}

fn output(f: impl FnOnce(&mut Vec<u8>) -> ocop_hub::Result<()>) -> String {
    let mut out = Vec::new();
    f(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn enroll_prints_a_code_and_a_qr_image_that_a_device_redeems_and_revoke_ends_it(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("hub");
    let qr = dir.path().join("code.png");
    let schema = (backend == Backend::Postgres).then(PgSchema::create);
    // Where the hub is: `--data <folder>` (SQLite) or `--database <url>` (PostgreSQL).
    let (flag, place) = match &schema {
        None => ("--data", data.to_str().unwrap().to_string()),
        Some(s) => ("--database", s.url.clone()),
    };
    let (data_arg, database_arg) = match &schema {
        None => (Some(data.clone()), None),
        Some(s) => (None, Some(s.url.clone())),
    };
    let e = Enroll::try_parse_from([
        "enroll",
        flag,
        &place,
        "--user",
        "officer-tc",
        "--name",
        "Nguyễn Văn An",
        "--role",
        "officer",
        "--commune",
        "05503",
        "--qr",
        qr.to_str().unwrap(),
        "--hub-url",
        "http://192.0.2.1:8787",
    ])
    .unwrap();
    let printed = output(|out| run_enroll(&e.args, out));
    let code = printed
        .lines()
        .next()
        .and_then(|l| l.rsplit(' ').next())
        .unwrap()
        .to_string();
    assert_eq!(code.len(), 14, "{printed}");
    let png = std::fs::read(&qr).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let img = image::load_from_memory(&png).unwrap();
    assert!(img.width() >= 256);

    let hub = ocop_hub::cli::open_hub(
        data_arg.as_deref(),
        database_arg.as_deref(),
        HubOptions::default(),
    )
    .unwrap();
    let enrolled = hub.redeem(&code, "Samsung A15").unwrap().unwrap();
    drop(hub);
    let listed = output(|out| {
        run_devices(
            &DevicesArgs {
                data: data_arg.clone(),
                database: database_arg.clone(),
                json: false,
            },
            out,
        )
    });
    assert!(
        listed.contains(&enrolled.device_id) && listed.contains("active"),
        "{listed}"
    );
    let said = output(|out| {
        run_revoke(
            &RevokeArgs {
                data: data_arg.clone(),
                database: database_arg.clone(),
                device: Some(enrolled.device_id.clone()),
                user: None,
            },
            out,
        )
    });
    assert!(said.contains("Revoked"));
    let json = output(|out| {
        run_devices(
            &DevicesArgs {
                data: data_arg.clone(),
                database: database_arg.clone(),
                json: true,
            },
            out,
        )
    });
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(v[0]["revoked_at"].is_i64());
}

#[test]
fn enroll_refuses_unknown_places_and_roles() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    assert!(
        Enroll::try_parse_from(["e", "--data", data, "--user", "u", "--role", "mayor"]).is_err()
    );
    let e = Enroll::try_parse_from([
        "e",
        "--data",
        data,
        "--user",
        "u",
        "--role",
        "officer",
        "--commune",
        "99999",
    ])
    .unwrap();
    assert!(run_enroll(&e.args, &mut Vec::new()).is_err());
    let e =
        Enroll::try_parse_from(["e", "--data", data, "--user", "u", "--role", "officer"]).unwrap();
    assert!(
        run_enroll(&e.args, &mut Vec::new()).is_err(),
        "an empty scope is refused"
    );
}

#[test]
fn serve_needs_only_a_data_folder() {
    let s = Serve::try_parse_from(["serve", "--data", "/tmp/x"]).unwrap();
    assert_eq!(s.args.addr.to_string(), "127.0.0.1:8787");
    assert_eq!(s.args.database, None);
}

#[test]
fn serve_takes_a_database_instead_of_a_data_folder_but_needs_one_of_them() {
    let s =
        Serve::try_parse_from(["serve", "--database", "postgres://hub@db.example/ocop"]).unwrap();
    assert_eq!(
        s.args.database.as_deref(),
        Some("postgres://hub@db.example/ocop")
    );
    assert_eq!(s.args.data, None);
    assert!(
        Serve::try_parse_from(["serve"]).is_err(),
        "neither is refused"
    );
}

#[test]
fn a_malformed_database_url_is_a_clear_error() {
    let e =
        ocop_hub::cli::open_hub(None, Some("postgres://[::1"), HubOptions::default()).unwrap_err();
    assert!(e.to_string().contains("database"), "{e}");
}

on_both_backends!(enroll_prints_a_code_and_a_qr_image_that_a_device_redeems_and_revoke_ends_it);
