package dev.loomcluster;

import java.nio.ByteBuffer;

/**
 * Receives the events of one {@link Connection}, on the owning worker's loop thread.
 */
public interface ConnectionHandler {

    /** The connection is registered with the worker's loop; called once, first. */
    default void onOpen(Connection connection) {
    }

    /**
     * Bytes arrived. {@code data} is the loop's read buffer, valid only during this call: read what is
     * needed or copy it.
     */
    void onData(Connection connection, ByteBuffer data);

    /** The peer half-closed its side (end of input). The default closes the connection. */
    default void onInputClosed(Connection connection) {
        connection.close();
    }

    /** {@link Connection#isWritable()} changed. */
    default void onWritabilityChanged(Connection connection, boolean writable) {
    }

    /**
     * The worker started disconnecting (it takes no new connections): finish what is in flight, then
     * either {@link Connection#handOver hand the connection over} to a worker still listening on the
     * address (so a reload or a scale-down closes nothing), or, when that is refused because no worker is
     * left (the pool is closing), keep serving for at most {@link WorkerContext#drainGrace()} and close.
     * The worker exits once all of its connections are closed or handed over; the pool kills it after its
     * shutdown timeout. Also called right after {@code onOpen} (and the replay of carried input) for a
     * connection that reaches a worker already disconnecting. The default does nothing: the handler closes
     * the connection when it is done.
     */
    default void onWorkerDisconnect(Connection connection) {
    }

    /** The connection is closed (by either side, or by an I/O error); called once, last. */
    default void onClose(Connection connection) {
    }
}
