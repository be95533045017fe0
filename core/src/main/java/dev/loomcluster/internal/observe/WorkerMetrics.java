package dev.loomcluster.internal.observe;

import dev.loomcluster.WorkerContext;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters a worker keeps for other modules of loomcluster to bump: the HTTP module counts the requests
 * it serves here, and {@code WorkerStats.requestsServed()} reports them. Not public API: the package is
 * exported to {@code dev.loomcluster.http} only. Counted on the worker's loop thread (one writer, so an
 * increment is a plain add and a release store); read from any thread.
 */
public final class WorkerMetrics {
    // ---- written by the worker's loop thread, read by any thread
    private final AtomicLong requestsServed = new AtomicLong();

    /** A worker's runtime: the owner of its metrics. */
    public interface Source {
        WorkerMetrics metrics();
    }

    /**
     * The metrics of the worker {@code ctx} is; for a context that is not a worker's (a test double), new
     * counters nobody reads, one set per caller so that callers on different threads share nothing.
     */
    public static WorkerMetrics of(WorkerContext ctx) {
        return ctx instanceof Source s ? s.metrics() : new WorkerMetrics();
    }

    /** One request served (its exchange ended). The worker's loop thread only. */
    public void requestServed() {
        requestsServed.lazySet(requestsServed.get() + 1);
    }

    public long requestsServed() {
        return requestsServed.get();
    }
}
