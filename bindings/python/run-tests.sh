#!/usr/bin/env bash
# The Python binding's tests on a fresh Debian machine, against the package as users install it: installs
# python3-jpype, python3-pytest, python3-venv, python3-setuptools and python3-wheel when missing, builds
# bindings/dist/ferrumdb-<version>-py3-none-any.whl with bindings/package.sh, installs it into a fresh virtualenv
# of Debian's /usr/bin/python3 (--system-site-packages, so that Debian's JPype is visible) and runs the tests
# with that venv's interpreter, from outside the source folder. FERRUMDB_SKIP_PACKAGE=true reuses the packages
# already in bindings/dist.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# Debian's interpreter: python3-jpype installs for it, whatever python3 comes first on PATH.
py=/usr/bin/python3

missing=()
"$py" -c 'import jpype' 2>/dev/null || missing+=(python3-jpype)
"$py" -c 'import pytest' 2>/dev/null || missing+=(python3-pytest)
"$py" -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
"$py" -c 'import setuptools, wheel' 2>/dev/null || missing+=(python3-setuptools python3-wheel)
if [ ${#missing[@]} -gt 0 ]; then
  if ! apt-get install -y --no-install-recommends "${missing[@]}"; then
    apt-get update
    apt-get install -y --no-install-recommends "${missing[@]}"
  fi
fi

[ "${FERRUMDB_SKIP_PACKAGE:-false}" = true ] || bash "$root/bindings/package.sh" >/dev/null
version=$("$py" -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["project"]["version"])' \
  "$here/pyproject.toml")
wheel="$root/bindings/dist/ferrumdb-$version-py3-none-any.whl"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$py" -m venv --system-site-packages "$work/venv"
"$work/venv/bin/pip" install -q --no-index "$wheel"

# A package built without the jar refuses to build, naming the missing file.
mkdir "$work/nojar"
cp -r "$here/pyproject.toml" "$here/setup.py" "$here/README.md" "$here/src" "$work/nojar/"
rm -rf "$work/nojar/src/ferrumdb/jars"
if "$work/venv/bin/pip" wheel -q --no-index --no-build-isolation --no-deps -w "$work/nojar-dist" "$work/nojar" \
    >"$work/nojar.log" 2>&1; then
  echo "FAIL: a wheel was built without the jar" >&2; exit 1
fi
grep -q "refusing to build ferrumdb without the engine jar" "$work/nojar.log" \
  || { echo "FAIL: the refusal does not name the jar:" >&2; cat "$work/nojar.log" >&2; exit 1; }
echo "ok: no wheel without the jar"
cp -r "$here/tests" "$work/tests"
cd "$work"
FERRUMDB_README="$root/README.md" "$work/venv/bin/python" -m pytest -q -p no:cacheprovider tests
