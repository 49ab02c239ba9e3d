#!/usr/bin/env bash
# The whole test suite: every Maven module, then the language bindings' own suites.
# Installs what it needs (Maven resolves Java dependencies; Debian and npm packages are installed when missing).
# Long soak and fault campaigns: FERRUMDB_SOAK=true ./run-tests.sh
set -euo pipefail
cd "$(dirname "$0")"
soak=${FERRUMDB_SOAK:-false}
echo "== Java $(java -version 2>&1 | head -1)"
mvn -B -ntp -Dferrumdb.soak="$soak" verify
[ "${FERRUMDB_SKIP_BINDINGS:-false}" = true ] && exit 0
for suite in ferrumdb-studio/browser-test/run-tests.sh ferrumdb-server/client-tests/run-tests.sh \
    ferrumdb-mcp/client-test/run-tests.sh bindings/*/run-tests.sh; do
  [ -f "$suite" ] || continue
  echo "== $suite"
  bash "$suite"
done
