package dev.loomcluster;

import java.net.InetSocketAddress;

/**
 * One worker's share of a listening socket, returned by {@link WorkerContext#listen}. Any thread.
 */
public interface NetServer extends AutoCloseable {

    /** The bound address (with the real port when {@code listen(0)} was asked). */
    InetSocketAddress address();

    /** Connections of this worker's share that are open now. */
    int openConnections();

    /**
     * Stops this worker taking connections from the socket; its open connections stay open. The pool closes
     * the socket once no worker listens on it. Idempotent.
     */
    @Override
    void close();
}
