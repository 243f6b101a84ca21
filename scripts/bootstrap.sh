#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine (run as root in CI). Idempotent: a second run only
# checks. Each piece in scripts/bootstrap.d/ installs one thing (in name order) and may append `export VAR=…` lines
# to .cache/test-env.sh, which scripts/test.sh sources before building and testing.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .cache
: > .cache/test-env.sh

command -v cargo >/dev/null || { echo "cargo is required (Rust 1.90+)" >&2; exit 1; }

for piece in scripts/bootstrap.d/*.sh; do
  [ -e "$piece" ] || continue
  echo "-- bootstrap: $(basename "$piece")"
  bash "$piece"
done
