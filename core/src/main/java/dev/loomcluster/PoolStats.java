package dev.loomcluster;

import java.util.List;
import java.util.Objects;

/**
 * A snapshot of a pool. Immutable; made by {@link WorkerPool#stats()} or, for tests of code that consumes
 * stats, by {@link #builder()}. New figures get new accessors, so code reading these keeps compiling.
 */
public final class PoolStats {
    private final List<WorkerStats> workers;
    private final long forked;
    private final int leakedThreads;
    private final long restarts;

    private PoolStats(Builder b) {
        this.workers = List.copyOf(b.workers);
        this.forked = b.forked;
        this.leakedThreads = b.leakedThreads;
        this.restarts = b.restarts;
    }

    /** A builder; every figure not set is zero, the worker list empty. */
    public static Builder builder() {
        return new Builder();
    }

    /** One entry per live worker, by ascending id. */
    public List<WorkerStats> workers() {
        return workers;
    }

    /** Workers forked since the pool was built. */
    public long forked() {
        return forked;
    }

    /**
     * Worker threads that did not stop when killed: they were reported dead with {@code SIGKILL} and
     * abandoned, as the JVM cannot stop a thread stuck in user code.
     */
    public int leakedThreads() {
        return leakedThreads;
    }

    /** Workers the restart policy re-forked since the pool was built. */
    public long restarts() {
        return restarts;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PoolStats s && workers.equals(s.workers) && forked == s.forked
                && leakedThreads == s.leakedThreads && restarts == s.restarts;
    }

    @Override
    public int hashCode() {
        return Objects.hash(workers, forked, leakedThreads, restarts);
    }

    @Override
    public String toString() {
        return "PoolStats[workers=" + workers + ", forked=" + forked + ", leakedThreads=" + leakedThreads
                + ", restarts=" + restarts + "]";
    }

    /** Builds {@link PoolStats}. Not thread-safe. */
    public static final class Builder {
        private List<WorkerStats> workers = List.of();
        private long forked;
        private int leakedThreads;
        private long restarts;

        private Builder() {
        }

        /** The live workers' stats, by ascending id (copied). */
        public Builder workers(List<WorkerStats> workers) {
            this.workers = List.copyOf(workers);
            return this;
        }

        public Builder forked(long n) {
            this.forked = n;
            return this;
        }

        public Builder leakedThreads(int n) {
            this.leakedThreads = n;
            return this;
        }

        public Builder restarts(long n) {
            this.restarts = n;
            return this;
        }

        public PoolStats build() {
            return new PoolStats(this);
        }
    }
}
