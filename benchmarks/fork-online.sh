#!/usr/bin/env bash
# Fork -> online of child JVMs against Node's cluster, in interleaved rounds on this machine: each round runs
#   default      ForkOnline: a PROCESS pool with default child options
#   cache        ForkOnline --startup-cache: the same pool with WorkerPool.Builder.startupCache (JDK 25 AOT
#                cache, trained by the first fork of the first round and kept in benchmarks/target/fork-cache)
#   node         node/cluster-bench.js: Node 20's cluster.fork() -> 'online' (skipped without node)
# $FORKS forks each (medians per round), then the median of the rounds' medians per column.
# Usage: benchmarks/fork-online.sh    env: ROUNDS=3 FORKS=15 SKIP_BUILD=0 JAR=benchmarks/target/benchmarks.jar
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/jdk.sh
source benchmarks/lib.sh

ROUNDS=${ROUNDS:-3}
FORKS=${FORKS:-15}
JAR=${JAR:-benchmarks/target/benchmarks.jar}
CACHE=benchmarks/target/fork-cache
build_module benchmarks
have_node=1
command -v node >/dev/null 2>&1 || { have_node=0; echo "node not found: Node's column is skipped"; }

field() { sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p'; }
declare -a D C N
echo "fork -> online median (ms), $FORKS forks each; $(nproc) CPUs, $(java -version 2>&1 | head -1), node $(node --version 2>/dev/null || echo -)"
for r in $(seq 1 "$ROUNDS"); do
  load=$(cut -d" " -f1 /proc/loadavg)
  d=$(java -cp "$JAR" dev.loomcluster.benchmarks.isolation.ForkOnline "$FORKS" | field)
  c=$(java -cp "$JAR" dev.loomcluster.benchmarks.isolation.ForkOnline "$FORKS" --startup-cache "$CACHE" | field)
  n=-
  if [ "$have_node" = 1 ]; then n=$(node benchmarks/node/cluster-bench.js 1 1 "$FORKS" | grep fork_online | field); fi
  D+=("$d"); C+=("$c"); N+=("$n")
  printf "  round %d (load %s): default %s   startupCache %s   node %s\n" "$r" "$load" "$d" "$c" "$n"
done
node_median=-
if [ "$have_node" = 1 ]; then node_median=$(median "${N[*]}"); fi
printf "medians of %d rounds (%s): default %s ms, startupCache %s ms, node %s ms\n" "$ROUNDS" \
  "$(date -u +%Y-%m-%dT%H:%MZ)" "$(median "${D[*]}")" "$(median "${C[*]}")" "$node_median"
