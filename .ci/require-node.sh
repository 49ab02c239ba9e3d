#!/usr/bin/env bash
# Checks that Node.js 20 or newer and npm are on PATH, for the suites that run Node.js (Studio's browser test, the
# Redis client tests, the MCP client test, the Node.js binding). Installs nothing: Debian 12's own `nodejs` is 18,
# below what the Node.js binding needs, and Debian's `npm` conflicts with NodeSource's `nodejs` (which carries
# npm), so `apt-get install nodejs npm` is never the right fix here. README, "Python and Node.js bindings", says
# which Node.js to install. Exits 1 naming what is missing or too old.
set -euo pipefail
required=20
howto="install a Node.js $required+ build that includes npm, such as NodeSource's nodejs package (README, \"Python and Node.js bindings\")"
if ! command -v node >/dev/null; then
  echo "node is not on PATH: $howto" >&2
  exit 1
fi
version=$(node --version)
major=${version#v}
major=${major%%.*}
if ! [[ "$major" =~ ^[0-9]+$ ]] || [ "$major" -lt "$required" ]; then
  echo "node $version ($(command -v node)) is older than Node.js $required: $howto" >&2
  exit 1
fi
if ! command -v npm >/dev/null; then
  echo "npm is not on PATH beside node $version ($(command -v node)): $howto" >&2
  exit 1
fi
