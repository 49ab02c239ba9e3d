#!/usr/bin/env bash
# Real Redis clients against `ferrumdb serve` (issue 19): redis-cli, redis-py (Debian's python3-redis), ioredis
# and node-redis (npm `redis`), each doing strings, hashes, expiry, transactions and pipelining; then two agents, one in
# Python and one in Node.js, sharing one memory through the server. Installs what it needs on a fresh Debian
# machine (redis-tools, python3-redis; npm ci here); Node.js 20+ with npm must be there (.ci/require-node.sh).
# The Java clients (Jedis, Lettuce) run in the Maven suite.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
py=/usr/bin/python3

missing=()
command -v redis-cli >/dev/null || missing+=(redis-tools)
command -v openssl >/dev/null || missing+=(openssl)
"$py" -c 'import redis' 2>/dev/null || missing+=(python3-redis)
if [ ${#missing[@]} -gt 0 ]; then
  if ! apt-get install -y --no-install-recommends "${missing[@]}"; then
    apt-get update
    apt-get install -y --no-install-recommends "${missing[@]}"
  fi
fi
bash "$root/.ci/require-node.sh"
(cd "$here" && npm ci --no-audit --no-fund --silent)

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# Starts `ferrumdb serve` on a free port with the given serve options; leaves its PID in $pid, its port in $port.
start_server() { # name [serve options]
  local name=$1
  shift
  "$root/ferrumdb" --db "$work/$name" serve --port 0 "$@" > "$work/$name.out" 2>&1 &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 1 600); do
    grep -q 'over the Redis protocol on' "$work/$name.out" && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/$name.out" >&2; exit 1; }
    sleep 0.2
  done
  port=$(sed -n 's/.*over the Redis protocol on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/$name.out")
  [ -n "$port" ] || { echo "the server printed no address" >&2; cat "$work/$name.out" >&2; exit 1; }
}

# TLS (--tls-cert-file/--tls-key-file): redis-cli --tls trusting a certificate made here, as Redis's tests do.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
  -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null
start_server tls --tls-cert-file "$work/tls.crt" --tls-key-file "$work/tls.key"
grep -q ', TLS)' "$work/tls.out"
bash "$here/test_redis_cli.sh" "$port" --tls --cacert "$work/tls.crt"
if redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; then
  echo "a plain-text client got a reply from the TLS server" >&2; exit 1
fi
redis-cli -p "$port" --tls --cacert "$work/tls.crt" shutdown >/dev/null 2>&1 || true
wait "$pid"

start_server db

bash "$here/test_redis_cli.sh" "$port"
"$py" "$here/test_redis_py.py" "$port"
node "$here/test_ioredis.mjs" "$port"
node "$here/test_node_redis.mjs" "$port"

# Two agent processes, two languages, one memory.
"$py" "$here/agents/memory_agent.py" "$port" py js &
agent_py=$!
node "$here/agents/memory_agent.mjs" "$port" js py
wait "$agent_py"
[ "$(redis-cli -p "$port" hlen memory:facts)" = 20 ] && [ "$(redis-cli -p "$port" get memory:version)" = 20 ]

# SHUTDOWN stops the server cleanly (the database is closed; the process exits 0).
redis-cli -p "$port" shutdown >/dev/null 2>&1 || true
wait "$pid"
echo "client tests: ok"
