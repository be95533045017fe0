package dev.loomcluster.http.internal;

import dev.loomcluster.Connection;
import dev.loomcluster.ConnectionHandler;

import java.net.InetSocketAddress;

/**
 * What every {@link Transport} over the core's TCP {@link Connection} does the same way: it is the
 * connection's handler, passes the open, writability and disconnect callbacks on to its {@link Listener},
 * and takes addresses, writability and read pausing straight from the connection. Callbacks run on the
 * worker's loop; the operations follow {@link Transport}'s threading.
 */
abstract sealed class ConnectionTransport implements Transport, ConnectionHandler permits PlainTransport, TlsTransport {
    // ---- immutable
    final Connection connection;

    // ---- loop thread
    Listener listener;
    private boolean readingPaused;

    ConnectionTransport(Connection connection) {
        this.connection = connection;
    }

    /** Sets who hears the callbacks; before the first one. Loop. */
    final void listener(Listener l) {
        this.listener = l;
    }

    @Override
    public final void onOpen(Connection c) {
        listener.opened();
    }

    @Override
    public final void onWritabilityChanged(Connection c, boolean writable) {
        if (writable) {
            listener.writable();
        }
    }

    @Override
    public final void onWorkerDisconnect(Connection c) {
        listener.workerDisconnecting();
    }

    @Override
    public final InetSocketAddress remoteAddress() {
        return connection.remoteAddress();
    }

    @Override
    public final InetSocketAddress localAddress() {
        return connection.localAddress();
    }

    @Override
    public final boolean isWritable() {
        return connection.isWritable();
    }

    @Override
    public final void pauseReading() {
        if (!readingPaused) {
            readingPaused = true;
            connection.pauseReading();
        }
    }

    @Override
    public final void resumeReading() {
        if (readingPaused) {
            readingPaused = false;
            connection.resumeReading();
        }
    }
}
