#!/usr/bin/env bash
# Requests lost during rolling reloads, loomcluster next to nginx, with the same client on the same machine:
#   loomcluster  ReloadingHello: the main job's hello server; 5 pool.reload()s while wrk runs (each replaces
#                every worker, one at a time; idle keep-alive connections are handed over to the workers
#                that stay)
#   nginx        the Debian package serving a fixed 200 (return 200); 5 `nginx -s reload`s while wrk runs
# wrk keeps $CONNECTIONS keep-alive connections busy for $DURATION; the script prints wrk's socket errors
# and non-2xx answers for each. Installs wrk and nginx when missing (apt-get). Bounded: every wrk run has -d.
#
# Usage: benchmarks/reload.sh     env: DURATION=15s CONNECTIONS=64 THREADS=2 WORKERS=2 RELOADS=5 EVERY_MS=2000
#        PORT=18090 NGINX_PORT=18091 SKIP_BUILD=0
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/jdk.sh
source benchmarks/lib.sh

DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
WORKERS=${WORKERS:-2}
RELOADS=${RELOADS:-5}
EVERY_MS=${EVERY_MS:-2000}
PORT=${PORT:-18090}
NGINX_PORT=${NGINX_PORT:-18091}
JAR=benchmarks/target/benchmarks.jar
WORK=$(mktemp -d)
trap 'kill "${SERVER:-}" 2>/dev/null || true; [ -f "$WORK/nginx.pid" ] && nginx -c "$WORK/nginx.conf" -s stop 2>/dev/null || true; rm -rf "$WORK"' EXIT

need_deb wrk wrk
need_deb nginx nginx
build_module benchmarks

errors() { # wrk output file -> "socket errors N, non-2xx M, requests R"
  local f=$1 socket non2xx requests
  socket=$(wrk_socket_errors <"$f")
  non2xx=$(wrk_non2xx <"$f")
  requests=$(wrk_requests <"$f")
  echo "requests ${requests:-0}, socket errors ${socket}, non-2xx ${non2xx:-0}"
}

echo "== loomcluster: $RELOADS x pool.reload() of $WORKERS workers, every ${EVERY_MS} ms, under wrk -c$CONNECTIONS -d$DURATION"
java -cp "$JAR" dev.loomcluster.benchmarks.http.ReloadingHello "$PORT" "$WORKERS" "$RELOADS" 2000 "$EVERY_MS" >"$WORK/server.log" 2>&1 &
SERVER=$!
await_http "http://127.0.0.1:$PORT/" || true
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "http://127.0.0.1:$PORT/" >"$WORK/wrk-loom.txt" 2>&1
cat "$WORK/server.log"
grep -q "reloads done" "$WORK/server.log" || echo "warning: not every reload finished within the run"
LOOM=$(errors "$WORK/wrk-loom.txt")
kill -TERM "$SERVER"; wait "$SERVER" || true; SERVER=

echo "== nginx: $RELOADS x nginx -s reload, every ${EVERY_MS} ms, under the same wrk"
cat >"$WORK/nginx.conf" <<CONF
worker_processes $WORKERS;
pid $WORK/nginx.pid;
error_log $WORK/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / { default_type application/json; return 200 '{"message":"Hello from nginx"}'; }
  }
}
CONF
nginx -c "$WORK/nginx.conf"
await_http "http://127.0.0.1:$NGINX_PORT/" 100 || true
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "http://127.0.0.1:$NGINX_PORT/" >"$WORK/wrk-nginx.txt" 2>&1 &
WRK=$!
sleep 2
for i in $(seq 1 "$RELOADS"); do
  nginx -c "$WORK/nginx.conf" -s reload
  echo "nginx reload $i"
  [ "$i" -lt "$RELOADS" ] && sleep "$(awk "BEGIN {print $EVERY_MS/1000}")"
done
wait "$WRK"
NGINX=$(errors "$WORK/wrk-nginx.txt")

echo
echo "loomcluster ($RELOADS reloads): $LOOM"
echo "nginx       ($RELOADS reloads): $NGINX"
