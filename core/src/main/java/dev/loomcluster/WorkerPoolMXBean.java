package dev.loomcluster;

import java.util.Map;

/**
 * A pool's statistics over JMX: every pool registers one in the platform MBean server, shortly after it
 * is built (on a background thread: the first use of the platform MBean server can take a few hundred
 * milliseconds, which {@code build()} does not wait for) until it is closed, as {@code dev.loomcluster:type=WorkerPool,name=<pool name>} ({@code <pool name>-2}, {@code -3}…
 * when that name is taken; quoted if it holds JMX syntax), for JConsole, VisualVM or Prometheus' JMX
 * exporter. Read-only; each read takes a fresh {@link WorkerPool#stats()}; sums are over the live
 * workers. Applications do not implement it; they may read it through
 * {@code JMX.newMXBeanProxy(connection, name, WorkerPoolMXBean.class)}. Any thread.
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
