#!/usr/bin/env bash
# Threads or processes, in one run on this machine: the same measurements for Isolation.THREAD and
# Isolation.PROCESS (child JVMs), with Node 20's cluster as the third column where it applies:
#   1. training runs of a child JVM: a JDK 25 AOT cache (-XX:AOTCacheOutput, JEP 483/514) and an AppCDS
#      archive (-XX:ArchiveClassesAtExit), for the fork->online comparison
#   2. JMH: message round trip p50/p99 (small record, 1 KiB, 64 KiB byte[]), one-way messages/s,
#      fork->online p50 (default child options, C1 only, AOT cache, AppCDS)
#      (-f 1 -wi 3 -w 2s -i 5 -r 2s unless JMH_OPTS says otherwise)
#   3. LoopRoundTrip: round trips driven from the primary loop, as Node's script measures them (default
#      child options, and a C1-only child: -XX:TieredStopAtLevel=1)
#   4. memory per idle worker: heap per thread worker (IdleWorkerMemory), PSS per child JVM (ProcessMemory)
#   5. node/cluster-bench.js: round trip, one-way, fork->online of Node's cluster (skipped without node)
#   6. HTTP: wrk against the hello server (HelloCluster.Worker) with 2 workers, THREAD and PROCESS (default
#      children and C1-only children), both scheduling policies, keep-alive, $CONNECTIONS connections (skipped without wrk: apt-get install wrk)
# then prints one table. Raw outputs go to benchmarks/results/iso-*.tmp. About 10 minutes.
# Usage: benchmarks/run-isolation.sh [--no-build]   env: JMH_OPTS, DURATION=10s CONNECTIONS=64 PORT=18090 JAR=...
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/jdk.sh
LOAD_START=$(cut -d" " -f1-3 /proc/loadavg 2>/dev/null || echo n/a)

RESULTS=benchmarks/results
JAR=${JAR:-benchmarks/target/benchmarks.jar}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
PORT=${PORT:-18090}
mkdir -p "$RESULTS"
if [ "${1:-}" != "--no-build" ]; then
  echo "== building $JAR (JAVA_HOME=$JAVA_HOME)"
  ./mvnw -q -B -ntp -pl benchmarks -am package -DskipTests
fi
[ -f "$JAR" ] || { echo "error: $JAR not found; build it first" >&2; exit 1; }
NATIVE=--enable-native-access=ALL-UNNAMED

echo "== training child start-up archives"
AOT=$(pwd)/benchmarks/target/child.aot
CDS=$(pwd)/benchmarks/target/child.jsa
java $NATIVE -cp "$JAR" dev.loomcluster.benchmarks.isolation.TrainChild -XX:AOTCacheOutput "$AOT"
java $NATIVE -cp "$JAR" dev.loomcluster.benchmarks.isolation.TrainChild -XX:ArchiveClassesAtExit "$CDS"

JMH=${JMH_OPTS:--f 1 -wi 3 -w 2s -i 5 -r 2s}
echo "== JMH (writes $RESULTS/iso-jmh*.tmp)"
# shellcheck disable=SC2086
java -jar "$JAR" 'dev.loomcluster.benchmarks.isolation.Isolation(RoundTrip|OneWay|ForkOnline)Benchmark' \
  $JMH -rf csv -rff "$RESULTS/iso-jmh.tmp" > "$RESULTS/iso-jmh-log.tmp" \
  || { echo "error: JMH failed; see $RESULTS/iso-jmh-log.tmp" >&2; tail -30 "$RESULTS/iso-jmh-log.tmp" >&2; exit 1; }
# shellcheck disable=SC2086
java -jar "$JAR" 'dev.loomcluster.benchmarks.isolation.IsolationForkOnlineBenchmark' -p isolation=PROCESS \
  -p "childOptions=-XX:TieredStopAtLevel=1,-XX:AOTCache=$AOT,-XX:SharedArchiveFile=$CDS" \
  $JMH -rf csv -rff "$RESULTS/iso-jmh-archives.tmp" > "$RESULTS/iso-jmh-archives-log.tmp" \
  || { echo "error: JMH failed; see $RESULTS/iso-jmh-archives-log.tmp" >&2; tail -30 "$RESULTS/iso-jmh-archives-log.tmp" >&2; exit 1; }
sed -n '/^Benchmark /,$p' "$RESULTS/iso-jmh-log.tmp" "$RESULTS/iso-jmh-archives-log.tmp" \
  | grep -vE ':p0\.(00|90|95|999|9999)|:p1\.00' || true

echo "== round trips driven from the primary loop (Node's method), default child and a C1-only child"
java $NATIVE -cp "$JAR" dev.loomcluster.benchmarks.isolation.LoopRoundTrip 20000 5000 | tee "$RESULTS/iso-loop.tmp"
java $NATIVE -cp "$JAR" dev.loomcluster.benchmarks.isolation.LoopRoundTrip 20000 5000 -XX:TieredStopAtLevel=1 \
  | grep PROCESS | tee -a "$RESULTS/iso-loop.tmp"

echo "== memory per idle worker"
java -Xms2g -Xmx2g -cp "$JAR" dev.loomcluster.benchmarks.IdleWorkerMemory 10000 VIRTUAL | tee "$RESULTS/iso-memory.tmp"
java $NATIVE -cp "$JAR" dev.loomcluster.benchmarks.isolation.ProcessMemory 4 | tee -a "$RESULTS/iso-memory.tmp"

echo "== Node cluster"
if command -v node >/dev/null 2>&1; then
  echo "node $(node --version)"
  node benchmarks/node/cluster-bench.js 20000 200000 10 | tee "$RESULTS/iso-node.tmp"
else
  echo "node not found: Node column left empty" | tee "$RESULTS/iso-node.tmp"
fi

echo "== HTTP: wrk -t2 -c$CONNECTIONS -d$DURATION, hello server with 2 workers"
: > "$RESULTS/iso-http.tmp"
if command -v wrk >/dev/null 2>&1; then
  for iso in thread process process-c1; do
    for policy in round_robin shared; do
      child=()
      [ "$iso" = process-c1 ] && child=(-XX:TieredStopAtLevel=1)
      java $NATIVE -cp "$JAR" dev.loomcluster.benchmarks.isolation.HelloPool "${iso%-c1}" "$policy" 2 "$PORT" "${child[@]}" \
        > "$RESULTS/iso-http-server.tmp" 2>&1 &
      SERVER=$!
      up=0
      for _ in $(seq 1 300); do
        if curl -sf -o /dev/null "http://127.0.0.1:$PORT/"; then up=1; break; fi
        sleep 0.1
      done
      if [ "$up" = 1 ]; then
        wrk -t2 -c"$CONNECTIONS" -d3s "http://127.0.0.1:$PORT/" > /dev/null   # warm-up
        out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$PORT/")
        rps=$(echo "$out" | awk '/^Requests\/sec/ {print $2}')
        p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
        errors=$(echo "$out" | awk '/Non-2xx|Socket errors/' | tr -s ' ' | tr '\n' ';')
        echo "http isolation=$iso policy=$policy rps=$rps p99=$p99 errors=${errors:-none}" | tee -a "$RESULTS/iso-http.tmp"
      else
        echo "error: hello server ($iso, $policy) did not answer; its log:" >&2
        cat "$RESULTS/iso-http-server.tmp" >&2
      fi
      kill -TERM "$SERVER" 2>/dev/null || true
      wait "$SERVER" 2>/dev/null || true
    done
  done
else
  echo "wrk not found (apt-get install wrk): HTTP rows left empty" | tee "$RESULTS/iso-http.tmp"
fi

echo
echo "== THREAD vs PROCESS vs Node cluster ($(nproc) CPUs, load average at start $LOAD_START, $(date -u +%Y-%m-%dT%H:%MZ))"
awk -v memfile="$RESULTS/iso-memory.tmp" -v loopfile="$RESULTS/iso-loop.tmp" -v nodefile="$RESULTS/iso-node.tmp" -v httpfile="$RESULTS/iso-http.tmp" '
  function kv(line, key,   re) { re = key "=[^ ]+"; if (match(line, re)) return substr(line, RSTART + length(key) + 1, RLENGTH - length(key) - 1); return "" }
  function unq(s) { gsub(/"/, "", s); return s }
  function show(x, fmt) { return x == "" ? "-" : sprintf(fmt, x) }
  function ms(s) { if (s ~ /us$/) return substr(s, 1, length(s) - 2) / 1000; if (s ~ /ms$/) return substr(s, 1, length(s) - 2) + 0; if (s ~ /s$/) return substr(s, 1, length(s) - 1) * 1000; return s }
  BEGIN { FS = "," }
  { sub(/\r$/, "") }
  FNR == 1 { for (i = 1; i <= NF; i++) { h = unq($i); if (h == "Param: isolation") icol = i; if (h == "Param: payload") pcol = i; if (h == "Param: childOptions") ccol = i }; next }
  {
    name = unq($1); iso = unq($icol); pay = pcol ? unq($pcol) : ""; opt = ccol ? unq($ccol) : "none"; score = $5
    if (opt ~ /AOTCache/) opt = "aot"; else if (opt ~ /SharedArchiveFile/) opt = "cds"; else if (opt ~ /TieredStopAtLevel=1/) opt = "c1"
    if (name ~ /IsolationRoundTripBenchmark\.roundTrip:p0\.50$/) rt50[iso, pay] = score
    else if (name ~ /IsolationRoundTripBenchmark\.roundTrip:p0\.99$/) rt99[iso, pay] = score
    else if (name ~ /IsolationOneWayBenchmark\.sendBatch$/) ow[iso] = score / 1e6
    else if (name ~ /IsolationForkOnlineBenchmark\.forkToOnline:p0\.50$/) fo50[iso, opt] = score
  }
  END {
    while ((getline line < memfile) > 0) {
      if (line ~ /^memory threads/) mem = kv(line, "heap_kib_per_worker")
      if (line ~ /^memory process/) pss = kv(line, "pss_kib_per_child")
    }
    while ((getline line < loopfile) > 0) if (line ~ /^loop_round_trip /) {
      k = kv(line, "isolation") "," kv(line, "payload") "," (kv(line, "child") == "none" ? "default" : "c1")
      l50[k] = kv(line, "p50_us"); l99[k] = kv(line, "p99_us")
    }
    while ((getline line < nodefile) > 0) {
      if (line ~ /^node round_trip/) { n50 = kv(line, "p50_us"); n99 = kv(line, "p99_us") }
      if (line ~ /^node one_way/) now = kv(line, "msgs_per_s") / 1e6
      if (line ~ /^node fork_online/) nfo = kv(line, "median_ms")
    }
    while ((getline line < httpfile) > 0) if (line ~ /^http /) { k = kv(line, "isolation") "," kv(line, "policy"); rps[k] = kv(line, "rps"); p99[k] = ms(kv(line, "p99")) }
    fmt = "%-44s %12s %12s %12s\n"
    printf fmt, "measurement", "THREAD", "PROCESS", "Node cluster"
    split("record 1k 64k", pays, " ")
    for (i = 1; i <= 3; i++) {
      p = pays[i]
      printf fmt, "JMH round trip p50 (us), " p, show(rt50["THREAD", p], "%.1f"), show(rt50["PROCESS", p], "%.1f"), p == "record" ? show(n50, "%.1f") " (str)" : "-"
      printf fmt, "JMH round trip p99 (us), " p, show(rt99["THREAD", p], "%.1f"), show(rt99["PROCESS", p], "%.1f"), p == "record" ? show(n99, "%.1f") " (str)" : "-"
    }
    for (i = 1; i <= 3; i++) {
      p = pays[i]
      printf fmt, "loop round trip p50 (us), " p, show(l50["THREAD," p ",default"], "%.1f"), show(l50["PROCESS," p ",default"], "%.1f"), p == "record" ? show(n50, "%.1f") " (str)" : "-"
      printf fmt, "  C1-only child (-XX:TieredStopAtLevel=1)", "-", show(l50["PROCESS," p ",c1"], "%.1f"), "-"
      printf fmt, "loop round trip p99 (us), " p, show(l99["THREAD," p ",default"], "%.1f"), show(l99["PROCESS," p ",default"], "%.1f"), p == "record" ? show(n99, "%.1f") " (str)" : "-"
    }
    printf fmt, "one-way (M msgs/s)", show(ow["THREAD"], "%.2f"), show(ow["PROCESS"], "%.2f"), show(now, "%.2f")
    printf fmt, "fork->online p50 (ms)", show(fo50["THREAD", "none"], "%.3f"), show(fo50["PROCESS", "none"], "%.1f"), show(nfo, "%.1f")
    printf fmt, "  C1 only (ms)", "-", show(fo50["PROCESS", "c1"], "%.1f"), "-"
    printf fmt, "  with AOT cache (ms)", "-", show(fo50["PROCESS", "aot"], "%.1f"), "-"
    printf fmt, "  with AppCDS (ms)", "-", show(fo50["PROCESS", "cds"], "%.1f"), "-"
    printf fmt, "memory per idle worker (KiB)", show(mem, "%.1f") " heap", show(pss, "%d") " PSS", "-"
    printf fmt, "HTTP req/s, 2 workers, ROUND_ROBIN", show(rps["thread,round_robin"], "%s"), show(rps["process,round_robin"], "%s"), "-"
    printf fmt, "HTTP p99 (ms), ROUND_ROBIN", show(p99["thread,round_robin"], "%.2f"), show(p99["process,round_robin"], "%.2f"), "-"
    printf fmt, "HTTP req/s, 2 workers, SHARED", show(rps["thread,shared"], "%s"), show(rps["process,shared"], "%s"), "-"
    printf fmt, "HTTP p99 (ms), SHARED", show(p99["thread,shared"], "%.2f"), show(p99["process,shared"], "%.2f"), "-"
    printf fmt, "HTTP req/s, C1-only children, ROUND_ROBIN", "-", show(rps["process-c1,round_robin"], "%s"), "-"
    printf fmt, "HTTP req/s, C1-only children, SHARED", "-", show(rps["process-c1,shared"], "%s"), "-"
  }' "$RESULTS/iso-jmh.tmp" "$RESULTS/iso-jmh-archives.tmp" | tee "$RESULTS/iso-table.tmp"
