package dev.loomcluster;

import java.net.InetSocketAddress;

/**
 * A connection a worker sent to the primary with a message ({@link WorkerContext#send(Object, Connection,
 * java.nio.ByteBuffer)}, Node's {@code process.send(message, socket)}), held by the primary until it
 * forwards it to a worker with {@link Worker#send(Object, SentConnection)} or closes it. While held, the
 * socket is open and nobody reads it: what the peer sends waits in the kernel.
 *
 * <p>What it carries: the open socket and the bytes the sending handler gave back as unconsumed (they
 * reach the receiving handler first). Not carried: the sending handler, its attachment, queued output
 * (a connection with output still queued cannot be sent).
 *
 * <p>Methods may be called from any thread. A connection is forwarded at most once.
 */
public interface SentConnection {

    /** The message it was sent with (isolated, as every message). */
    Object message();

    /** The worker that sent it. */
    Worker sender();

    InetSocketAddress remoteAddress();

    InetSocketAddress localAddress();

    /** Whether it is still held here: neither forwarded nor closed. */
    boolean isHeld();

    /** Closes the connection if it is still held. Idempotent. */
    void close();
}
