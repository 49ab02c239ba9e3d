#!/usr/bin/env bash
# `ferrumdb serve` against redis-server, side by side in one run, with redis-benchmark (issue 19):
# 50 clients, 100-byte values, random keys over 100,000; durable (FerrumDB --fsync always vs Redis appendonly yes
# + appendfsync always) and relaxed (periodic:1s vs appendfsync everysec), each without and with -P 16.
# The ratio FerrumDB/Redis is the figure (the machine's noise hits both alike); docs/benchmarks.md quotes it.
#
# Every row is measured BENCH_REPEATS times (default 3), Redis and FerrumDB alternating, so that both see the
# same minutes of a shared machine; the table gives the median requests/s of each and the ratio of the medians,
# with the lowest and highest per-repeat ratio beside it. Before measuring, both servers get one untimed run of
# every test (the JVM's JIT warm-up; Redis gets the same load so both hold the same keys). For the SET rows the
# durable table also gives FerrumDB's records per fsync (INFO persistence) and the load average at the end of the row.
#
#   ferrumdb-bench/run-server-bench.sh      (BENCH_REQUESTS=N requests per run, default 50000; BENCH_REPEATS=N;
#                                            BENCH_CLIENTS=N connections, default 50; BENCH_MODES="always" for the
#                                            durable rows only, default "always everysec")
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
requests=${BENCH_REQUESTS:-50000}
repeats=${BENCH_REPEATS:-3}
clients=${BENCH_CLIENTS:-50}
modes=${BENCH_MODES:-always everysec}
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
  until grep -qs 'over the Redis protocol on' "$out"; do sleep 0.2; done
  port=$(sed -n 's/.*over the Redis protocol on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$out")
}

rps() { # port test pipeline -> requests per second
  redis-benchmark -p "$1" -t "$2" -n "$requests" -c "$clients" -d 100 -r 100000 -P "$3" --csv 2>/dev/null \
    | awk -F'"' -v t="${2^^}" '$2 == t { print $4 }'
}

fsyncs() { redis-cli -p "$1" info persistence | tr -d '\r' | sed -n 's/^ferrumdb_fsyncs://p'; }

median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

"$root/ferrumdb" --version >/dev/null   # builds the jar now, outside the timings
printf '%-9s %-4s %-3s %11s %11s %7s %13s %12s %5s\n' mode test P redis-rps ferrumdb-rps ratio 'ratio-range' \
  'rec/fsync' load
echo "clients $clients, $requests requests per run, $repeats repeats"
for mode in $modes; do
  start_redis "$mode"
  rport=$port
  start_ferrumdb "$([ "$mode" = always ] && echo always || echo periodic:1s)"
  fport=$port
  for warm in "set 16" "get 16" "set 1" "get 1"; do
    rps "$fport" $warm >/dev/null; rps "$rport" $warm >/dev/null
  done
  for pipeline in 1 16; do
    for t in set get; do
      rs=(); fs=(); ratios=(); synced=0
      for ((i = 0; i < repeats; i++)); do
        r=$(rps "$rport" "$t" "$pipeline")
        f0=$(fsyncs "$fport")
        f=$(rps "$fport" "$t" "$pipeline")
        synced=$((synced + $(fsyncs "$fport") - f0))
        rs+=("$r"); fs+=("$f"); ratios+=("$(awk -v a="$f" -v b="$r" 'BEGIN { printf "%.2f", a / b }')")
      done
      rm=$(echo "${rs[*]}" | median); fm=$(echo "${fs[*]}" | median)
      lo=$(printf '%s\n' "${ratios[@]}" | sort -g | head -1); hi=$(printf '%s\n' "${ratios[@]}" | sort -g | tail -1)
      per=$([ "$mode" = always ] && [ "$t" = set ] && [ "$synced" -gt 0 ] && awk -v n=$((requests * repeats)) -v s="$synced" \
        'BEGIN { printf "%.1f", n / s }' || echo -)
      printf '%-9s %-4s %-3s %11.0f %11.0f %6.2fx %13s %12s %5s\n' "$mode" "$t" "$pipeline" "$rm" "$fm" \
        "$(awk -v a="$fm" -v b="$rm" 'BEGIN { print a / b }')" "${lo}-${hi}x" "$per" \
        "$(cut -d' ' -f1 /proc/loadavg)"
    done
  done
  kill "${pids[@]}" 2>/dev/null || true
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
done
