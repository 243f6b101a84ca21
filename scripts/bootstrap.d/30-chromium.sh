#!/usr/bin/env bash
# Chromium (headless, from Debian) and playwright-core (npm) for the hub's browser test (hub/tests/browser.rs).
# Idempotent: when both are present it only checks. Never downloads a browser of its own: playwright-core drives
# Debian's /usr/bin/chromium. Exports OCOP_CHROMIUM and OCOP_BROWSER_NODE_MODULES for the test.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "chromium is missing: run as root, or install the Debian packages chromium and chromium-driver" >&2
    exit 1
  fi
fi
chromium --version

command -v npm >/dev/null || {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "node and npm are missing: install the Debian packages nodejs and npm" >&2
    exit 1
  fi
}

dir=hub/tests/browser
if [ ! -f "$dir/node_modules/playwright-core/package.json" ]; then
  # The exact version is pinned in package.json / package-lock.json; no browser download (playwright-core has none).
  (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi
node -e "require('./$dir/node_modules/playwright-core/package.json')" >/dev/null

mkdir -p .cache
{
  echo "export OCOP_CHROMIUM=$(command -v chromium)"
  echo "export OCOP_BROWSER_NODE_MODULES=$PWD/$dir/node_modules"
} >> .cache/test-env.sh
