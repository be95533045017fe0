/**
 * JMH benchmarks of the core through its public API: message round trip and one-way throughput, fork to
 * online, a hand-off control with no loomcluster code, and the idle-worker memory probe. Run by
 * {@code benchmarks/run-core.sh}; method and results in {@code benchmarks/README.md}.
 */
package dev.loomcluster.benchmarks;
