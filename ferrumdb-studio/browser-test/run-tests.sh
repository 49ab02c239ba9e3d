#!/usr/bin/env bash
# Browser test of FerrumDB Studio: starts Studio (the module's standalone jar, which runs with target/lib) on a free port of 127.0.0.1 over a
# temporary database, drives it in Debian's headless chromium with playwright-core, and stops it. Studio runs
# through the test class HeldStudioMain (on the jar, with the core test-jar's HeldCreation), which holds the first
# compaction and backup until the test writes "release compaction" / "release backup" to its standard input (the
# FIFO STUDIO_CONTROL), so that the test sees their progress bars while they run.
# Screenshots go to ferrumdb-studio/target/screenshots. Installs chromium (apt) and playwright-core (npm) when
# missing; playwright never downloads a browser of its own. Needs Node.js 20+ with npm (.ci/require-node.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
module="$(dirname "$here")"
root="$(dirname "$module")"

if [ ! -x /usr/bin/chromium ]; then
  echo "== installing chromium"
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi
bash "$root/.ci/require-node.sh"
cd "$here"
if [ ! -d node_modules/playwright-core ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

jar="$module/target/ferrumdb-studio-0.1.0-SNAPSHOT-standalone.jar"
core_tests="$root/ferrumdb-core/target/ferrumdb-core-0.1.0-SNAPSHOT-tests.jar"
# The jar runs the engine and documents jars copied beside it (target/lib) at package time, so a change in
# ferrumdb-core or ferrumdb-doc (the modules ferrumdb-studio/pom.xml names) must rebuild it too; the launcher and
# HeldCreation are test classes of ferrumdb-studio and ferrumdb-core.
sources=("$root/pom.xml" "$module/src/test/java/io/ferrumdb/studio/HeldStudioMain.java"
  "$root/ferrumdb-core/src/test/java/io/ferrumdb/HeldCreation.java")
for m in ferrumdb-studio ferrumdb-core ferrumdb-doc; do sources+=("$root/$m/pom.xml" "$root/$m/src/main"); done
if [ ! -f "$jar" ] || [ ! -f "$core_tests" ] || [ ! -f "$module/target/test-classes/io/ferrumdb/studio/HeldStudioMain.class" ] \
    || [ -n "$(find "${sources[@]}" -newer "$jar" -print -quit)" ]; then
  (cd "$root" && mvn -B -q -ntp -pl ferrumdb-studio -am package -DskipTests)
fi

work="$(mktemp -d)"
studio_pid=""
cleanup() {
  if [ -n "$studio_pid" ]; then
    kill "$studio_pid" 2>/dev/null || true
    wait "$studio_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

control="$work/control"
mkfifo "$control"
# Held open read-write here, so that neither Studio's read nor the test's writes wait for the other end.
exec 3<>"$control"
java -cp "$jar:$module/target/test-classes:$core_tests" io.ferrumdb.studio.HeldStudioMain "$work/db" \
  <&3 >"$work/studio.out" 2>&1 &
studio_pid=$!
url=""
for _ in $(seq 1 600); do
  url="$(grep -o 'http://127\.0\.0\.1:[0-9]*/?token=[A-Za-z0-9_-]*' "$work/studio.out" || true)"
  [ -n "$url" ] && break
  kill -0 "$studio_pid" 2>/dev/null || { cat "$work/studio.out"; echo "Studio did not start" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { cat "$work/studio.out"; echo "Studio printed no URL within 60 s" >&2; exit 1; }

STUDIO_URL="$url" STUDIO_JAR="$jar" STUDIO_CONTROL="$control" SCREENSHOT_DIR="$module/target/screenshots" BACKUP_DIR="$work/backup" node --test
