package dev.loomcluster.internal.process;

import dev.loomcluster.internal.message.FrameDecoder;
import dev.loomcluster.internal.message.FrameWriter;
import dev.loomcluster.internal.message.WireCodec;
import dev.loomcluster.internal.message.WireFormatException;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One end of the IPC channel between a primary and a child JVM: a blocking Unix domain
 * {@link SocketChannel} carrying frames ({@link FrameWriter}/{@link FrameDecoder}, values by the
 * {@link WireCodec}). The same class serves both ends.
 *
 * <p>Sending: {@link #send} encodes the frame on the caller's thread (any thread), under a lock, into the
 * <em>filling</em> buffer, so a refused or too large value fails the caller with an exception naming the
 * problem, and order is the order of the lock. One writer thread swaps the filling buffer for the empty
 * spare one and writes it, outside the lock: every frame appended while a write is under way leaves in the
 * next single write (batching with no allocation per frame). The lock is never held across I/O.
 *
 * <p>Receiving: one reader thread ({@link #startReading}) reads, splits frames and decodes them, then hands
 * each to a {@link Receiver}, in order. Bytes that are not valid frames end the channel: the receiver's
 * {@link Receiver#closed} gets the {@link WireFormatException} (or {@link ProtocolException}) naming the
 * problem.
 */
final class IpcChannel {

    /** What the reader thread hands frames to. Reader thread. */
    interface Receiver {
        /** One decoded frame; throwing a {@link ProtocolException} ends the channel with it. */
        void frame(byte kind, Object value) throws ProtocolException, IOException;

        /** The channel ended: {@code error} is null at a clean end of input. Called once. */
        void closed(Throwable error);
    }

    /** What the writer thread does while it has nothing to write, about every {@code idleNanos}. */
    interface Idle {
        void run(IpcChannel channel);
    }

    /** The writer's life: it writes until {@link #closeAfterFlush}, then drains and ends. */
    private enum WriterState { OPEN, DRAINING, CLOSED }

    // ---- immutable
    private final String name;
    private final WireCodec codec;
    private final FrameDecoder decoder;

    // ---- any thread (the buffers and the writer state under the lock)
    private final ReentrantLock lock = new ReentrantLock();
    private FrameWriter filling;
    private FrameWriter spare;
    private WriterState writerState = WriterState.OPEN;
    private final AtomicBoolean writerParked = new AtomicBoolean();
    private volatile SocketChannel channel;
    private volatile Thread writer;
    private volatile Thread reader;
    private volatile long framesSent;

    IpcChannel(String name, WireCodec codec) {
        this.name = name;
        this.codec = codec;
        this.decoder = FrameDecoder.create(codec.limits());
        this.filling = FrameWriter.create(codec);
        this.spare = FrameWriter.create(codec);
    }

    String name() {
        return name;
    }

    WireCodec codec() {
        return codec;
    }

    /**
     * Queues a frame; frames sent before {@link #attach} wait in the buffer. Any thread.
     *
     * @return false if the channel is closing or closed (nothing was queued)
     * @throws IllegalArgumentException if {@code value} is not an allowed message or breaks a wire limit
     */
    boolean send(byte kind, Object value) {
        lock.lock();
        try {
            if (writerState != WriterState.OPEN) {
                return false;
            }
            filling.append(kind, value);
            framesSent++;
        } finally {
            lock.unlock();
        }
        wakeWriter();
        return true;
    }

    /** Frames queued so far (for counters). Any thread. */
    long framesSent() {
        return framesSent;
    }

    private void wakeWriter() {
        if (writerParked.get() && writerParked.compareAndSet(true, false)) {
            Thread w = writer;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
    }

    /**
     * Connects this end to {@code ch} (blocking mode) and starts its writer thread, which runs
     * {@code idle} about every {@code idleNanos} while it has nothing to write.
     */
    void attach(SocketChannel ch, String threadName, boolean daemon, long idleNanos, Idle idle) {
        this.channel = ch;
        Thread w = Thread.ofPlatform().name(threadName).daemon(daemon).unstarted(() -> writeLoop(idleNanos, idle));
        writer = w;
        w.start();
    }

    private void writeLoop(long idleNanos, Idle idle) {
        SocketChannel ch = channel;
        long nextIdle = System.nanoTime() + idleNanos;
        try {
            while (true) {
                FrameWriter out = null;
                boolean end = false;
                lock.lock();
                try {
                    if (filling.pendingBytes() > 0) {
                        out = filling;
                        filling = spare;
                        spare = out;
                    } else if (writerState != WriterState.OPEN) {
                        end = true;
                    } else {
                        writerParked.set(true);
                    }
                } finally {
                    lock.unlock();
                }
                if (end) {
                    break;
                }
                if (out == null) {
                    long wait = nextIdle - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(this, wait);
                    }
                    writerParked.set(false);
                } else {
                    out.writeTo(ch); // blocking channel: writes everything
                }
                if (idle != null && System.nanoTime() - nextIdle >= 0) {
                    nextIdle = System.nanoTime() + idleNanos;
                    idle.run(this);
                }
            }
            ch.shutdownOutput();
        } catch (IOException e) {
            // the peer is gone: the reader sees the end of input and reports it
        } finally {
            lock.lock();
            try {
                writerState = WriterState.CLOSED;
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Stops taking frames, lets the writer write what is queued and waits up to {@code timeoutMillis} for
     * it. Any thread but the writer.
     */
    void closeAfterFlush(long timeoutMillis) {
        lock.lock();
        try {
            if (writerState == WriterState.OPEN) {
                writerState = WriterState.DRAINING;
            }
        } finally {
            lock.unlock();
        }
        writerParked.set(false);
        Thread w = writer;
        if (w != null) {
            LockSupport.unpark(w);
            try {
                w.join(timeoutMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Closes the socket at once (both threads end). Any thread. */
    void close() {
        lock.lock();
        try {
            writerState = WriterState.CLOSED;
        } finally {
            lock.unlock();
        }
        SocketChannel ch = channel;
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing a channel we discard
            }
        }
        Thread w = writer;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    /** The writer and reader threads, to join after {@link #close}. */
    void join(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        for (Thread t : new Thread[]{writer, reader}) {
            if (t != null && t != Thread.currentThread()) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left > 0) {
                    t.join(left);
                }
            }
        }
    }

    // ---------------------------------------------------------------- reading

    /** A decoded frame. */
    record Frame(byte kind, Object value) {
    }

    /**
     * Reads the next frame on the calling thread (the handshake, before {@link #startReading}).
     *
     * @throws IOException at the end of input or on bytes that are not a valid frame
     */
    Frame readFrame(SocketChannel ch) throws IOException {
        while (true) {
            if (decoder.next()) {
                return new Frame(decoder.kind(), codec.decode(decoder.payload()));
            }
            if (decoder.readFrom(ch) < 0) {
                decoder.next(); // reports a truncated frame, if any
                throw new java.io.EOFException(name + ": the peer closed the channel");
            }
        }
    }

    /** Starts the reader thread, which hands every frame to {@code receiver} until the channel ends. */
    void startReading(String threadName, boolean daemon, Receiver receiver) {
        Thread r = Thread.ofPlatform().name(threadName).daemon(daemon).unstarted(() -> readLoop(receiver));
        reader = r;
        r.start();
    }

    /** Runs the read loop on the calling thread (a thread that owns the rest of the channel's life). */
    void readOnThisThread(Receiver receiver) {
        reader = Thread.currentThread();
        readLoop(receiver);
    }

    private void readLoop(Receiver receiver) {
        SocketChannel ch = channel;
        Throwable error = null;
        try {
            while (true) {
                while (decoder.next()) {
                    byte kind = decoder.kind();
                    receiver.frame(kind, codec.decode(decoder.payload()));
                }
                if (decoder.readFrom(ch) < 0) {
                    decoder.next(); // throws if the input ended inside a frame
                    break;
                }
            }
        } catch (WireFormatException | ProtocolException e) {
            error = e;
        } catch (IOException e) {
            // the socket failed or was closed under us: the peer is gone, as at the end of input
        } catch (RuntimeException | Error e) {
            error = new ProtocolException(name + ": a frame could not be handled: " + e, e);
        }
        receiver.closed(error);
    }

    @Override
    public String toString() {
        return "IpcChannel[" + name + "]";
    }
}
