#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine (run as root in CI). Idempotent: a second run only
# checks. Writes the environment the tests need to .cache/test-env.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .cache
: > .cache/test-env.sh

command -v cargo >/dev/null || { echo "cargo is required (Rust 1.90+)" >&2; exit 1; }
