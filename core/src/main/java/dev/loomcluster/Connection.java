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
 * when it becomes writable. When the queued bytes pass the high-water mark, {@link #isWritable()} turns
 * false and {@link ConnectionHandler#onWritabilityChanged} is called; it turns true again once they fall
 * below the low-water mark.
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

    /** Attaches one object of the handler's own to the connection. */
    void attach(Object attachment);

    /** The object attached, or {@code null}. */
    Object attachment();
}
