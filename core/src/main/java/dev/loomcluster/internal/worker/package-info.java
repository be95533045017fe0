/**
 * The worker side: {@link dev.loomcluster.internal.worker.WorkerRuntime}, which runs one worker's main and
 * loop (the same code in a thread of the primary's JVM and in a child JVM), and the
 * {@link dev.loomcluster.internal.worker.Uplink} through which it reports
 * {@link dev.loomcluster.internal.worker.Signal}s and messages to its primary.
 */
package dev.loomcluster.internal.worker;
