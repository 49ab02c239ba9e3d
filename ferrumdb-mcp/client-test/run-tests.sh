#!/usr/bin/env bash
# The MCP client suite: the official TypeScript SDK client and the MCP Inspector CLI drive `ferrumdb mcp` (stdio)
# and `ferrumdb mcp --http` (streamable HTTP).
# Needs Node.js 20+ with npm (.ci/require-node.sh); installs its pinned npm packages itself (npm ci) and builds the
# ferrumdb command on first use.
set -euo pipefail
cd "$(dirname "$0")"
bash ../../.ci/require-node.sh
npm ci --no-audit --no-fund --loglevel=error
node --test --test-concurrency=1
