//! Swift cannot be compiled on Linux, so this checks what can be: the Swift bindings are generated from the
//! built library, their C header parses (`gcc -fsyntax-only`), and every `uniffi_*`/`ffi_*` function the header
//! declares is exported by the library (`nm -D`) — the XCFramework built on macOS links against the same
//! symbols. Fails loudly if gcc or nm is missing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::process::Command;

#[test]
fn swift_bindings_generate_and_their_header_matches_the_library() {
    let gcc = common::require_tool("gcc", None, "apt-get install gcc");
    let nm = common::require_tool("nm", None, "apt-get install binutils");
    let work = tempfile::tempdir().unwrap();
    let lib = common::cdylib_copy(work.path());
    let out = work.path().join("swift");
    common::generate(&lib, "swift", &out);

    let swift = out.join("OcopFFI.swift");
    let header = out.join("OcopFFIFFI.h");
    let modulemap = out.join("OcopFFIFFI.modulemap");
    for f in [&swift, &header, &modulemap] {
        assert!(f.is_file(), "{} was not generated", f.display());
    }
    let swift_src = std::fs::read_to_string(&swift).unwrap();
    for api in [
        "class OcopStore",
        "func syncWithHub(",
        "protocol SyncProgressListener",
        "protocol SyncTransport",
        "enum OcopError",
    ] {
        assert!(swift_src.contains(api), "{api} missing from the Swift bindings");
    }

    let status = Command::new(&gcc)
        .args(["-fsyntax-only", "-D_Nonnull=", "-D_Nullable=", "-x", "c"])
        .arg(&header)
        .status()
        .unwrap();
    assert!(status.success(), "the generated C header does not parse");

    let header_src = std::fs::read_to_string(&header).unwrap();
    let declared: BTreeSet<String> = header_src
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| (w.starts_with("uniffi_ocop_ffi_") || w.starts_with("ffi_ocop_ffi_")) && w.len() > 16)
        .map(str::to_string)
        .collect();
    assert!(declared.len() > 50, "too few functions declared: {}", declared.len());
    let nm_out = Command::new(&nm).arg("-D").arg("--defined-only").arg(&lib).output().unwrap();
    assert!(nm_out.status.success());
    let exported: BTreeSet<String> = String::from_utf8_lossy(&nm_out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().last())
        .map(str::to_string)
        .collect();
    let missing: Vec<_> = declared.difference(&exported).collect();
    assert!(missing.is_empty(), "declared in the header but not exported: {missing:?}");
}
