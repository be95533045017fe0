#!/usr/bin/env bash
# Scale-out past one machine's JVM, and its rolling restart: two instances of the main job
# (dev.loomcluster.examples.HelloCluster) behind a real nginx, restarted one after the other with SIGTERM
# while wrk runs through nginx; prints wrk's error count (the target is 0).
#
# How it stays at 0: on SIGTERM an instance drains (Signals.drainOnTermination): it stops listening at
# once (nginx's new upstream connections are refused and go to the other instance: proxy_next_upstream
# error), finishes the requests in flight, answers what arrives on its open connections for the drain
# grace with "Connection: close", then exits 0; nginx retries a request (GET is idempotent) whose upstream
# connection closed before any answer. The script waits for the restarted instance to answer before it
# stops the next one. Installs nginx and wrk when missing (Debian packages). Bounded: wrk has -d.
#
# Usage: benchmarks/nginx/rolling.sh   env: DURATION=20s CONNECTIONS=64 THREADS=2 WORKERS=2 ROUNDS=1
#        PORT=18100 (nginx; the instances use PORT+1 and PORT+2) SKIP_BUILD=0
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/jdk.sh
source benchmarks/lib.sh

DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
WORKERS=${WORKERS:-2}
ROUNDS=${ROUNDS:-1}
PORT=${PORT:-18100}
PORTS=($((PORT + 1)) $((PORT + 2)))
JAR=benchmarks/target/benchmarks.jar
WORK=$(mktemp -d)
declare -A PIDS
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true; done
  [ -f "$WORK/nginx.pid" ] && nginx -c "$WORK/nginx.conf" -s stop 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

need_deb wrk wrk
need_deb nginx nginx
build_module benchmarks

start_instance() { # port
  java -cp "$JAR" dev.loomcluster.examples.HelloCluster --host 127.0.0.1 --port "$1" --workers "$WORKERS" \
    >>"$WORK/instance-$1.log" 2>&1 &
  PIDS[$1]=$!
  await_http "http://127.0.0.1:$1/" && return 0
  echo "error: the instance on $1 did not answer; its log:" >&2
  cat "$WORK/instance-$1.log" >&2
  exit 1
}

cat >"$WORK/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  upstream hello {
    server 127.0.0.1:${PORTS[0]} max_fails=0;
    server 127.0.0.1:${PORTS[1]} max_fails=0;
    keepalive 64;
  }
  server {
    listen 127.0.0.1:$PORT;
    keepalive_requests 1000000;
    location / {
      proxy_pass http://hello;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream error timeout;
      proxy_connect_timeout 1s;
    }
  }
}
CONF

for p in "${PORTS[@]}"; do start_instance "$p"; done
nginx -c "$WORK/nginx.conf"
await_http "http://127.0.0.1:$PORT/" 100 || true

echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION through nginx :$PORT to instances ${PORTS[*]} ($WORKERS workers each)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "http://127.0.0.1:$PORT/" >"$WORK/wrk.txt" 2>&1 &
WRK=$!
sleep 2
for round in $(seq 1 "$ROUNDS"); do
  for p in "${PORTS[@]}"; do
    pid=${PIDS[$p]}
    t0=$(date +%s%N)
    kill -TERM "$pid"
    status=0; wait "$pid" || status=$?
    t1=$(date +%s%N)
    start_instance "$p"
    t2=$(date +%s%N)
    echo "round $round: instance :$p (pid $pid) drained and exited $status in $(( (t1 - t0) / 1000000 )) ms, back in $(( (t2 - t1) / 1000000 )) ms"
    sleep 1
  done
done
wait "$WRK"
cat "$WORK/wrk.txt"
socket=$(wrk_socket_errors <"$WORK/wrk.txt")
non2xx=$(wrk_non2xx <"$WORK/wrk.txt")
refused=$(grep -c 'Connection refused' "$WORK/error.log" 2>/dev/null || true)
other=$(grep 'upstream' "$WORK/error.log" 2>/dev/null | grep -vc 'Connection refused' || true)
echo
echo "errors: socket ${socket}, non-2xx ${non2xx:-0}"
echo "(nginx's upstream log: ${refused:-0} connects refused by a stopped instance, ${other:-0} other upstream errors;"
echo " with proxy_next_upstream each such request went to the other instance)"
