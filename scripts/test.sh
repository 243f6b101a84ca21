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

# A one-shot build gains nothing from incremental caches, which only take disk.
export CARGO_INCREMENTAL=0
echo "== disk before build: $(df -h --output=avail . | tail -1 | tr -d ' ') free"

echo "== build"
cargo build --workspace --locked

echo "== tests"
cargo test --workspace --locked
echo "== target/ is $(du -sh target 2>/dev/null | cut -f1); $(df -h --output=avail . | tail -1 | tr -d ' ') free"
echo "== all tests passed"
