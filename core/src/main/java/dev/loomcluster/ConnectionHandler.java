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
     * The worker started disconnecting: finish what is in flight and close. The worker exits once all of
     * its connections are closed.
     */
    default void onWorkerDisconnect(Connection connection) {
    }

    /** The connection is closed (by either side, or by an I/O error); called once, last. */
    default void onClose(Connection connection) {
    }
}
