#!/usr/bin/env bash
# What TLS costs: wrk against the same hello handler over plain HTTP and over HTTPS (TLS 1.3, a
# self-signed EC key made here), one pool of WORKERS workers sharing the port, keep-alive,
# $CONNECTIONS connections, $THREADS wrk threads; warm-ups then a measured run per server, $RUNS rounds,
# interleaved; prints each run with the load average and the medians.
#
# Usage: http/tls-load.sh      env: RUNS=3 DURATION=10s WARMUP=5s CONNECTIONS=64 THREADS=2 WORKERS=$(nproc)
#        PORT=18443 SKIP_BUILD=0. Needs wrk (apt-get install wrk). Every wrk run is bounded by -d.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/jdk.sh
source benchmarks/lib.sh
RUNS=${RUNS:-3}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-5s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
WORKERS=${WORKERS:-$(nproc)}
PORT=${PORT:-18443}
require_cmd wrk "apt-get install wrk"
build_module http
CP="http/target/classes:$(cat http/target/runtime-classpath.txt)"
work=$(mktemp -d)
trap 'rm -rf "$work"; [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null || true' EXIT
"$JAVA_HOME/bin/keytool" -genkeypair -alias load -keyalg EC -groupname secp256r1 -dname CN=localhost \
  -ext SAN=ip:127.0.0.1 -validity 2 -storetype PKCS12 -keystore "$work/k.p12" -storepass changeit \
  -keypass changeit >/dev/null 2>&1

run() { # mode -> prints "req/s p99"
  local mode=$1 url="$1://127.0.0.1:$PORT/"
  "$JAVA_HOME/bin/java" -cp "$CP" http/tls-load/TlsHelloServer.java "$mode" "$PORT" "$WORKERS" "$work/k.p12" changeit \
    >"$work/$mode.log" 2>&1 &
  pid=$!
  await_http "$url" || true
  # Warm up with a few connections first: 64 cold TLS handshakes at once on a busy machine can take
  # longer than wrk's default 2 s timeout, and each timeout's reconnect adds another handshake.
  wrk -t1 -c4 -d"$WARMUP" "$url" >/dev/null
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" --timeout 10s "$url" >/dev/null
  local out; out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 10s --latency "$url")
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
  local rps p99 errors
  rps=$(wrk_rps <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(grep -Eo 'Non-2xx or 3xx responses: [0-9]+|Socket errors: .*' <<<"$out" || true)
  echo "$rps $p99 ${errors:-0 errors}"
}
declare -a HTTP HTTPS
for r in $(seq 1 "$RUNS"); do
  h=$(run http); s=$(run https)
  echo "round $r (load $(cut -d' ' -f1 /proc/loadavg)): http $h | https $s"
  HTTP+=("${h%% *}"); HTTPS+=("${s%% *}")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mh=$(median "${HTTP[@]}"); ms=$(median "${HTTPS[@]}")
echo "median req/s: http $mh, https $ms, https/http $(awk -v a="$ms" -v b="$mh" 'BEGIN {printf "%.2f", a/b}')"
