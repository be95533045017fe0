#!/usr/bin/env bash
# HTTP load comparison (issue 4), all in one run: wrk against
#   loomcluster  the main job (dev.loomcluster.examples.HelloCluster), one worker per CPU
#   node         Node's cluster with the same hello handler (node-cluster.js), same worker count
#   jdk          the JDK's own HttpServer with a virtual-thread executor (JdkHelloServer)
# each one alone on loopback, keep-alive, $CONNECTIONS connections and $THREADS wrk threads, a warm-up
# then a measured run; $RUNS rounds, servers interleaved; prints the medians and the ratios to ours.
# Installs nothing: needs wrk (apt-get install wrk) and node (20+). Bounded: every wrk run has -d.
#
# Usage: benchmarks/http/load.sh            env: RUNS=3 DURATION=10s WARMUP=5s CONNECTIONS=64 THREADS=2
#        WORKERS=$(nproc) PORT=18080 SKIP_BUILD=0 JAVA_OPTS=...
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/jdk.sh
source benchmarks/lib.sh

RUNS=${RUNS:-3}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-5s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
WORKERS=${WORKERS:-$(nproc)}
PORT=${PORT:-18080}
JAVA_OPTS=${JAVA_OPTS:-}
JAR=benchmarks/target/benchmarks.jar

require_cmd wrk "apt-get install wrk"
require_cmd node "(Node 20+) apt-get install nodejs"
build_module benchmarks

declare -A PIDS
start_server() { # name port
  local log="/tmp/load-$1.log"
  case "$1" in
    loomcluster) java $JAVA_OPTS -cp "$JAR" dev.loomcluster.examples.HelloCluster --port "$2" --workers "$WORKERS" >"$log" 2>&1 & ;;
    node) PORT="$2" WORKERS="$WORKERS" node benchmarks/http/node-cluster.js >"$log" 2>&1 & ;;
    jdk) java $JAVA_OPTS -cp "$JAR" dev.loomcluster.benchmarks.http.JdkHelloServer "$2" >"$log" 2>&1 & ;;
  esac
  PIDS[$1]=$!
  await_http "http://127.0.0.1:$2/" && return 0
  echo "error: $1 did not answer on port $2; its log:" >&2
  cat "/tmp/load-$1.log" >&2
  exit 1
}
stop_server() { # name
  stop_pid "${PIDS[$1]}" "$1"
  unset "PIDS[$1]"
}
cleanup() { for name in "${!PIDS[@]}"; do kill -KILL "${PIDS[$name]}" 2>/dev/null || true; done; }
trap cleanup EXIT

# wrk's "99%  1.23ms" -> microseconds
to_us() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) print n; else if (v ~ /ms$/) print n * 1000; else if (v ~ /s$/) print n * 1000000; else print n }'; }

declare -A RPS P99 ERR
SERVERS=(loomcluster node jdk)
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency (after a $WARMUP warm-up), $WORKERS workers, $RUNS rounds; $(nproc) CPUs, $(node --version), $(java -version 2>&1 | head -1)"
for run in $(seq 1 "$RUNS"); do
  i=0
  for name in "${SERVERS[@]}"; do
    port=$((PORT + i)); i=$((i + 1))
    start_server "$name" "$port"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "http://127.0.0.1:$port/" >/dev/null
    load=$(cut -d' ' -f1 /proc/loadavg)
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$port/")
    stop_server "$name"
    rps=$(wrk_rps <<<"$out")
    p99=$(to_us "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
    errs=$(wrk_errors <<<"$out")
    RPS[$name]="${RPS[$name]:-} $rps"; P99[$name]="${P99[$name]:-} $p99"; ERR[$name]="${ERR[$name]:-} $errs"
    printf '  run %d %-12s %10.0f req/s   p99 %8.0f us   errors %s   (1-min load average before: %s)\n' \
      "$run" "$name" "$rps" "$p99" "$errs" "$load"
  done
done

ours_rps=$(median "${RPS[loomcluster]}")
ours_p99=$(median "${P99[loomcluster]}")
echo
echo "medians of $RUNS runs"
printf '%-12s %12s %10s %8s   %-22s %-22s\n' server "req/s" "p99 (us)" errors "ours/this req/s" "this/ours p99"
for name in "${SERVERS[@]}"; do
  rps=$(median "${RPS[$name]}"); p99=$(median "${P99[$name]}"); errs=$(total "${ERR[$name]}")
  printf '%-12s %12.0f %10.0f %8d   %-22s %-22s\n' "$name" "$rps" "$p99" "$errs" \
    "$(awk -v a="$ours_rps" -v b="$rps" 'BEGIN { printf "%.2fx", a / b }')" \
    "$(awk -v a="$p99" -v b="$ours_p99" 'BEGIN { printf "%.2fx", a / b }')"
done
node_rps=$(median "${RPS[node]}"); jdk_rps=$(median "${RPS[jdk]}"); node_p99=$(median "${P99[node]}")
echo
awk -v o="$ours_rps" -v n="$node_rps" -v j="$jdk_rps" -v op="$ours_p99" -v np="$node_p99" -v e="$(total "${ERR[loomcluster]}")" 'BEGIN {
  printf "targets: req/s >= 1.5x node: %s (%.2fx)   >= 1.3x jdk: %s (%.2fx)   p99 <= node: %s   zero errors: %s\n",
    (o >= 1.5 * n ? "yes" : "NO"), o / n, (o >= 1.3 * j ? "yes" : "NO"), o / j, (op <= np ? "yes" : "NO"), (e == 0 ? "yes" : "NO") }'
