#!/usr/bin/env bash
# `ferrumdb serve` against redis-server, side by side in one run, with redis-benchmark (issue 19):
# 50 clients, 100-byte values, random keys; durable (FerrumDB --fsync always vs Redis appendonly yes +
# appendfsync always) and relaxed (periodic:1s vs appendfsync everysec), each without and with -P 16.
# The ratio FerrumDB/Redis is the figure (the machine's noise hits both alike); docs/benchmarks.md quotes it.
#
#   ferrumdb-bench/run-server-bench.sh            (BENCH_REQUESTS=N to change the request count, default 50000)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
requests=${BENCH_REQUESTS:-50000}
command -v redis-benchmark >/dev/null && command -v redis-server >/dev/null || {
  apt-get install -y --no-install-recommends redis-server redis-tools || { apt-get update &&
    apt-get install -y --no-install-recommends redis-server redis-tools; }
}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The start_* functions run in this shell (not in $(...)), so that the PIDs they record are this shell's to stop;
# they leave the port in $port.
start_redis() { # fsync-mode
  local dir
  port=$(free_port); dir="$work/redis-$1"; mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly yes --appendfsync "$1" --dir "$dir" \
    --daemonize no > "$dir/log" 2>&1 &
  pids+=($!)
  until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.1; done
}

start_ferrumdb() { # fsync-policy
  local out="$work/ferrumdb-${1//:/}.out"
  # A long-running server wants the optimising JIT, not the launcher's quick-start flags (C1 only, serial GC).
  FERRUMDB_JAVA_OPTS=${SERVE_JAVA_OPTS:--XX:+UseParallelGC} "$root/ferrumdb" --db "$work/ferrumdb-${1//:/}" --fsync "$1" serve --port 0 > "$out" 2>&1 &
  pids+=($!)
  until grep -q 'over the Redis protocol on' "$out"; do sleep 0.2; done
  port=$(sed -n 's/.*over the Redis protocol on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$out")
}

rps() { # port test pipeline -> requests per second
  redis-benchmark -p "$1" -t "$2" -n "$requests" -c 50 -d 100 -r 100000 -P "$3" --csv 2>/dev/null \
    | awk -F'"' -v t="${2^^}" '$2 == t { print $4 }'
}

"$root/ferrumdb" --version >/dev/null   # builds the jar now, outside the timings
printf '%-10s %-4s %-3s %12s %12s %7s\n' mode test P redis-rps ferrumdb-rps ratio
for mode in always everysec; do
  start_redis "$mode"
  rport=$port
  start_ferrumdb "$([ "$mode" = always ] && echo always || echo periodic:1s)"
  fport=$port
  # JIT warm-up of the server (and the same load on Redis, so both see one extra run).
  rps "$fport" set 16 >/dev/null; rps "$rport" set 16 >/dev/null
  for pipeline in 1 16; do
    for t in set get; do
      r=$(rps "$rport" "$t" "$pipeline")
      f=$(rps "$fport" "$t" "$pipeline")
      printf '%-10s %-4s %-3s %12s %12s %7s\n' "$mode" "$t" "$pipeline" "$r" "$f" \
        "$(awk -v a="$f" -v b="$r" 'BEGIN { printf "%.2fx", a / b }')"
    done
  done
  kill "${pids[@]}" 2>/dev/null || true
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
done
