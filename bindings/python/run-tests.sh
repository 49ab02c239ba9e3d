#!/usr/bin/env bash
# The Python binding's tests on a fresh Debian machine: installs python3-jpype and python3-pytest when missing,
# builds the FerrumDB jar, copies it into the package, runs the tests from the source folder and then once from
# a pip-installed copy in a venv (what the README tells users to do).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# Debian's interpreter: python3-jpype installs for it, whatever python3 comes first on PATH.
py=/usr/bin/python3

missing=()
"$py" -c 'import jpype' 2>/dev/null || missing+=(python3-jpype)
"$py" -c 'import pytest' 2>/dev/null || missing+=(python3-pytest)
"$py" -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  if ! apt-get install -y --no-install-recommends "${missing[@]}"; then
    apt-get update
    apt-get install -y --no-install-recommends "${missing[@]}"
  fi
fi

(cd "$root" && mvn -B -q -ntp -pl ferrumdb-bindings-jar -am package -DskipTests)
mkdir -p "$here/src/ferrumdb/jars"
cp "$root/ferrumdb-bindings-jar/target/ferrumdb-bindings.jar" "$here/src/ferrumdb/jars/"

cd "$here"
PYTHONPATH="$here/src" "$py" -m pytest -q -p no:cacheprovider tests

# The packaged form: a venv that sees Debian's JPype, the package installed without any index.
venv=$(mktemp -d)
trap 'rm -rf "$venv" "$here/build" "$here"/src/*.egg-info' EXIT
"$py" -m venv --system-site-packages "$venv"
"$venv/bin/pip" install -q --no-index --no-build-isolation "$here"
(cd "$venv" && "$venv/bin/python" - <<'PY')
import tempfile, ferrumdb
from pathlib import Path
assert Path(ferrumdb.__file__).is_relative_to(Path(__import__("sys").prefix)), ferrumdb.__file__
assert (Path(ferrumdb.__file__).parent / "py.typed").is_file()
with tempfile.TemporaryDirectory() as d, ferrumdb.open(d) as db:
    db["k"] = "v"
    assert db["k"] == b"v"
print("installed package works:", ferrumdb.__file__)
PY
