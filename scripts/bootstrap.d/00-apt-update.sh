#!/usr/bin/env bash
# Refreshes Debian's package lists once per machine, if a later piece will need apt (a fresh machine has none).
set -euo pipefail
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  stamp=/var/lib/apt/periodic/ocop-update-stamp
  if [ ! -e "$stamp" ] || [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v lock)" ]; then
    apt-get update -qq
    mkdir -p "$(dirname "$stamp")" && touch "$stamp"
  fi
fi
