#!/usr/bin/env bash
# Core benchmarks, loomcluster vs Node's cluster, on this machine, in one run:
#   1. JMH: message round trip (p50/p99) and its no-loomcluster hand-off floor, one-way messages/s,
#      fork->online (p50/p99), platform and virtual worker threads (-f 1 -wi 3 -w 2s -i 5 -r 2s unless JMH_OPTS says otherwise)
#   2. IdleWorkerMemory: heap per idle virtual-thread worker (10,000 workers)
#   3. node/cluster-bench.js: the same three measurements in Node's cluster (skipped if there is no node)
# then prints one table. Raw outputs go to benchmarks/results/ (core-*.tmp). About 3-4 minutes.
# Usage: benchmarks/run-core.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/jdk.sh
LOAD_START=$(cut -d" " -f1-3 /proc/loadavg 2>/dev/null || echo n/a)  # before our own load

RESULTS=benchmarks/results
JAR=benchmarks/target/benchmarks.jar
mkdir -p "$RESULTS"
if [ "${1:-}" != "--no-build" ]; then
  echo "== building $JAR (JAVA_HOME=$JAVA_HOME)"
  ./mvnw -q -B -pl benchmarks -am package -DskipTests
fi
[ -f "$JAR" ] || { echo "error: $JAR not found; build it first" >&2; exit 1; }

echo "== JMH (writes $RESULTS/core-jmh.tmp)"
# shellcheck disable=SC2086
java -jar "$JAR" 'dev.loomcluster.benchmarks.(MessageRoundTrip|HandoffFloor|MessageThroughput|ForkOnline)Benchmark' \
  ${JMH_OPTS:--f 1 -wi 3 -w 2s -i 5 -r 2s} -rf csv -rff "$RESULTS/core-jmh.tmp" > "$RESULTS/core-jmh-log.tmp" \
  || { echo "error: JMH failed; see $RESULTS/core-jmh-log.tmp" >&2; tail -30 "$RESULTS/core-jmh-log.tmp" >&2; exit 1; }
sed -n '/^Benchmark /,$p' "$RESULTS/core-jmh-log.tmp" | grep -vE ':p0\.(00|90|95|999|9999)|:p1\.00' || true

echo "== idle worker memory"
java -Xms2g -Xmx2g -cp "$JAR" dev.loomcluster.benchmarks.IdleWorkerMemory 10000 VIRTUAL | tee "$RESULTS/core-memory.tmp"

echo "== Node cluster"
if command -v node >/dev/null 2>&1; then
  echo "node $(node --version)"
  node benchmarks/node/cluster-bench.js 20000 200000 10 | tee "$RESULTS/core-node.tmp"
else
  echo "node not found: Node column left empty" | tee "$RESULTS/core-node.tmp"
fi

echo
echo "== loomcluster vs Node cluster ($(nproc) CPUs, load average at start $LOAD_START, $(date -u +%Y-%m-%dT%H:%MZ))"
awk -v memfile="$RESULTS/core-memory.tmp" -v nodefile="$RESULTS/core-node.tmp" '
  function kv(line, key,   re, m) { re = key "=[^ ]+"; if (match(line, re)) return substr(line, RSTART + length(key) + 1, RLENGTH - length(key) - 1); return "" }
  function unq(s) { gsub(/"/, "", s); return s }
  function show(x, fmt) { return x == "" ? "-" : sprintf(fmt, x) }
  function faster(theirs, ours) { if (theirs == "" || ours == "" || ours == 0) return "-"; return theirs + 0 >= ours + 0 ? sprintf("%.1fx faster", theirs / ours) : sprintf("%.1fx slower", ours / theirs) }
  BEGIN { FS = "," }
  { sub(/\r$/, "") }  # JMH writes CSV with CRLF
  NR == 1 { for (i = 1; i <= NF; i++) if (unq($i) == "Param: threads") tcol = i; next }
  {
    name = unq($1); kind = unq($tcol); score = $5
    if (name ~ /MessageRoundTripBenchmark\.roundTrip:p0\.50$/) rt50[kind] = score
    else if (name ~ /MessageRoundTripBenchmark\.roundTrip:p0\.99$/) rt99[kind] = score
    else if (name ~ /HandoffFloorBenchmark\.roundTrip:p0\.50$/) fl50[kind] = score
    else if (name ~ /MessageThroughputBenchmark\.sendBatch$/) ow[kind] = score / 1e6
    else if (name ~ /ForkOnlineBenchmark\.forkToOnline:p0\.50$/) fo50[kind] = score / 1000
    else if (name ~ /ForkOnlineBenchmark\.forkToOnline:p0\.99$/) fo99[kind] = score / 1000
  }
  END {
    while ((getline line < memfile) > 0) if (line ~ /^memory /) mem = kv(line, "heap_kib_per_worker")
    while ((getline line < nodefile) > 0) {
      if (line ~ /^node round_trip/) { n50 = kv(line, "p50_us"); n99 = kv(line, "p99_us") }
      if (line ~ /^node one_way/) now = kv(line, "msgs_per_s") / 1e6
      if (line ~ /^node fork_online/) { nfo = kv(line, "median_ms"); nfo90 = kv(line, "p90_ms") }
    }
    fmt = "%-28s %14s %14s %14s %12s  %s\n"
    printf fmt, "measurement", "ours PLATFORM", "ours VIRTUAL", "Node (run)", "target", "VIRTUAL vs Node"
    printf fmt, "round trip p50 (us)", show(rt50["PLATFORM"], "%.1f"), show(rt50["VIRTUAL"], "%.1f"), show(n50, "%.1f"), "< 10", faster(n50, rt50["VIRTUAL"])
    printf fmt, "round trip p99 (us)", show(rt99["PLATFORM"], "%.1f"), show(rt99["VIRTUAL"], "%.1f"), show(n99, "%.1f"), "", faster(n99, rt99["VIRTUAL"])
    printf fmt, "  hand-off floor p50 (us)", show(fl50["PLATFORM"], "%.1f"), show(fl50["VIRTUAL"], "%.1f"), "", "", "no loomcluster code"
    printf fmt, "one-way (M msgs/s)", show(ow["PLATFORM"], "%.2f"), show(ow["VIRTUAL"], "%.2f"), show(now, "%.2f"), "> 10", (now && ow["VIRTUAL"]) ? sprintf("%.0fx more", ow["VIRTUAL"] / now) : "-"
    printf fmt, "fork->online p50 (ms)", show(fo50["PLATFORM"], "%.3f"), show(fo50["VIRTUAL"], "%.3f"), show(nfo, "%.1f"), "< 1 (VT)", faster(nfo, fo50["VIRTUAL"])
    printf fmt, "fork->online p99 (ms)", show(fo99["PLATFORM"], "%.3f"), show(fo99["VIRTUAL"], "%.3f"), show(nfo90, "%.1f") " p90", "", ""
    printf fmt, "heap per idle worker (KiB)", "-", show(mem, "%.1f"), "-", "< 100", ""
  }' "$RESULTS/core-jmh.tmp" | tee "$RESULTS/core-table.tmp"
