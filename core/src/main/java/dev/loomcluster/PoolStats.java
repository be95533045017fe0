package dev.loomcluster;

import java.util.List;

/**
 * A snapshot of a pool.
 *
 * @param workers       one entry per live worker, by ascending id
 * @param forked        workers forked since the pool was built
 * @param leakedThreads worker threads that did not stop when killed: they were reported dead with
 *                      {@code SIGKILL} and abandoned, as the JVM cannot stop a thread stuck in user code
 */
public record PoolStats(List<WorkerStats> workers, long forked, int leakedThreads) {
    public PoolStats {
        workers = List.copyOf(workers);
    }
}
