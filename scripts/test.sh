#!/usr/bin/env bash
# Runs every test of OCOP Field on a fresh Debian machine: installs what the tests need (idempotent), builds the
# workspace, and runs the Rust, Kotlin (JVM) and browser suites. Exits non-zero if anything fails or cannot run.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== bootstrap"
scripts/bootstrap.sh
if [ -f .cache/test-env.sh ]; then
  # shellcheck disable=SC1091
  . .cache/test-env.sh
fi

echo "== build"
cargo build --workspace --locked

echo "== tests"
cargo test --workspace --locked
echo "== all tests passed"
