//! The Kotlin story on the desktop JVM: the bindings generated from the built library and the idiomatic wrapper
//! (`android/src/main/kotlin`) compiled together with kotlinc (`-Werror`), then `tests/kotlin/OfficerDay.kt` run
//! with JNA against the host library, talking to a hub started here. Needs kotlinc and JNA
//! (`scripts/bootstrap.d/20-kotlin.sh`, sourced by `scripts/test.sh`); without them the test fails, it never skips.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use ocop_core::identity::{Role, Scope};
use ocop_hub::{Account, Hub, HubOptions};

fn classpath_entry(name: &str) -> PathBuf {
    let cp = std::env::var("CLASSPATH").unwrap_or_default();
    cp.split(':')
        .map(PathBuf::from)
        .find(|p| p.file_name().is_some_and(|f| f.to_string_lossy().starts_with(name)) && p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "{name}*.jar is not on CLASSPATH ({cp:?}): run scripts/bootstrap.sh and source .cache/test-env.sh"
            )
        })
}

#[test]
fn an_officers_day_through_the_kotlin_wrapper() {
    let kotlinc = common::require_tool(
        "kotlinc",
        Some("OCOP_KOTLINC"),
        "run scripts/bootstrap.sh (scripts/bootstrap.d/20-kotlin.sh) and source .cache/test-env.sh",
    );
    let java = common::require_tool("java", None, "apt-get install default-jdk-headless");
    let jna = classpath_entry("jna");
    let coroutines = classpath_entry("kotlinx-coroutines-core");

    let work = tempfile::tempdir().unwrap();
    let lib = common::cdylib_copy(work.path());
    let gen_dir = work.path().join("generated");
    common::generate(&lib, "kotlin", &gen_dir);

    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut sources = common::files_with_suffix(&gen_dir, ".kt");
    let wrapper = common::files_with_suffix(&repo.join("android/src/main/kotlin"), ".kt");
    assert!(!wrapper.is_empty(), "no wrapper sources in android/src/main/kotlin");
    sources.extend(wrapper);
    sources.push(repo.join("tests/kotlin/OfficerDay.kt"));

    let jar = work.path().join("officer-day.jar");
    let cp = format!("{}:{}", jna.display(), coroutines.display());
    let started = Instant::now();
    let status = Command::new(&kotlinc)
        .args(["-Werror", "-include-runtime", "-d"])
        .arg(&jar)
        .arg("-classpath")
        .arg(&cp)
        .args(&sources)
        .status()
        .expect("could not run kotlinc");
    assert!(status.success(), "kotlinc failed");
    eprintln!("kotlinc: {:.1} s", started.elapsed().as_secs_f64());

    // A hub for the test, with one-time codes for an officer and a union staffer of Xã Tân Cương.
    let hub = Hub::open(work.path().join("hub"), HubOptions::default()).unwrap();
    let server = hub.serve("127.0.0.1:0".parse().unwrap()).unwrap();
    let code = |user: &str, name: &str, role: Role| {
        hub.enroll(Account {
            user_id: user.into(),
            display_name: name.into(),
            role,
            scope: Scope {
                provinces: vec![],
                communes: vec!["05503".into()],
            },
        })
        .unwrap()
        .code
    };
    let officer = code("officer-tn-01", "Nguyễn Văn An", Role::Officer);
    let union = code("union-tn-01", "Trần Thị Hoa", Role::UnionStaff);

    let data = work.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let started = Instant::now();
    let out = Command::new(&java)
        .arg("-ea")
        .arg(format!("-Djna.library.path={}", work.path().display()))
        .arg(format!(
            "-Duniffi.component.ocop.libraryOverride={}",
            lib.display()
        ))
        .arg("-cp")
        .arg(format!("{}:{cp}", jar.display()))
        .arg("vn.ocop.field.test.OfficerDayKt")
        .env("OCOP_HUB_URL", server.url())
        .env("OCOP_CODE_OFFICER", &officer)
        .env("OCOP_CODE_UNION", &union)
        .env("OCOP_WORK_DIR", &data)
        .output()
        .expect("could not run java");
    eprintln!("jvm run: {:.1} s", started.elapsed().as_secs_f64());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("--- kotlin stdout\n{stdout}--- kotlin stderr\n{stderr}");
    assert!(out.status.success(), "the Kotlin story failed: {}", out.status);
    assert!(
        stdout.contains("OFFICER DAY OK"),
        "the Kotlin story did not reach its end"
    );
    server.shutdown();
}
