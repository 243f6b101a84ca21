#!/usr/bin/env bash
# Builds the OCOP Field XCFramework and Swift bindings on macOS (Xcode + rustup):
#   rustup target add aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin
#   ios/build-xcframework.sh
# Output: ios/build/OcopFFIFFI.xcframework and ios/Sources/OcopFFI/OcopFFI.swift (both ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(uname)" = Darwin ] || { echo "build-xcframework.sh needs macOS with Xcode" >&2; exit 1; }
target_dir="${CARGO_TARGET_DIR:-target}"
out=ios/build
rm -rf "$out" && mkdir -p "$out/headers"

# -p ocop-ffi alone and without the bindgen CLI keeps the static library small.
for t in aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios; do
  cargo build -p ocop-ffi --no-default-features --lib --release --target "$t"
done

# Swift bindings from the built library (library mode reads the metadata kept by strip = "debuginfo").
cargo build -p ocop-ffi --release --target aarch64-apple-darwin
cargo build -p ocop-ffi --bin uniffi-bindgen
"$target_dir/debug/uniffi-bindgen" generate --no-format --library \
  "$target_dir/aarch64-apple-darwin/release/libocop_ffi.dylib" --language swift --out-dir "$out/gen"
cp "$out/gen/OcopFFI.swift" ios/Sources/OcopFFI/
cp "$out/gen/OcopFFIFFI.h" "$out/headers/"
cp "$out/gen/OcopFFIFFI.modulemap" "$out/headers/module.modulemap"

mkdir -p "$out/sim"
lipo -create \
  "$target_dir/aarch64-apple-ios-sim/release/libocop_ffi.a" \
  "$target_dir/x86_64-apple-ios/release/libocop_ffi.a" \
  -output "$out/sim/libocop_ffi.a"
xcodebuild -create-xcframework \
  -library "$target_dir/aarch64-apple-ios/release/libocop_ffi.a" -headers "$out/headers" \
  -library "$out/sim/libocop_ffi.a" -headers "$out/headers" \
  -output "$out/OcopFFIFFI.xcframework"
echo "built $out/OcopFFIFFI.xcframework; swift build / open ios/Package.swift in Xcode"
