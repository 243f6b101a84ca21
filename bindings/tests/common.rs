//! Shared by the binding-generation tests: where the built library and the bindgen binary are, and running
//! commands that must exist (a missing tool is a failure, never a skip).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The host cdylib built for this test run (`target/debug/libocop_ffi.so`), copied to `dir` so that a stale
/// library elsewhere on a search path can never be the one loaded.
pub fn cdylib_copy(dir: &Path) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // The test runs from target/debug/deps, where cargo put the cdylib it built for this run; the copy in
    // target/debug is only refreshed by `cargo build` and may be older.
    let deps = exe.parent().unwrap();
    let name = format!(
        "{}ocop_ffi{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    let lib = deps.join(&name);
    assert!(
        lib.is_file(),
        "the cdylib {} was not built (cargo builds it with the test; run `cargo build -p ocop-ffi`)",
        lib.display()
    );
    let copy = dir.join(&name);
    std::fs::copy(&lib, &copy).unwrap();
    copy
}

/// Generates bindings for `language` from `lib` into `out` with this crate's uniffi-bindgen binary.
pub fn generate(lib: &Path, language: &str, out: &Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_uniffi-bindgen"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["generate", "--no-format", "--library"])
        .arg(lib)
        .args(["--language", language, "--out-dir"])
        .arg(out)
        .status()
        .expect("could not run uniffi-bindgen");
    assert!(status.success(), "uniffi-bindgen failed for {language}");
}

/// Every file under `dir` whose name ends with `suffix`.
pub fn files_with_suffix(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().ends_with(suffix) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A tool the test needs: its path, or a loud failure saying how to install it.
pub fn require_tool(name: &str, env_override: Option<&str>, how: &str) -> PathBuf {
    if let Some(var) = env_override
        && let Ok(p) = std::env::var(var)
        && Path::new(&p).is_file()
    {
        return PathBuf::from(p);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        let candidate = dir.join(name);
        if candidate.is_file() {
            return candidate;
        }
    }
    panic!("`{name}` is required by this test and was not found: {how}");
}
