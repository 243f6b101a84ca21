#!/usr/bin/env bash
# Kotlin on the desktop JVM for the binding tests (bindings/tests/kotlin.rs): JNA from Debian and kotlinc from the
# npm package `kotlin-compiler` (it ships the JVM compiler and the coroutines jar). kotlinc and uniffi are pinned
# together: uniffi 0.32.2 + kotlinc 2.4.20 (RECIPES: other pairs fail under -Werror). Idempotent: a second run only
# checks. Appends PATH, CLASSPATH and OCOP_KOTLINC to .cache/test-env.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
KOTLIN_VERSION=2.4.20
jna=/usr/share/java/jna.jar

if [ ! -f "$jna" ] || ! command -v java >/dev/null; then
  if [ "$(id -u)" != 0 ]; then
    echo "20-kotlin: need root to apt-get install libjna-java and a JDK" >&2
    exit 1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libjna-java default-jdk-headless >/dev/null
fi
[ -f "$jna" ] || { echo "20-kotlin: $jna is missing after install" >&2; exit 1; }

dest="$PWD/.cache/kotlinc-$KOTLIN_VERSION"
if [ ! -x "$dest/bin/kotlinc" ]; then
  command -v npm >/dev/null || {
    if [ "$(id -u)" = 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null;
    else echo "20-kotlin: npm is required" >&2; exit 1; fi
  }
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "kotlin-compiler@$KOTLIN_VERSION" >/dev/null)
  mkdir -p "$tmp/x"
  tar -xzf "$tmp"/kotlin-compiler-*.tgz -C "$tmp/x"
  rm -rf "$dest"
  mv "$tmp/x/package" "$dest"
  chmod +x "$dest"/bin/*
fi
"$dest/bin/kotlinc" -version >/dev/null 2>&1 || { echo "20-kotlin: kotlinc does not run" >&2; exit 1; }
coroutines="$dest/lib/kotlinx-coroutines-core-jvm.jar"
[ -f "$coroutines" ] || { echo "20-kotlin: $coroutines missing" >&2; exit 1; }

{
  echo "export PATH=\"$dest/bin:\$PATH\""
  echo "export CLASSPATH=\"$jna:$coroutines\${CLASSPATH:+:\$CLASSPATH}\""
  echo "export OCOP_KOTLINC=\"$dest/bin/kotlinc\""
} >> .cache/test-env.sh
