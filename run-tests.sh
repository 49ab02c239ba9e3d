#!/usr/bin/env bash
# The whole test suite: every Maven module, then the language bindings' own suites.
# Installs what it needs (Maven resolves Java dependencies; Debian and npm packages are installed when missing).
# Long soak and fault campaigns: FERRUMDB_SOAK=true ./run-tests.sh
#
# Every part runs even when an earlier one failed (Maven with --fail-at-end, then each suite regardless), so
# that one failure does not hide the others; the script exits non-zero at the end and lists what failed.
set -uo pipefail
cd "$(dirname "$0")"
soak=${FERRUMDB_SOAK:-false}
failed=()
echo "== Java $(java -version 2>&1 | head -1)"
if ! mvn -B -ntp --fail-at-end -Dferrumdb.soak="$soak" verify; then
  failed+=("maven (see the reactor summary above for the modules)")
fi
if [ "${FERRUMDB_SKIP_BINDINGS:-false}" != true ]; then
  for suite in ferrumdb-studio/browser-test/run-tests.sh ferrumdb-server/client-tests/run-tests.sh \
      ferrumdb-mcp/client-test/run-tests.sh bindings/*/run-tests.sh; do
    [ -f "$suite" ] || continue
    echo "== $suite"
    if ! bash "$suite"; then
      failed+=("$suite")
    fi
  done
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "== FAILED:"
  printf '   %s\n' "${failed[@]}"
  exit 1
fi
echo "== all suites passed"
