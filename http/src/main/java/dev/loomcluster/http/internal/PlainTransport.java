package dev.loomcluster.http.internal;

import dev.loomcluster.Connection;

import java.nio.ByteBuffer;

/**
 * HTTP straight over the core's TCP {@link Connection}: the core's callbacks become {@link Listener}
 * calls, and the {@link Transport} operations are the connection's (the common ones in
 * {@link ConnectionTransport}). Callbacks run on the worker's loop; the operations follow
 * {@link Transport}'s threading.
 */
final class PlainTransport extends ConnectionTransport {

    PlainTransport(Connection connection) {
        super(connection);
    }

    // ---------------------------------------------------------------- core callbacks (loop)

    @Override
    public void onData(Connection c, ByteBuffer data) {
        listener.received(data);
    }

    @Override
    public void onInputClosed(Connection c) {
        listener.inputClosed();
    }

    @Override
    public void onClose(Connection c) {
        listener.closed();
    }

    // ---------------------------------------------------------------- Transport

    @Override
    public void write(ByteBuffer data) {
        connection.write(data);
    }

    @Override
    public long pendingBytes() {
        return connection.pendingBytes();
    }

    @Override
    public boolean isOpen() {
        return connection.isOpen();
    }

    @Override
    public boolean canHandOver() {
        return connection.canHandOver();
    }

    @Override
    public boolean handOver(ByteBuffer unconsumed) {
        return connection.handOver(unconsumed);
    }

    @Override
    public void close() {
        connection.close();
    }

    @Override
    public void abort() {
        connection.abort();
    }

    @Override
    public String toString() {
        return connection.toString();
    }
}
