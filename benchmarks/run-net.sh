#!/usr/bin/env bash
# Shared-socket benchmark (issue 3): connections/s accepted and echoed (connect, one 64-byte round trip,
# half-close, server closes) by loomcluster's shared socket with 1, 2 and 4 workers under ROUND_ROBIN and
# SHARED, against a one-thread NIO selector echo server (the baseline) and a one-thread blocking one.
# The load (fixtures' EchoLoad, CLIENTS client threads) runs inside the server's JVM, identical for every
# variant; each variant runs in a fresh JVM, ROUNDS times, interleaved; the table shows medians, and the
# process's CPU time per connection (server + client; robust to other processes taking CPU) next to conns/s.
# About 5 minutes with the defaults (8 variants x 5 rounds x ~6 s). Raw lines go to benchmarks/results/net-runs.tmp.
# Usage: benchmarks/run-net.sh [--no-build]   env: ROUNDS=5 SECONDS_PER_RUN=3 WARMUP=2 CLIENTS=4 THREADS=PLATFORM
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/jdk.sh
LOAD_START=$(cut -d" " -f1-3 /proc/loadavg 2>/dev/null || echo n/a)  # before our own load

ROUNDS=${ROUNDS:-5}
MEASURE=${SECONDS_PER_RUN:-3}
WARMUP=${WARMUP:-2}
CLIENTS=${CLIENTS:-4}
THREADS=${THREADS:-PLATFORM}
RESULTS=benchmarks/results
JAR=benchmarks/target/benchmarks.jar
OUT="$RESULTS/net-runs.tmp"
mkdir -p "$RESULTS"
if [ "${1:-}" != "--no-build" ]; then
  echo "== building $JAR (JAVA_HOME=$JAVA_HOME)"
  ./mvnw -q -B -pl benchmarks -am package -DskipTests
fi
[ -f "$JAR" ] || { echo "error: $JAR not found; build it first" >&2; exit 1; }

VARIANTS=("nio" "blocking")
for w in 1 2 4; do
  for p in ROUND_ROBIN SHARED; do VARIANTS+=("pool workers=$w policy=$p threads=$THREADS"); done
done

: > "$OUT"
for round in $(seq 1 "$ROUNDS"); do
  for v in "${VARIANTS[@]}"; do
    echo "== round $round/$ROUNDS: $v"
    # shellcheck disable=SC2086
    timeout 120 java -Xms512m -Xmx512m -cp "$JAR" dev.loomcluster.benchmarks.net.SharedSocketBenchmark $v \
      clients="$CLIENTS" warmup="$WARMUP" seconds="$MEASURE" | tee -a "$OUT" \
      || echo "net variant=${v%% *} FAILED: $v" | tee -a "$OUT"
  done
done

echo
echo "== conns/s, median of $ROUNDS runs ($CLIENTS client threads in the same JVM, $(nproc) CPUs, load average at start $LOAD_START, $(date -u +%Y-%m-%dT%H:%MZ))"
awk '
  function kv(line, key,   re) { re = " " key "=[^ ]+"; if (match(line, re)) return substr(line, RSTART + length(key) + 2, RLENGTH - length(key) - 2); return "" }
  function median(list,   a, n, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    if (n == 0) return ""
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  /^net variant=/ && !/FAILED/ {
    v = kv($0, "variant"); if (v == "pool") v = v " " kv($0, "workers") "w " kv($0, "policy") " " kv($0, "threads")
    if (!(v in seen)) { seen[v] = 1; order[++n] = v }
    cps[v] = cps[v] " " kv($0, "conns_per_s"); p50[v] = p50[v] " " kv($0, "p50_us"); p99[v] = p99[v] " " kv($0, "p99_us")
    err[v] += kv($0, "errors"); cpu[v] = cpu[v] " " kv($0, "cpu_us_per_conn"); sys[v] = sys[v] " " kv($0, "sys_share")
  }
  /FAILED/ { failed++ }
  END {
    base = median(cps["nio"])
    basecpu = median(cpu["nio"])
    fmt = "%-30s %9s %7s %9s %9s %12s %8s %4s %7s  %s\n"
    printf fmt, "variant", "conns/s", "vs nio", "p50 (us)", "p99 (us)", "CPU us/conn", "vs nio", "sys", "errors", "runs (conns/s)"
    for (i = 1; i <= n; i++) {
      v = order[i]; m = median(cps[v])
      c = median(cpu[v])
      printf fmt, v, sprintf("%.0f", m), base ? sprintf("%.2fx", m / base) : "-", sprintf("%.0f", median(p50[v])), sprintf("%.0f", median(p99[v])), sprintf("%.1f", c), basecpu ? sprintf("%.2fx", c / basecpu) : "-", sprintf("%.0f%%", 100 * median(sys[v])), err[v], cps[v]
    }
    if (failed) printf "%d run(s) FAILED: see the lines above\n", failed
  }' "$OUT" | tee "$RESULTS/net-table.tmp"
