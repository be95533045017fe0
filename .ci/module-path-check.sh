#!/usr/bin/env bash
# Runs the main job (HelloCluster, 2 workers, loopback) from the built jars twice, on the module path
# (java -p core.jar:http.jar:jctools.jar:examples.jar -m ...) and on the class path; each time checks that
# both workers answer GET / with the JSON greeting, then sends SIGTERM and checks that the pool drains and
# the JVM exits 0. Uses the jars of the last package/verify (builds them if missing); needs only a JDK 25.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/jdk.sh

version=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -1)
examples_jar=examples/target/loomcluster-examples-$version.jar
if [ ! -f "$examples_jar" ] || [ ! -f examples/target/runtime-classpath.txt ]; then
  ./mvnw -q -B -ntp -pl examples -am package -DskipTests
fi
jars="$examples_jar:$(cat examples/target/runtime-classpath.txt)"   # examples, http, core, jctools-core

# The modules resolve from the jars: ours are explicit modules, JCTools brings its own descriptor (org.jctools.core).
modules=$(java -p "$jars" --list-modules)
for m in dev.loomcluster.examples dev.loomcluster.http dev.loomcluster org.jctools.core; do
  if ! grep -qE "^${m//./\\.}@[^ ]+ file:" <<<"$modules"; then
    echo "error: module $m is not on the module path $jars" >&2; exit 1
  fi
done

log=$(mktemp)
pid=
cleanup() { if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null || true; fi; rm -f "$log"; }
trap cleanup EXIT

run() { # name, java launch arguments...
  local name=$1; shift
  local port; port=$(java .ci/HttpCheck.java free-port)
  : >"$log"
  java "$@" --port "$port" --host 127.0.0.1 --workers 2 >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do
    if grep -q "Worker 2 started" "$log" && grep -q "Worker 1 started" "$log"; then break; fi
    if ! kill -0 "$pid" 2>/dev/null; then echo "error: $name: the main job exited early:" >&2; cat "$log" >&2; exit 1; fi
    sleep 0.1
  done
  java .ci/HttpCheck.java hello "$port" 2 || { cat "$log" >&2; exit 1; }
  kill -TERM "$pid"
  local status=0
  wait "$pid" || status=$?
  pid=
  if [ "$status" -ne 0 ] || ! grep -q "draining" "$log"; then
    echo "error: $name: after SIGTERM the main job exited with $status:" >&2; cat "$log" >&2; exit 1
  fi
  echo "module-path-check: $name: both workers answered, SIGTERM drained, exit 0"
}

run "module path" -p "$jars" -m dev.loomcluster.examples/dev.loomcluster.examples.HelloCluster
run "class path" -cp "$jars" dev.loomcluster.examples.HelloCluster
