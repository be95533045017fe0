package dev.loomcluster;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A TCP connection accepted by a worker. It belongs to that worker for its whole life: every
 * {@link ConnectionHandler} callback runs on the worker's loop.
 *
 * <p>Methods may be called from any thread; a call from another thread is handed to the loop (written
 * bytes are copied first) through the worker's FIFO mailbox, so the calls one thread makes (writes, close,
 * and {@link WorkerContext#execute} tasks) take effect in the order it made them. Writes are queued: bytes the socket does not take at once are kept and flushed
 * when it becomes writable. When the queued bytes pass the high-water mark (64 KiB), {@link #isWritable()}
 * turns false, {@link ConnectionHandler#onWritabilityChanged} is called and the connection stops reading
 * from the socket; once they fall below the low-water mark (32 KiB) it turns true again and reading
 * resumes. So a peer that sends without reading what it is sent is throttled by TCP itself, and the
 * memory a connection holds stays near the marks however the handler writes (on the loop or from an
 * executor), unless the handler itself keeps writing while {@link #isWritable()} is false. Input a
 * handler hands to another thread is not counted until that thread writes: such a handler pauses reading
 * while its work is queued (as the HTTP server does, one exchange at a time), or it bounds that queue.
 *
 * <p>A connection can move to another worker of the pool, in this JVM, without the peer noticing:
 * {@link #handOver} (a disconnecting worker's idle connections go to a worker still listening on the same
 * address) and {@link WorkerContext#send(Object, Connection, ByteBuffer)} (Node's {@code sendHandle}).
 * What moves is the open socket and the input the handler gives back as unconsumed; what does not move is
 * the handler (the receiving side makes a new one), the {@link #attachment()}, and output: a connection
 * with queued or in-flight writes is refused.
 */
public interface Connection {

    InetSocketAddress remoteAddress();

    InetSocketAddress localAddress();

    /**
     * Writes the remaining bytes of {@code data}, consuming them; the caller may reuse the buffer once this
     * returns.
     *
     * @return {@link #isWritable()} after the write
     */
    boolean write(ByteBuffer data);

    /** Writes {@code length} bytes of {@code data} from {@code offset}; see {@link #write(ByteBuffer)}. */
    boolean write(byte[] data, int offset, int length);

    /** Whether queued bytes are below the high-water mark. */
    boolean isWritable();

    /** Bytes written but not yet taken by the socket. */
    long pendingBytes();

    /** Stops reading from the socket until {@link #resumeReading()}: back-pressure toward the peer. */
    void pauseReading();

    void resumeReading();

    /** Half-closes: sends FIN once queued bytes are flushed; reading goes on. */
    void shutdownOutput();

    /** Closes once queued bytes are flushed. Idempotent. */
    void close();

    /** Closes at once, dropping queued bytes. Idempotent. */
    void abort();

    boolean isOpen();

    /**
     * Hands this connection over to another worker listening on the same shared address, in this JVM
     * (round robin over the live ones): the socket stays open and the peer sees nothing. On success this
     * worker's handler gets {@link ConnectionHandler#onClose} at once and this object is closed for it; on
     * the other worker's loop a new {@code Connection} is made, that worker's handler factory (the one it
     * passed to {@code listen}) makes its handler, which gets {@code onOpen}, then {@code unconsumed}'s
     * bytes in one {@code onData} call, then what the peer sends next. The attachment is not carried.
     *
     * <p>Refused, returning {@code false} with nothing changed, when no other worker listens on the
     * address (or they run in other processes), when output is still queued or being written
     * ({@link #pendingBytes()} is not 0), when the connection is closing or its input has ended, or when it
     * was not accepted from a {@code listen}. Once another worker has taken the connection in its queue
     * it is never dropped: if that worker stops listening before adopting it, it goes on to another one,
     * or, with none left, that worker serves it while it drains.
     *
     * <p>Loop thread only: call it from a handler callback (typically
     * {@link ConnectionHandler#onWorkerDisconnect}, when no exchange is in flight).
     *
     * @param unconsumed bytes received but not consumed by this handler (copied; consumed by this call),
     *                   replayed to the new handler before any new read; may be empty
     * @throws IllegalStateException if called from another thread than the connection's loop
     */
    boolean handOver(ByteBuffer unconsumed);

    /**
     * Whether another worker listens on this connection's address in this JVM, so that
     * {@link #handOver} would find one (it may still be refused for queued output). A protocol decides
     * with it, while a request is in flight, whether its response can keep the connection alive. Any thread.
     */
    boolean canHandOver();

    /** Attaches one object of the handler's own to the connection. */
    void attach(Object attachment);

    /** The object attached, or {@code null}. */
    Object attachment();
}
