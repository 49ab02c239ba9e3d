#!/usr/bin/env bash
# Builds the engine jar through the Maven reactor (never `mvn install`) and writes, each with the jar inside:
#   bindings/dist/ferrumdb-<version>-py3-none-any.whl   pip install bindings/dist/ferrumdb-*.whl
#   bindings/dist/ferrumdb-<version>.tgz                 npm install /path/to/bindings/dist/ferrumdb-<version>.tgz
# Both packages are built from a staging copy, so the source folders stay clean. Each package's own build refuses
# to run without the jar (bindings/python/setup.py, bindings/node/scripts/require-jar.js).
# Needs: a JDK and Maven, /usr/bin/python3 with python3-venv, python3-setuptools and python3-wheel, node and npm.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
dist="$here/dist"
py=/usr/bin/python3

version=$("$py" -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["project"]["version"])' \
  "$here/python/pyproject.toml")
node_version=$(node -p 'require(process.argv[1]).version' "$here/node/package.json")
if [ "$version" != "$node_version" ]; then
  echo "package.sh: bindings/python is version $version but bindings/node is $node_version; make them equal" >&2
  exit 1
fi

# Maven's output goes to stderr: stdout is only the two package paths below, for scripts (Maven 3.8 prints colour
# resets, ESC[0m, to stdout even with -B -q).
# Minutes on a first build, with nothing to show meanwhile (-q): say so, rather than look hung.
echo "package.sh: building the engine jar with Maven (a few minutes the first time)..." >&2
(cd "$root" && mvn -B -q -ntp -pl ferrumdb-bindings-jar -am package -DskipTests) >&2
echo "package.sh: writing the Python wheel and the Node.js package..." >&2
jar="$root/ferrumdb-bindings-jar/target/ferrumdb-bindings.jar"
[ -f "$jar" ] || { echo "package.sh: the Maven build did not produce $jar" >&2; exit 1; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$dist"
rm -f "$dist/ferrumdb-$version-py3-none-any.whl" "$dist/ferrumdb-$version.tgz"

# Python: a wheel built by pip in a throwaway venv that sees Debian's setuptools and wheel (no package index).
mkdir -p "$stage/python"
cp -r "$here/python/pyproject.toml" "$here/python/setup.py" "$here/python/README.md" "$here/python/src" "$stage/python/"
rm -rf "$stage/python/src/ferrumdb/jars" "$stage/python/src/ferrumdb/__pycache__"
mkdir -p "$stage/python/src/ferrumdb/jars"
cp "$jar" "$stage/python/src/ferrumdb/jars/ferrumdb-bindings.jar"
"$py" -m venv --system-site-packages "$stage/venv"
"$stage/venv/bin/pip" wheel -q --no-index --no-build-isolation --no-deps -w "$dist" "$stage/python"

# Node.js: npm pack of the files package.json lists.
mkdir -p "$stage/node"
cp -r "$here/node/package.json" "$here/node/README.md" "$here/node/index.js" "$here/node/index.mjs" \
  "$here/node/index.d.ts" "$here/node/lib" "$here/node/scripts" "$stage/node/"
mkdir -p "$stage/node/jars"
cp "$jar" "$stage/node/jars/ferrumdb-bindings.jar"
(cd "$stage/node" && npm pack --silent --pack-destination "$dist" >/dev/null)

for f in "ferrumdb-$version-py3-none-any.whl" "ferrumdb-$version.tgz"; do
  [ -f "$dist/$f" ] || { echo "package.sh: $dist/$f was not written" >&2; exit 1; }
done
echo "$dist/ferrumdb-$version-py3-none-any.whl"
echo "$dist/ferrumdb-$version.tgz"
