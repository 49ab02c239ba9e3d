#!/usr/bin/env bash
# The Node.js binding's tests on a fresh machine: installs the npm packages pinned by package-lock.json, builds the
# FerrumDB jar and copies it into the package, type-checks index.d.ts against documented usage, then runs the
# tests with Node's built-in runner.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$here"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  if ! apt-get install -y --no-install-recommends nodejs npm; then
    apt-get update
    apt-get install -y --no-install-recommends nodejs npm
  fi
fi
# package.json and the lock file pin java-bridge to exactly 2.8.0 (2.8.1 needs a newer glibc than Debian 12 has).
# `npm install`, not `npm ci`: npm 11 leaves the other platforms' optional java-bridge binaries out of the lock
# file it writes, and `npm ci` then refuses it as out of sync; `npm install` installs the locked versions.
if [ ! -d node_modules/java-bridge ] || ! npm ls --depth=0 >/dev/null 2>&1; then
  npm install --no-audit --no-fund
fi

(cd "$root" && mvn -B -q -ntp -pl ferrumdb-bindings-jar -am package -DskipTests)
mkdir -p jars
cp "$root/ferrumdb-bindings-jar/target/ferrumdb-bindings.jar" jars/

./node_modules/.bin/tsc -p types-test/tsconfig.json
node --test test/
