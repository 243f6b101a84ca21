//! The admin commands as the `ocop` binary mounts them: enroll prints a code and writes a QR image, devices lists,
//! revoke revokes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use clap::Parser;
use ocop_hub::cli::{
    DevicesArgs, EnrollArgs, RevokeArgs, ServeArgs, run_devices, run_enroll, run_revoke,
};
use ocop_hub::{Hub, HubOptions};

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

#[test]
fn enroll_prints_a_code_and_a_qr_image_that_a_device_redeems_and_revoke_ends_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("hub");
    let qr = dir.path().join("code.png");
    let e = Enroll::try_parse_from([
        "enroll",
        "--data",
        data.to_str().unwrap(),
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

    let hub = Hub::open(&data, HubOptions::default()).unwrap();
    let enrolled = hub.redeem(&code, "Samsung A15").unwrap().unwrap();
    drop(hub);
    let listed = output(|out| {
        run_devices(
            &DevicesArgs {
                data: data.clone(),
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
                data: data.clone(),
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
                data: data.clone(),
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
}
