#!/usr/bin/env bash
# The hub's PostgreSQL tests need a server: the project's machines run one on 127.0.0.1:5432 with trust
# authentication and a database `test` (shared/RECIPES.md). This piece checks that it answers — starting the local
# cluster if it is installed but stopped — and writes OCOP_TEST_POSTGRES_URL into .cache/test-env.sh. It fails
# loudly when no server can be reached: the PostgreSQL tests would fail anyway, with less to go on.
# OCOP_TEST_POSTGRES_URL set beforehand is used as it is.
set -euo pipefail
cd "$(dirname "$0")/../.."

url="${OCOP_TEST_POSTGRES_URL:-postgres://root@127.0.0.1:5432/test}"

answers() {
  command -v psql >/dev/null && psql "$url" -XAtqc 'SELECT 1' >/dev/null 2>&1
}

if ! command -v psql >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing the PostgreSQL client (psql) to check the server"
  apt-get install -y -qq postgresql-client >/dev/null
fi

if ! answers && [ "$(id -u)" = 0 ]; then
  # Installed but not running (a rebooted machine): start the local clusters.
  if command -v pg_ctlcluster >/dev/null; then
    pg_lsclusters -h 2>/dev/null | while read -r version name _; do
      pg_ctlcluster "$version" "$name" start >/dev/null 2>&1 || true
    done
  elif command -v service >/dev/null; then
    service postgresql start >/dev/null 2>&1 || true
  fi
  for _ in $(seq 1 20); do answers && break; sleep 0.5; done
fi

if ! answers; then
  cat >&2 <<MSG
ERROR: no PostgreSQL server answers at $url
The hub's PostgreSQL tests need one (trust authentication; tests create and drop their own schemas).
Start the server, or point OCOP_TEST_POSTGRES_URL at one, e.g.
  export OCOP_TEST_POSTGRES_URL=postgres://user@127.0.0.1:5432/test
MSG
  exit 1
fi

echo "export OCOP_TEST_POSTGRES_URL=$url" >> .cache/test-env.sh
echo "PostgreSQL answers at $url"
