#!/usr/bin/env bash
# HTTP peers in one interleaved run: CPU time per request and req/s of
#   loomcluster  HelloCluster, $WORKERS workers ($THREADS_KIND threads)
#   loomcluster-park, loomcluster-auto, loomcluster-backoff   the same with the loops' idle strategy park(),
#                auto() or a backoff (HelloCluster --idle; plain loomcluster has the pool's default, auto())
#   nginx        $WORKERS worker processes, the same JSON body from a `return 200`
#   node         Node's cluster, $WORKERS workers (node-cluster.js)
#   vertx        Vert.x, $WORKERS verticles (benchmarks/peers/vertx, a separate Maven project)
#   jdk          the JDK's HttpServer with a virtual thread per request (JdkHelloServer), one process
#   c-epoll      the floor: $WORKERS processes of a minimal C epoll loop, one read() and one write() per
#                request, no parsing beyond the blank line (benchmarks/peers/c/hello-epoll.c; needs gcc)
#   c-epoll-et   the same, edge-triggered (EPOLLET), as nginx registers its connections
# each alone on loopback, keep-alive, `wrk -t$WRK_THREADS -c$CONNECTIONS` after $WARMUPS warm-up runs of $WARMUP
# (each with its own connections, so that the code closing connections has run before the measured run
# opens new ones: a JIT recompiles what that first close deoptimises); $RUNS rounds x
# servers, interleaved; medians. CPU per request = user+sys of the server's whole process tree (the
# server's pid and every descendant, from /proc/<pid>/stat) over the measured wrk run / requests. This is
# the figure that says what a request costs: on a small machine req/s is capped by wrk sharing the CPUs.
# Installs wrk and nginx from Debian when missing (root, apt-get); needs node 20+.
#
# Usage: benchmarks/http/peers.sh     env: RUNS=3 DURATION=10s WARMUP=5s WARMUPS=2 CONNECTIONS=64 WRK_THREADS=1
#        WORKERS=2 THREADS_KIND=platform PORT=18180 SERVERS="loomcluster nginx node vertx jdk" SKIP_BUILD=0 (c-epoll, c-epoll-et only when named)
#        JAVA_OPTS=... LOOM_OPTS=... (extra JVM options for loomcluster only, e.g. an idle strategy switch)
#        JAR=... (the benchmarks jar loomcluster and jdk run from, e.g. a copy of an older build to compare)
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/jdk.sh
source benchmarks/lib.sh

RUNS=${RUNS:-3}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-5s}
WARMUPS=${WARMUPS:-2}
CONNECTIONS=${CONNECTIONS:-64}
WRK_THREADS=${WRK_THREADS:-1}
WORKERS=${WORKERS:-2}
THREADS_KIND=${THREADS_KIND:-platform}
PORT=${PORT:-18180}
JAVA_OPTS=${JAVA_OPTS:--Xms256m -Xmx1g}
LOOM_OPTS=${LOOM_OPTS:-}
read -r -a SERVERS <<<"${SERVERS:-loomcluster nginx node vertx jdk}"
JAR=${JAR:-benchmarks/target/benchmarks.jar}
VERTX_JAR=benchmarks/peers/vertx/target/vertx-hello.jar
HZ=$(getconf CLK_TCK)

need_deb wrk wrk
for s in "${SERVERS[@]}"; do
  case "$s" in
    nginx) PATH="$PATH:/usr/sbin"; need_deb nginx nginx-light ;;
    node) require_cmd node "Node 20+" ;;
    c-epoll|c-epoll-et) need_deb gcc gcc ;;
  esac
done
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  echo "building (benchmarks jar; Vert.x peer)..."
  ./mvnw -q -B -ntp -pl benchmarks -am package -DskipTests
  if [[ " ${SERVERS[*]} " == *" vertx "* ]]; then ./mvnw -q -B -ntp -f benchmarks/peers/vertx/pom.xml package; fi
fi

NGINX_DIR=$(mktemp -d /tmp/peers-nginx.XXXXXX)
write_nginx_conf() { # port
  mkdir -p "$NGINX_DIR/tmp"
  cat >"$NGINX_DIR/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes $WORKERS;
pid $NGINX_DIR/nginx.pid;
error_log $NGINX_DIR/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 75s;
  client_body_temp_path $NGINX_DIR/tmp; proxy_temp_path $NGINX_DIR/tmp; fastcgi_temp_path $NGINX_DIR/tmp;
  uwsgi_temp_path $NGINX_DIR/tmp; scgi_temp_path $NGINX_DIR/tmp;
  server {
    listen 127.0.0.1:$1;
    location / { default_type application/json; return 200 '{"message":"Hello from worker 1"}'; }
  }
}
EOF
}

if [[ " ${SERVERS[*]} " == *" c-epoll"* ]]; then
  gcc -O2 -o "$NGINX_DIR/hello-epoll" benchmarks/peers/c/hello-epoll.c
fi

declare -A PIDS
start_server() { # name port
  local log="/tmp/peers-$1.log"
  case "$1" in
    loomcluster|loomcluster-park|loomcluster-auto|loomcluster-backoff)
      idle=${1#loomcluster}; idle=${idle#-}
      java $JAVA_OPTS $LOOM_OPTS -cp "$JAR" dev.loomcluster.examples.HelloCluster --host 127.0.0.1 \
        --port "$2" --workers "$WORKERS" --threads "$THREADS_KIND" --idle "${idle:-auto}" >"$log" 2>&1 & ;;
    nginx) write_nginx_conf "$2"; nginx -c "$NGINX_DIR/nginx.conf" -p "$NGINX_DIR" >"$log" 2>&1 & ;;
    node) PORT="$2" WORKERS="$WORKERS" node benchmarks/http/node-cluster.js >"$log" 2>&1 & ;;
    vertx) java $JAVA_OPTS -jar "$VERTX_JAR" "$2" "$WORKERS" >"$log" 2>&1 & ;;
    jdk) java $JAVA_OPTS -cp "$JAR" dev.loomcluster.benchmarks.http.JdkHelloServer "$2" >"$log" 2>&1 & ;;
    c-epoll) "$NGINX_DIR/hello-epoll" "$2" "$WORKERS" >"$log" 2>&1 & ;;
    c-epoll-et) "$NGINX_DIR/hello-epoll" "$2" "$WORKERS" et >"$log" 2>&1 & ;;
    *) echo "error: unknown server $1" >&2; exit 1 ;;
  esac
  PIDS[$1]=$!
  await_http "http://127.0.0.1:$2/" && return 0
  echo "error: $1 did not answer on port $2; its log:" >&2
  cat "$log" >&2
  exit 1
}
stop_server() { # name
  stop_pid "${PIDS[$1]}" "$1"
  unset "PIDS[$1]"
}
cleanup() {
  for name in "${!PIDS[@]}"; do pkill -KILL -P "${PIDS[$name]}" 2>/dev/null || true; kill -KILL "${PIDS[$name]}" 2>/dev/null || true; done
  rm -rf "$NGINX_DIR"
}
trap cleanup EXIT

# "user sys" clock ticks of pid and all its descendants (live ones; a tree's members live for the whole run)
tree_ticks() { # pid
  awk -v root="$1" '
    FNR == 1 { line = $0; sub(/^[0-9]+ \(.*\) /, "", line); split(line, f, " ")
               pid = FILENAME; sub("/proc/", "", pid); sub("/stat", "", pid)
               ppid[pid] = f[2]; ut[pid] = f[12]; st[pid] = f[13] }
    END { inTree[root] = 1; changed = 1
          while (changed) { changed = 0; for (p in ppid) if (!(p in inTree) && (ppid[p] in inTree)) { inTree[p] = 1; changed = 1 } }
          for (p in inTree) if (p in ut) { u += ut[p]; s += st[p] }
          print u + 0, s + 0 }' /proc/[0-9]*/stat 2>/dev/null
}

declare -A RPS CPU USR SYS ERR
echo "wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION (after $WARMUPS warm-up runs of $WARMUP), $WORKERS workers, $RUNS rounds;" \
  "$(nproc) CPUs, $(node --version 2>/dev/null || echo no-node), $(java -version 2>&1 | head -1), $(nginx -v 2>&1 || true)"
for run in $(seq 1 "$RUNS"); do
  i=0
  for name in "${SERVERS[@]}"; do
    port=$((PORT + i)); i=$((i + 1))
    start_server "$name" "$port"
    for _ in $(seq 1 "$WARMUPS"); do
      wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$WARMUP" "http://127.0.0.1:$port/" >/dev/null || true
    done
    load=$(cut -d' ' -f1 /proc/loadavg)
    read -r u0 s0 < <(tree_ticks "${PIDS[$name]}")
    out=$(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" "http://127.0.0.1:$port/")
    read -r u1 s1 < <(tree_ticks "${PIDS[$name]}")
    if ! kill -0 "${PIDS[$name]}" 2>/dev/null; then
      echo "  run $run $name FAILED: the server died during the run (sample dropped); its log: /tmp/peers-$name.log"
      wait "${PIDS[$name]}" 2>/dev/null || true; unset "PIDS[$name]"; continue
    fi
    stop_server "$name"
    reqs=$(wrk_requests <<<"$out")
    rps=$(wrk_rps <<<"$out")
    errs=$(wrk_errors <<<"$out")
    read -r cpu usr sys < <(awk -v u="$((u1 - u0))" -v s="$((s1 - s0))" -v n="$reqs" -v hz="$HZ" \
      'BEGIN { printf "%.2f %.2f %.2f\n", (u + s) / hz * 1e6 / n, u / hz * 1e6 / n, s / hz * 1e6 / n }')
    RPS[$name]="${RPS[$name]:-} $rps"; CPU[$name]="${CPU[$name]:-} $cpu"; USR[$name]="${USR[$name]:-} $usr"
    SYS[$name]="${SYS[$name]:-} $sys"; ERR[$name]="${ERR[$name]:-} $errs"
    printf '  run %d %-19s %10.0f req/s   CPU %6.2f us/req (user %5.2f, sys %5.2f)   errors %s   (load before: %s)\n' \
      "$run" "$name" "$rps" "$cpu" "$usr" "$sys" "$errs" "$load"
  done
done

ref=${SERVERS[0]}
if [[ " ${SERVERS[*]} " == *" nginx "* ]]; then ref=nginx; fi
ref_cpu=$(median "${CPU[$ref]}")
echo
echo "medians of $RUNS rounds ($(date -u +%Y-%m-%dT%H:%MZ))"
printf '| %-19s | %10s | %12s | %10s | %10s | %14s | %6s |\n' server "req/s" "CPU us/req" "user" "sys" "CPU vs $ref" errors
printf '|%s|%s|%s|%s|%s|%s|%s|\n' "---------------------" "------------" "--------------" "------------" "------------" "----------------" "--------"
for name in "${SERVERS[@]}"; do
  cpu=$(median "${CPU[$name]}")
  printf '| %-19s | %10.0f | %12.2f | %10.2f | %10.2f | %14s | %6d |\n' "$name" "$(median "${RPS[$name]}")" "$cpu" \
    "$(median "${USR[$name]}")" "$(median "${SYS[$name]}")" \
    "$(awk -v a="$cpu" -v b="$ref_cpu" 'BEGIN { printf "%.2fx", a / b }')" "$(total "${ERR[$name]}")"
done
