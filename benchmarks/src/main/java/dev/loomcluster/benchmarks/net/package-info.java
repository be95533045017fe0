/**
 * The shared-socket benchmark: connections per second accepted and echoed by pools of 1, 2 and 4 workers
 * under both scheduling policies, against one-thread NIO and blocking baselines. Run by
 * {@code benchmarks/run-net.sh}.
 */
package dev.loomcluster.benchmarks.net;
