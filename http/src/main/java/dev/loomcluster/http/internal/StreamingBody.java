package dev.loomcluster.http.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A request body streamed to a handler that runs off the loop (an executor is set). The loop offers
 * copies of the body bytes as they arrive; the handler's thread blocks in {@code read} until bytes come.
 * Past {@link #HIGH_WATER} buffered bytes the loop pauses reading the socket; the reader resumes it once
 * it has taken the buffer below {@link #LOW_WATER}. Loop methods: {@link #offer}, {@link #end},
 * {@link #fail}; the rest is the reader's (any one thread).
 */
final class StreamingBody extends InputStream {
    static final int HIGH_WATER = 256 * 1024;
    static final int LOW_WATER = 64 * 1024;

    // ---- immutable
    private final HttpConnection connection;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ready = lock.newCondition();
    // ---- guarded by lock
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private byte[] current;
    private int pos;
    private long buffered;
    private boolean eof;
    private IOException failure;
    private boolean closed;

    StreamingBody(HttpConnection connection) {
        this.connection = connection;
    }

    /** Loop: copies {@code n} bytes of {@code src}; returns the bytes now buffered. */
    long offer(ByteBuffer src, int n) {
        byte[] b = new byte[n];
        src.get(b);
        lock.lock();
        try {
            if (closed || failure != null) {
                return 0;
            }
            chunks.add(b);
            buffered += n;
            ready.signalAll();
            return buffered;
        } finally {
            lock.unlock();
        }
    }

    /** Loop: the body ended. */
    void end() {
        lock.lock();
        try {
            eof = true;
            ready.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Loop or any thread: the body will not complete. */
    void fail(IOException e) {
        lock.lock();
        try {
            if (!eof && failure == null) {
                failure = e;
            }
            ready.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        boolean wake;
        int n;
        lock.lock();
        try {
            while (true) {
                if (closed) {
                    throw new IOException("Stream is closed");
                }
                if (current != null || !chunks.isEmpty()) {
                    break;
                }
                if (eof) {
                    return -1;
                }
                if (failure != null) {
                    throw new IOException(failure.getMessage(), failure);
                }
                ready.await();
            }
            if (current == null) {
                current = chunks.poll();
                pos = 0;
            }
            n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            if (pos == current.length) {
                current = null;
            }
            long before = buffered;
            buffered -= n;
            wake = before >= LOW_WATER && buffered < LOW_WATER;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading the request body", e);
        } finally {
            lock.unlock();
        }
        if (wake) {
            connection.runOnLoop(() -> connection.bodyDrained(this));
        }
        return n;
    }

    @Override
    public int available() {
        lock.lock();
        try {
            return (int) Math.min(Integer.MAX_VALUE, buffered);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        boolean drop;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            drop = !eof;
            chunks.clear();
            current = null;
            buffered = 0;
        } finally {
            lock.unlock();
        }
        if (drop) {
            connection.runOnLoop(() -> connection.bodyClosedByReader(this));
        }
    }
}
