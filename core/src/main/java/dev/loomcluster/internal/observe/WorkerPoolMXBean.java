package dev.loomcluster.internal.observe;

import java.util.Map;

/**
 * A pool's statistics over JMX, under {@code dev.loomcluster:type=WorkerPool,name=<pool name>} in the
 * platform MBean server (JConsole, VisualVM, Prometheus' JMX exporter). Read-only; each read takes a
 * fresh {@code WorkerPool.stats()}. Sums are over the live workers. Any thread.
 */
public interface WorkerPoolMXBean {
    /** The pool's name. */
    String getName();

    /** Live workers. */
    int getWorkers();

    /** Workers forked since the pool was built. */
    long getForked();

    /** Worker threads abandoned because they did not stop when killed. */
    int getLeakedThreads();

    /** Workers the restart policy re-forked. */
    long getRestarts();

    /** Messages delivered to the live workers' handlers. */
    long getMessagesIn();

    /** Messages the live workers sent to the primary. */
    long getMessagesOut();

    /** Connections open on the live workers. */
    long getConnectionsOpen();

    /** Connections the live workers have received. */
    long getConnectionsReceived();

    /** HTTP requests the live workers have served. */
    long getRequestsServed();

    /** The largest 99th-percentile loop lag among the live workers, in microseconds. */
    long getMaxLoopLagP99Micros();

    /** One entry per live worker, by id. */
    Map<Integer, WorkerInfo> getWorkerStats();

    /** One worker's statistics, as JMX composite data. */
    interface WorkerInfo {
        int getId();

        long getMessagesIn();

        long getMessagesOut();

        int getMailboxDepth();

        long getUptimeMillis();

        double getLoopUtilization();

        int getRestarts();

        long getConnectionsReceived();

        long getConnectionsOpen();

        long getRequestsServed();

        long getLoopLagP50Micros();

        long getLoopLagP99Micros();
    }
}
