#!/usr/bin/env bash
# Builds and runs the main job: Node's cluster example on loomcluster (dev.loomcluster.http.examples.HelloCluster).
# Arguments go to it: [--port N] [--host ADDR] [--workers N] [--threads platform|virtual]; PORT=N works too (default 8000).
# Ctrl-C or SIGTERM drains the workers and exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/jdk.sh
./mvnw -q -B -ntp -pl http -am package -DskipTests
exec java ${JAVA_OPTS:-} -cp "http/target/classes:$(cat http/target/runtime-classpath.txt)" \
  dev.loomcluster.http.examples.HelloCluster "$@"
