#!/usr/bin/env bash
# The Node.js binding's tests on a fresh machine, against the package as users install it: checks for Node.js 20+
# with npm, builds bindings/dist/ferrumdb-<version>.tgz with bindings/package.sh, installs it into a fresh
# Node.js project, and runs the tests there with Node's built-in runner; type-checks index.d.ts against
# documented usage first. FERRUMDB_SKIP_PACKAGE=true reuses the packages already in bindings/dist.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$here"

# The package needs Node.js 20+ (package.json "engines"). Debian 12's own nodejs is 18, so installing it here would
# test a runtime the package does not support: stop and say what to install instead (README, "Which Node.js").
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo none)
if [ "$node_major" = none ] || [ "$node_major" -lt 20 ] || ! command -v npm >/dev/null; then
  echo "bindings/node/run-tests.sh: needs Node.js 20 or newer with npm (found node: $node_major; npm:" \
    "$(command -v npm || echo none)); Debian 12's nodejs is 18: install a Node.js 20+ build such as NodeSource's" \
    "nodejs package, which contains npm (README.md, 'Which Node.js')" >&2
  exit 1
fi
# The type check's compiler, pinned by package-lock.json. `npm install`, not `npm ci`: npm 11 leaves the other
# platforms' optional java-bridge binaries out of the lock file it writes, and `npm ci` then refuses it as out of
# sync; `npm install` installs the locked versions.
if [ ! -d node_modules/typescript ] || ! npm ls --depth=0 >/dev/null 2>&1; then
  npm install --no-audit --no-fund
fi
./node_modules/.bin/tsc -p types-test/tsconfig.json

[ "${FERRUMDB_SKIP_PACKAGE:-false}" = true ] || bash "$root/bindings/package.sh" >/dev/null
version=$(node -p 'require("./package.json").version')
tgz="$root/bindings/dist/ferrumdb-$version.tgz"

project=$(mktemp -d)
nojar=$(mktemp -d)
trap 'rm -rf "$project" "$nojar"' EXIT

# A package packed without the jar refuses to pack, naming the missing file.
cp -r package.json index.js index.mjs index.d.ts lib scripts "$nojar/"
if (cd "$nojar" && npm pack --silent >"$nojar/pack.log" 2>&1); then
  echo "FAIL: npm pack made a package without the jar" >&2; exit 1
fi
grep -q "refusing to pack ferrumdb without the engine jar" "$nojar/pack.log" \
  || { echo "FAIL: the refusal does not name the jar:" >&2; cat "$nojar/pack.log" >&2; exit 1; }
echo "ok: no package without the jar"

cd "$project"
npm init -y >/dev/null
npm install --no-audit --no-fund --loglevel=error "$tgz"
[ -f node_modules/ferrumdb/jars/ferrumdb-bindings.jar ] || { echo "the installed package has no jar" >&2; exit 1; }
cp -r "$here/test" "$project/test"
FERRUMDB_README="$root/README.md" node --test test/
