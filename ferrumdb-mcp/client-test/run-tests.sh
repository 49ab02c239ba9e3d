#!/usr/bin/env bash
# The MCP client suite: the official TypeScript SDK client and the MCP Inspector CLI drive `ferrumdb mcp` (stdio)
# and `ferrumdb mcp --http` (streamable HTTP).
# Installs its pinned npm packages itself (npm ci) and builds the ferrumdb command on first use.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v npm >/dev/null; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq && $sudo apt-get install -y -qq nodejs npm
fi
npm ci --no-audit --no-fund --loglevel=error
node --test --test-concurrency=1
