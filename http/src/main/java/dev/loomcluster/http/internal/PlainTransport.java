package dev.loomcluster.http.internal;

import dev.loomcluster.Connection;
import dev.loomcluster.ConnectionHandler;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * HTTP straight over the core's TCP {@link Connection}: the core's callbacks become {@link Listener}
 * calls, and the {@link Transport} operations are the connection's. Callbacks run on the worker's loop;
 * the operations follow {@link Transport}'s threading.
 */
final class PlainTransport implements Transport, ConnectionHandler {
    // ---- immutable
    private final Connection connection;

    // ---- loop thread
    private Listener listener;
    private boolean readingPaused;

    PlainTransport(Connection connection) {
        this.connection = connection;
    }

    /** Sets who hears the callbacks; before the first one. Loop. */
    void listener(Listener l) {
        this.listener = l;
    }

    // ---------------------------------------------------------------- core callbacks (loop)

    @Override
    public void onOpen(Connection c) {
        listener.opened();
    }

    @Override
    public void onData(Connection c, ByteBuffer data) {
        listener.received(data);
    }

    @Override
    public void onInputClosed(Connection c) {
        listener.inputClosed();
    }

    @Override
    public void onWritabilityChanged(Connection c, boolean writable) {
        if (writable) {
            listener.writable();
        }
    }

    @Override
    public void onWorkerDisconnect(Connection c) {
        listener.workerDisconnecting();
    }

    @Override
    public void onClose(Connection c) {
        listener.closed();
    }

    // ---------------------------------------------------------------- Transport

    @Override
    public InetSocketAddress remoteAddress() {
        return connection.remoteAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
        return connection.localAddress();
    }

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
    public boolean isWritable() {
        return connection.isWritable();
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
    public void pauseReading() {
        if (!readingPaused) {
            readingPaused = true;
            connection.pauseReading();
        }
    }

    @Override
    public void resumeReading() {
        if (readingPaused) {
            readingPaused = false;
            connection.resumeReading();
        }
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
