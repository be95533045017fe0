package dev.loomcluster.http.internal;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLSession;

/**
 * The byte stream an HTTP connection runs over: a TCP connection ({@link PlainTransport}), or TLS on top
 * of one. The HTTP layer sees only plaintext and these few operations; what is below (the core's
 * {@code Connection}, an {@code SSLEngine}) stays below.
 *
 * <p>Threads: {@link #write}, {@link #pendingBytes}, {@link #isOpen}, {@link #close} and {@link #abort}
 * may be called from any thread (a handler on an executor writes through them); the rest, and every
 * {@link Listener} call, belong to the worker's loop.
 */
interface Transport {

    /** What the transport tells the HTTP layer. Every call runs on the worker's loop. */
    interface Listener {
        /** The transport is ready (for TLS: accepted, the handshake may still be going on). */
        void opened();

        /** Plaintext bytes arrived; the listener consumes what it can and stashes the rest. */
        void received(ByteBuffer data);

        /** The peer will send nothing more. */
        void inputClosed();

        /** Queued bytes fell below the low-water mark: blocked writers may go on. */
        void writable();

        /**
         * The worker is disconnecting: finish what is in flight, then hand the connection over to a
         * worker that stays, or (none is left) serve for the drain grace and close.
         */
        void workerDisconnecting();

        /** The transport is closed; nothing more will come or go. */
        void closed();
    }

    InetSocketAddress remoteAddress();

    InetSocketAddress localAddress();

    /** Sends the remaining bytes of {@code data}, consuming them (copied when off the loop). Any thread. */
    void write(ByteBuffer data);

    /** Bytes written but not yet taken by the socket. Any thread. */
    long pendingBytes();

    /** Whether the transport can still send. Any thread. */
    boolean isOpen();

    /**
     * Whether queued output is below the high-water mark; when it turns true again
     * {@link Listener#writable()} is called. Any thread.
     */
    boolean isWritable();

    /**
     * Whether another worker on this address could take the connection ({@link #handOver}). False for
     * TLS: the engine's session state cannot move to another loop. Any thread.
     */
    default boolean canHandOver() {
        return false;
    }

    /**
     * Moves the connection to another worker listening on the same address, with {@code unconsumed}
     * (plaintext not parsed yet) replayed to its new HTTP connection first; {@link Listener#closed()} is
     * called here on success. False, with nothing changed, if it cannot (see the core's
     * {@code Connection.handOver}). Loop.
     */
    default boolean handOver(ByteBuffer unconsumed) {
        return false;
    }

    /** Stops reading from the peer until {@link #resumeReading()}; idempotent. Loop. */
    void pauseReading();

    /** Idempotent. Loop. */
    void resumeReading();

    /** Closes once what is queued is sent. Idempotent; any thread. */
    void close();

    /** Closes at once, dropping what is queued. Idempotent; any thread. */
    void abort();

    /** The TLS session, for a TLS transport (its protocol and cipher are known once the handshake ends); else null. */
    default SSLSession session() {
        return null;
    }

    /** Whether this transport is TLS. */
    default boolean isTls() {
        return false;
    }
}
