#!/usr/bin/env bash
# YCSB 0.17.0 (site.ycsb:core) workloads A-F against FerrumDB and RocksDB, side by side in one run (issue 18).
#   ferrumdb-bench/run-ycsb.sh [repeats]       # default 3 repeats
#   ferrumdb-bench/run-ycsb.sh --summary DIR   # recomputes DIR/summary.md from DIR/results.tsv
# Environment (the same for both engines): YCSB_RECORDS (100000), YCSB_OPS (5000000 for A, B, C, D, F: see below),
# YCSB_OPS_E (50000: an E operation scans up to 100 records), YCSB_THREADS (2), YCSB_FIELDS (1),
# YCSB_FIELD_LENGTH (100), YCSB_HEAP (1g), YCSB_SETTLE (1; 0 = off), YCSB_WORKLOADS (a b c f d e: the run phases, in this order; E always
# on a fresh load), YCSB_JAR (unset: build this checkout's benchmarks.jar; set: run that jar instead, e.g. one built
# at another commit, to measure it with the same script), YCSB_JAVA_OPTS (unset: none; extra options of the YCSB client
# JVMs, split on spaces; @RUN@ in them becomes the run's path without its .txt, e.g.
# YCSB_JAVA_OPTS='-XX:StartFlightRecording=settings=profile,filename=@RUN@.jfr' records each run's own JFR file
# beside its output; the settling JVMs do not get them).
# Per repeat: load both engines into fresh directories, run A, B, C, F, D on them (YCSB's recommended order;
# D inserts), then load both again and run E. Before every run phase both stores are settled outside YCSB's timed
# section (YcsbSettle: FerrumDB compacts, RocksDB flushes and compacts its range), so that no phase pays for the
# previous one's backlog (before run 6 of the YCSB section they were not). Every run is its own JVM (site.ycsb.Client); the two engines
# alternate run by run, and which one goes first flips every repeat, so that drifts of the machine's load fall on
# both. The figure is YCSB's [OVERALL] Throughput; the ratio is FerrumDB / RocksDB within one repeat.
# Output: docs/benchmarks-data/ycsb-<stamp>[-N]/ (each run's YCSB output, results.tsv with the load average before
# each run, summary.md with medians and ratio ranges), quoted by hand in docs/benchmarks.md, section "YCSB".
# YCSB times a run from before its threads call DB.init (which opens the store) to after DB.cleanup (which closes
# it): the bindings log both durations to stderr, and results.tsv keeps them beside YCSB's RunTime, so that the
# summary can also give the operations' own throughput, opening and closing taken out, for both engines alike.
set -euo pipefail
# Medians per engine, the median and range of the per-repeat ratios FerrumDB / RocksDB.
summarize() {
awk -F'\t' '
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  /^#/ || $1 == "repeat" { next }
  {
    row = $3 " " $4
    v[row, $2, $1] = $5
    if (!(row in seen)) { seen[row] = 1; order[++rows] = row }
    if ($1 > repeats) repeats = $1
    loads = loads " " $6
    # Columns 7-10 (operations, RunTime ms, open ms, close ms) exist from run 6 of the YCSB section on.
    if (NF >= 10 && $8 - $9 - $10 > 0) { timed = 1; w[row, $2, $1] = $7 / (($8 - $9 - $10) / 1000); oc[row, $2, $1] = $9 + $10 }
    if (minload == "" || $6 + 0 < minload + 0) minload = $6
    if (maxload == "" || $6 + 0 > maxload + 0) maxload = $6
  }
  END {
    print "| Phase | Workload | FerrumDB ops/s (median) | RocksDB ops/s (median) | Ratio of medians | Median per-repeat ratio | Per-repeat ratios (min-max) |"
    print "|---|---|---:|---:|---:|---:|---|"
    for (k = 1; k <= rows; k++) {
      row = order[k]; fl = ""; rl = ""; lo = ""; hi = ""; ratios = ""
      for (r = 1; r <= repeats; r++) {
        f = v[row, "ferrumdb", r]; q = v[row, "rocksdb", r]
        fl = fl " " f; rl = rl " " q; ratio = f / q; ratios = ratios " " ratio
        if (lo == "" || ratio < lo) lo = ratio
        if (hi == "" || ratio > hi) hi = ratio
      }
      split(row, p, " ")
      fm = median(fl); rm = median(rl)
      printf "| %s | %s | %.0f | %.0f | %.2fx | %.2fx | %.2f-%.2fx |\n", p[1], toupper(p[2]), fm, rm, fm / rm, median(ratios), lo, hi
    }
    printf "\nLoad average (1 min) before each run: median %s, range %s-%s\n", median(loads), minload, maxload
    if (!timed) exit
    print "\nWithout opening and closing the store (operations / (RunTime - open - close), medians; open and close in ms):\n"
    print "| Phase | Workload | FerrumDB ops/s | RocksDB ops/s | Ratio of medians | Median per-repeat ratio | FerrumDB open + close ms | RocksDB open + close ms |"
    print "|---|---|---:|---:|---:|---:|---:|---:|"
    for (k = 1; k <= rows; k++) {
      row = order[k]; fl = ""; rl = ""; ratios = ""; fo = ""; ro = ""
      for (r = 1; r <= repeats; r++) {
        f = w[row, "ferrumdb", r]; q = w[row, "rocksdb", r]
        fl = fl " " f; rl = rl " " q; ratios = ratios " " f / q
        fo = fo " " oc[row, "ferrumdb", r]; ro = ro " " oc[row, "rocksdb", r]
      }
      split(row, p, " ")
      printf "| %s | %s | %.0f | %.0f | %.2fx | %.2fx | %.0f | %.0f |\n", p[1], toupper(p[2]), median(fl), median(rl), median(fl) / median(rl), median(ratios), median(fo), median(ro)
    }
  }' "$1/results.tsv" > "$1/summary.md"
}

if [ "${1:-}" = --summary ]; then
  summarize "$2"
  cat "$2/summary.md"
  exit 0
fi
repeats=${1:-3}
records=${YCSB_RECORDS:-100000}
# 5,000,000 operations a run (since session 28; 500,000 before): a run of 500,000 lasts 0.4-3 s here, much of it
# the client JVM's JIT warm-up (its compiler threads take 36-42% of the CPU then, docs/benchmarks.md "Session 28: what
# each client JVM compiles"), which measures a fresh JVM rather than the engine. At 5,000,000 a run lasts 4-35 s.
# Shorter runs stay one variable away (YCSB_OPS=500000), and docs/benchmarks.md reports both lengths.
ops=${YCSB_OPS:-5000000}
ops_e=${YCSB_OPS_E:-50000}
threads=${YCSB_THREADS:-2}
fields=${YCSB_FIELDS:-1}
field_length=${YCSB_FIELD_LENGTH:-100}
heap=${YCSB_HEAP:-1g}
settle=${YCSB_SETTLE:-1}
read -r -a workloads_run <<< "${YCSB_WORKLOADS:-a b c f d e}"
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [ -z "${YCSB_JAR:-}" ]; then
  mvn -B -q -ntp -pl ferrumdb-bench -am package -DskipTests
fi
run_dir=ferrumdb-bench/target/ycsb-run
mkdir -p "$run_dir"
# Run from a copy so that a rebuild during the run does not pull the jar from under the client JVMs.
cp "${YCSB_JAR:-ferrumdb-bench/target/benchmarks.jar}" "$run_dir/benchmarks.jar"
jar="$run_dir/benchmarks.jar"
# Named by the minute; a second run started in the same minute gets a suffix instead of overwriting the first
# one's results.tsv (short runs back to back did).
out=docs/benchmarks-data/ycsb-$(date -u +%Y-%m-%dT%H%M)
if [ -e "$out" ]; then
  n=2
  while [ -e "$out-$n" ]; do n=$((n + 1)); done
  out="$out-$n"
fi
mkdir -p "$out"
data="$run_dir/data"
workloads=ferrumdb-bench/ycsb-workloads
flags=(-Xmx"$heap" -Xms"$heap")
feature=$(java -XshowSettings:properties -version 2>&1 | awk '/java.specification.version/ {print $3}')
if [ "${feature%%.*}" -ge 24 ]; then
  flags+=(--enable-native-access=ALL-UNNAMED)
fi
{
  echo "# jar=${YCSB_JAR:-this checkout, built}"
  echo "# ycsb run $(date -u +%FT%TZ): repeats=$repeats records=$records ops=$ops ops_e=$ops_e threads=$threads workloads=${workloads_run[*]} settle=$settle"
  echo "# fieldcount=$fields fieldlength=$field_length heap=$heap java=$(java -version 2>&1 | head -1)"
  echo "# cpus=$(nproc) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  printf 'repeat\tengine\tphase\tworkload\tthroughput_ops_s\tloadavg_1m_before\toperations\truntime_ms\topen_ms\tclose_ms\n'
} > "$out/results.tsv"

db_class() { case $1 in ferrumdb) echo io.ferrumdb.bench.ycsb.FerrumDbYcsb ;; rocksdb) echo io.ferrumdb.bench.ycsb.RocksDbYcsb ;; esac; }

# ycsb REPEAT ENGINE PHASE(load|run) WORKLOAD OPS
ycsb() {
  local repeat=$1 engine=$2 phase=$3 workload=$4 count=$5
  local log="$out/r$repeat-$engine-$phase-$workload.txt"
  local load1
  load1=$(cut -d' ' -f1 /proc/loadavg)
  local flag=-t
  [ "$phase" = load ] && flag=-load
  local extra=()
  read -r -a extra <<< "${YCSB_JAVA_OPTS:-}"
  extra=("${extra[@]/@RUN@/${log%.txt}}")
  if ! java "${flags[@]}" "${extra[@]}" -cp "$jar" site.ycsb.Client "$flag" -db "$(db_class "$engine")" \
      -P "$workloads/workload$workload" -p "$engine.dir=$data/$engine" -p recordcount="$records" \
      -p operationcount="$count" -p fieldcount="$fields" -p fieldlength="$field_length" \
      -threads "$threads" > "$log" 2>&1; then
    echo "YCSB $phase of workload $workload on $engine failed: $log" >&2
    exit 1
  fi
  # A failed operation is counted, not thrown, by YCSB: any of them spoils the figure.
  if grep -Eq 'FAILED\]|Return=ERROR|Return=NOT_FOUND|Return=UNEXPECTED' "$log"; then
    echo "YCSB $phase of workload $workload on $engine had failed operations: $log" >&2
    exit 1
  fi
  local tput runtime open close
  tput=$(awk -F', ' '/^\[OVERALL\], Throughput/ {print $3}' "$log")
  runtime=$(awk -F', ' '/^\[OVERALL\], RunTime/ {print $3}' "$log")
  open=$(sed -n 's/^ycsb-binding: .* open_ms=\([0-9.]*\) .*/\1/p' "$log" | head -1)
  close=$(sed -n 's/^ycsb-binding: .* close_ms=\([0-9.]*\) .*/\1/p' "$log" | head -1)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$repeat" "$engine" "$phase" "$workload" "$tput" "$load1" \
    "$count" "$runtime" "${open:-0}" "${close:-0}" >> "$out/results.tsv"
  printf '  r%s %-8s %-4s %s: %s ops/s (load %s)\n' "$repeat" "$engine" "$phase" "$workload" "$tput" "$load1"
}

# settle REPEAT ENGINE WORKLOAD: the store at rest before the run phase of WORKLOAD (see YcsbSettle).
settle() {
  [ "$settle" = 0 ] && return 0
  local log="$out/r$1-$2-settle-$3.txt"
  if ! java "${flags[@]}" -cp "$jar" io.ferrumdb.bench.ycsb.YcsbSettle "$2" "$data/$2" > "$log" 2>&1; then
    echo "settling $2 before workload $3 failed: $log" >&2
    exit 1
  fi
}

for repeat in $(seq 1 "$repeats"); do
  if [ $((repeat % 2)) -eq 1 ]; then engines=(ferrumdb rocksdb); else engines=(rocksdb ferrumdb); fi
  echo "== repeat $repeat of $repeats (${engines[*]})"
  rm -rf "$data"
  loaded=
  for w in "${workloads_run[@]}"; do
    [ "$w" = e ] && continue
    if [ -z "$loaded" ]; then
      for e in "${engines[@]}"; do ycsb "$repeat" "$e" load "$w" "$records"; done
      loaded=1
    fi
    for e in "${engines[@]}"; do settle "$repeat" "$e" "$w"; done
    for e in "${engines[@]}"; do ycsb "$repeat" "$e" run "$w" "$ops"; done
  done
  case " ${workloads_run[*]} " in
    *" e "*)
      rm -rf "$data"
      for e in "${engines[@]}"; do ycsb "$repeat" "$e" load e "$records"; done
      for e in "${engines[@]}"; do settle "$repeat" "$e" e; done
      for e in "${engines[@]}"; do ycsb "$repeat" "$e" run e "$ops_e"; done
      ;;
  esac
done
rm -rf "$data"
summarize "$out"
cat "$out/summary.md"
echo "done: $out"
