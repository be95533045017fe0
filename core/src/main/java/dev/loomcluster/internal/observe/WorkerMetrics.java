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
    /** For a server outside any worker: counts into nothing anyone reads. */
    private static final WorkerMetrics DETACHED = new WorkerMetrics();

    // ---- written by the worker's loop thread, read by any thread
    private final AtomicLong requestsServed = new AtomicLong();

    /** A worker's runtime: the owner of its metrics. */
    public interface Source {
        WorkerMetrics metrics();
    }

    /** The metrics of the worker {@code ctx} is, or counters nobody reads if it is not a worker's. */
    public static WorkerMetrics of(WorkerContext ctx) {
        return ctx instanceof Source s ? s.metrics() : DETACHED;
    }

    /** One request served (its exchange ended). The worker's loop thread only. */
    public void requestServed() {
        requestsServed.lazySet(requestsServed.get() + 1);
    }

    public long requestsServed() {
        return requestsServed.get();
    }
}
