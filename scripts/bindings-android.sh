#!/usr/bin/env bash
# Builds libocop_ffi.so for the Android ABIs with cargo-ndk and generates the Kotlin bindings (android = true) from
# the built library. Called by android/build.gradle.kts before every build; generated files are never committed.
#
#   scripts/bindings-android.sh [JNILIBS_DIR] [KOTLIN_OUT_DIR]
#     defaults: android/src/main/jniLibs  android/build/generated/uniffi/kotlin
#
# Needs: the Android NDK (ANDROID_NDK_HOME), `cargo install cargo-ndk`, and
#   rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android
#
# Without an NDK (as on the project's Linux CI), target-specific compile errors can still be caught with
#   CC_aarch64_linux_android=gcc AR_aarch64_linux_android=ar \
#     cargo check -p ocop-ffi --no-default-features --target aarch64-linux-android
# (check never links). It is not part of CI: a cold check of the whole dependency tree for one more target adds
# minutes for little gain over the host build.
set -euo pipefail
cd "$(dirname "$0")/.."
jnilibs="${1:-android/src/main/jniLibs}"
kotlin_out="${2:-android/build/generated/uniffi/kotlin}"

command -v cargo-ndk >/dev/null || { echo "cargo-ndk is required: cargo install cargo-ndk" >&2; exit 1; }
[ -n "${ANDROID_NDK_HOME:-}" ] || { echo "ANDROID_NDK_HOME must point at an Android NDK" >&2; exit 1; }

# -p ocop-ffi alone and without the bindgen CLI: feature unification with the workspace would bloat the library.
cargo ndk -t arm64-v8a -t armeabi-v7a -t x86_64 -o "$jnilibs" \
  build -p ocop-ffi --no-default-features --lib --release

# Bindings come from the exact library that was built (library mode), with the Android config.
cargo build -p ocop-ffi --bin uniffi-bindgen
host_lib="$(mktemp -d)"
trap 'rm -rf "$host_lib"' EXIT
cp "$jnilibs/arm64-v8a/libocop_ffi.so" "$host_lib/"
target_dir="${CARGO_TARGET_DIR:-target}"
"$target_dir/debug/uniffi-bindgen" generate --no-format --library "$host_lib/libocop_ffi.so" \
  --language kotlin --config bindings/uniffi-android.toml --out-dir "$kotlin_out"
echo "native libraries in $jnilibs, Kotlin bindings in $kotlin_out"
