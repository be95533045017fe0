/**
 * Threads against processes: the same measurements for {@code Isolation.THREAD} and
 * {@code Isolation.PROCESS} (message round trip and one-way rate, fork to online, idle memory), run
 * side by side by {@code benchmarks/run-isolation.sh}. Worker mains are public classes so that a child
 * JVM can make them.
 */
package dev.loomcluster.benchmarks.isolation;
