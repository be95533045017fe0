package dev.loomcluster.http.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The outbound flow of one HTTP connection: where response bytes are staged and how they reach the
 * {@link Transport}.
 *
 * <p>On the loop, bytes are staged in one buffer and written once per batch: while the loop handles a
 * read ({@link #beginBatch}/{@link #endBatch}), so a run of pipelined responses goes out in one write,
 * or at the end of each call otherwise. Off the loop (a handler on an executor) bytes are staged in a
 * second buffer, used by one handler thread at a time, and handed to the transport (which copies them);
 * the writer then waits while more than {@link #OFFLOOP_HIGH_WATER} bytes are queued, until the transport
 * says it is writable again or closes.
 */
final class Outbound {
    static final int CAPACITY = 16 * 1024;
    /** Off-loop writers wait while more than this is queued on the connection. */
    static final long OFFLOOP_HIGH_WATER = 256 * 1024;

    // ---- immutable
    private final Transport transport;
    private final Thread loopThread;

    // ---- loop thread
    /** Response bytes staged by the loop; write mode. */
    private ByteBuffer out;
    /** A response stream with a chunk open in {@link #out}: closed before {@code out} is written. */
    private ResponseStream openChunk;
    private boolean batching;

    // ---- any thread
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Condition writeSpace = writeLock.newCondition();
    private volatile boolean closed;

    // ---- the handler thread of the exchange in flight (one at a time)
    private ByteBuffer offLoopStage;

    Outbound(Transport transport, Thread loopThread) {
        this.transport = transport;
        this.loopThread = loopThread;
    }

    /** Whether the caller runs on the connection's loop. */
    boolean onLoop() {
        return Thread.currentThread() == loopThread;
    }

    // ---------------------------------------------------------------- loop side

    /** The loop's staging buffer with room for {@code need} bytes (written out first if full). Loop. */
    ByteBuffer loopStage(int need) {
        assert onLoop();
        if (out == null) {
            out = ByteBuffer.allocate(Math.max(CAPACITY, need));
        } else if (out.remaining() < need) {
            if (out.position() > 0) {
                flush();
            }
            if (out.capacity() < need) {
                out = ByteBuffer.allocate(need);
            }
        }
        return out;
    }

    /** Stages {@code b} whole. Loop. */
    void stage(byte[] b) {
        loopStage(b.length).put(b);
    }

    /** A read is being handled: staged bytes wait for {@link #endBatch}. Loop. */
    void beginBatch() {
        assert onLoop();
        batching = true;
    }

    void endBatch() {
        assert onLoop();
        batching = false;
    }

    /** Whether staged bytes will be written at the end of the current read anyway. Loop. */
    boolean batching() {
        return batching;
    }

    /** {@code s} opened a chunk in the loop's stage; it is closed before the stage is written. Loop. */
    void chunkOpened(ResponseStream s) {
        assert onLoop();
        openChunk = s;
    }

    void chunkClosed(ResponseStream s) {
        assert onLoop();
        if (openChunk == s) {
            openChunk = null;
        }
    }

    /** Writes what the loop staged. Loop. */
    void flush() {
        assert onLoop();
        ResponseStream chunk = openChunk;
        if (chunk != null) {
            chunk.closeChunk();
        }
        if (out != null && out.position() > 0) {
            out.flip();
            transport.write(out);
            out.clear();
        }
    }

    /** Writes {@code data} now, after what is staged on the loop. Loop. */
    void writeNow(ByteBuffer data) {
        assert onLoop();
        transport.write(data);
    }

    /** Stages a complete small error response. Loop. */
    void stageError(int status, String reason, boolean close) {
        byte[] text = (status + " " + Status.reason(status) + ": " + reason + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer o = loopStage(512 + text.length);
        o.put(Status.line(status));
        o.put(DateCache.headerLine());
        put(o, "Content-Type: text/plain; charset=utf-8\r\nContent-Length: ");
        put(o, Integer.toString(text.length));
        put(o, close ? "\r\nConnection: close\r\n\r\n" : "\r\n\r\n");
        o.put(text);
    }

    private static void put(ByteBuffer o, String ascii) {
        for (int i = 0, n = ascii.length(); i < n; i++) {
            o.put((byte) ascii.charAt(i));
        }
    }

    /** The transport became writable again: wake blocked off-loop writers. Loop. */
    void writable() {
        signalWriters();
    }

    /** The transport closed: blocked and later off-loop writers fail. Loop. */
    void closed() {
        closed = true;
        signalWriters();
    }

    boolean isClosed() {
        return closed;
    }

    // ---------------------------------------------------------------- handler thread side

    /** The off-loop staging buffer with room for {@code need} bytes. The one handler thread in flight. */
    ByteBuffer offLoopStage(int need) {
        ByteBuffer s = offLoopStage;
        if (s == null || s.capacity() < need) {
            s = ByteBuffer.allocate(Math.max(CAPACITY, need));
            offLoopStage = s;
        }
        return s;
    }

    /** Writes bytes from a thread other than the loop (copied), waiting while too much is queued. */
    void writeOffLoop(ByteBuffer data) throws IOException {
        if (closed || !transport.isOpen()) {
            throw new IOException("connection closed");
        }
        transport.write(data);
        if (transport.pendingBytes() > OFFLOOP_HIGH_WATER) {
            writeLock.lock();
            try {
                while (transport.pendingBytes() > OFFLOOP_HIGH_WATER / 2 && transport.isOpen() && !closed) {
                    writeSpace.await(10, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while writing", e);
            } finally {
                writeLock.unlock();
            }
            if (closed) {
                throw new IOException("connection closed");
            }
        }
    }

    private void signalWriters() {
        writeLock.lock();
        try {
            writeSpace.signalAll();
        } finally {
            writeLock.unlock();
        }
    }
}
