package dev.loomcluster.internal.process;

import dev.loomcluster.internal.loop.EventLoop;
import dev.loomcluster.internal.message.FrameDecoder;
import dev.loomcluster.internal.message.FrameWriter;
import dev.loomcluster.internal.message.WireCodec;
import dev.loomcluster.internal.message.WireFormatException;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One end of the IPC channel between a primary and a child JVM: a non-blocking Unix domain
 * {@link SocketChannel} carrying frames ({@link FrameWriter}/{@link FrameDecoder}, values by the
 * {@link WireCodec}). The same class serves both ends.
 *
 * <p>Sending: {@link #send} encodes the frame on the caller's thread (any thread), under a lock, into the
 * <em>filling</em> buffer, so a refused or too large value fails the caller with an exception naming the
 * problem, and order is the order of the lock. Frames sent before the channel is connected wait in that
 * buffer; {@link #connectTo} writes them at once on the connecting thread, and what it leaves waits for the
 * writer thread ({@link #startWriter}). From then on one of three things writes, never under the lock:
 * <ul>
 *   <li>on the event loop that owns this end ({@link #flushOn}: the primary loop, or the child's worker
 *   loop), a flush task the first send of a batch posts to that loop: every frame the loop's current batch
 *   of tasks sends leaves in one non-blocking write, with no thread hand-off (as Netty flushes at the end
 *   of a loop iteration); what the socket does not take at once goes to the writer thread;</li>
 *   <li>the sender itself, at once, with one non-blocking write, when nothing is being written, the writer
 *   thread is idle and the last write ended more than {@value #DIRECT_GAP_NANOS} ns ago: a lone message
 *   (a request, a reply) leaves without a thread hand-off. What the socket does not take at once is
 *   handed to the writer thread, so a sender never blocks;</li>
 *   <li>otherwise the writer thread, which swaps the filling buffer for the empty spare one and writes it:
 *   every frame appended while a write is under way leaves in the next single write (a burst is batched,
 *   with no allocation per frame). It waits for the socket with its own selector when the peer is slow.</li>
 * </ul>
 *
 * <p>Receiving: an event loop reads with {@link #readAvailable} whenever its selector reports the channel
 * readable ({@link #registerForReading}), splitting frames and decoding them, and hands each to a
 * {@link Receiver}, in order. Until a loop can (a child's worker loop runs only once the worker is built),
 * a reader thread ({@link #startReading}) does the same, waiting on its own selector between reads; the loop
 * takes the read side over at a frame boundary ({@link #stopReader}). Bytes that are not valid
 * frames end the channel: the receiver's {@link Receiver#closed} gets the {@link WireFormatException} (or
 * {@link ProtocolException}) naming the problem.
 */
final class IpcChannel {
    /** A sender writes itself only if the channel has been quiet this long: a burst goes to the writer. */
    static final long DIRECT_GAP_NANOS = 20_000;

    /** What the reading thread (a loop, or the reader thread) hands frames to; called on that thread. */
    interface Receiver {
        /** One decoded frame; throwing a {@link ProtocolException} ends the channel with it. */
        void frame(byte kind, Object value) throws ProtocolException, IOException;

        /** The channel ended: {@code error} is null at a clean end of input. Called once. */
        void closed(Throwable error);

        /** A receiver that hands frames to {@code frames} and the end to {@code closed}. */
        static Receiver of(FrameHandler frames, java.util.function.Consumer<Throwable> closed) {
            return new Receiver() {
                @Override
                public void frame(byte kind, Object value) throws IOException {
                    frames.frame(kind, value);
                }

                @Override
                public void closed(Throwable error) {
                    closed.accept(error);
                }
            };
        }
    }

    /** {@link Receiver#frame}, alone. */
    @FunctionalInterface
    interface FrameHandler {
        void frame(byte kind, Object value) throws IOException;
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

    // ---- any thread (buffers, writing, handoff, lastWriteEnd and the writer state under the lock)
    private final ReentrantLock lock = new ReentrantLock();
    private FrameWriter filling;
    private FrameWriter spare;
    private WriterState writerState = WriterState.OPEN;
    /** A thread (a sender or the writer) is writing {@code spare}. */
    private boolean writing;
    /** A sender's write the socket did not take whole: the writer thread finishes it. */
    private FrameWriter handoff;
    private long lastWriteEnd;
    private final AtomicBoolean writerParked = new AtomicBoolean();
    private volatile SocketChannel channel;
    private volatile Thread writer;
    private volatile Thread reader;
    private volatile Selector readSelector;
    /** Set by {@link #stopReader}: the reader thread ends at the next frame boundary. */
    private volatile boolean readerHandOff;
    private final java.util.concurrent.CountDownLatch readerEnded = new java.util.concurrent.CountDownLatch(1);
    /** Sends on this loop's thread are written by a flush task at the end of its batch. */
    private volatile EventLoop flushLoop;
    private final EventLoop.Task flushTask = new EventLoop.Task() {
        @Override
        public void run() {
            flushOnLoop();
        }
    };

    // ---- the flush loop's thread
    private boolean flushScheduled;

    IpcChannel(String name, WireCodec codec) {
        this.name = name;
        this.codec = codec;
        this.decoder = FrameDecoder.create(codec.limits());
        this.filling = FrameWriter.create(codec);
        this.spare = FrameWriter.create(codec);
    }

    /**
     * Queues a frame and sees that it is written; frames sent before {@link #connectTo} wait in the buffer.
     * Any thread; never blocks on the socket.
     *
     * @return false if the channel is closing or closed (nothing was queued)
     * @throws IllegalArgumentException if {@code value} is not an allowed message or breaks a wire limit
     */
    boolean send(byte kind, Object value) {
        EventLoop loop = flushLoop;
        boolean onLoop = loop != null && loop.inLoop();
        FrameWriter direct = null;
        lock.lock();
        try {
            if (writerState != WriterState.OPEN) {
                return false;
            }
            filling.append(kind, value);
            if (onLoop) {
                if (!flushScheduled) {
                    flushScheduled = true;
                    loop.execute(flushTask);
                }
                return true;
            }
            if (!writing && channel != null && writerParked.get() && System.nanoTime() - lastWriteEnd > DIRECT_GAP_NANOS) {
                direct = takeForWriting();
            }
        } finally {
            lock.unlock();
        }
        if (direct != null) {
            writeDirect(direct);
        } else {
            wakeWriter();
        }
        return true;
    }

    /**
     * From now on, frames sent on {@code loop}'s thread are written once per batch of that loop's tasks, by
     * a task posted to it, instead of each on its own or by the writer thread. Any thread.
     */
    void flushOn(EventLoop loop) {
        flushLoop = loop;
    }

    /**
     * Writes what the flush loop has queued now rather than at the end of its batch: for a loop task that
     * is about to wait for the peer's answer. Flush loop; elsewhere it does nothing (other threads' frames
     * leave on their own).
     */
    void flushNow() {
        EventLoop loop = flushLoop;
        if (loop != null && loop.inLoop()) {
            flushOnLoop();
        }
    }

    /**
     * The flush task: writes what the loop's batch queued, unless a write is under way (whoever writes
     * then takes these frames next: a sender wakes the writer, the writer looks again). Flush loop.
     */
    private void flushOnLoop() {
        flushScheduled = false;
        FrameWriter direct = null;
        lock.lock();
        try {
            if (!writing && channel != null && filling.pendingBytes() > 0) {
                direct = takeForWriting();
            }
        } finally {
            lock.unlock();
        }
        if (direct != null) {
            writeDirect(direct);
        }
    }

    /**
     * Marks a write under way and hands out the filling buffer, the empty spare taking its place. Under the
     * lock, while no write is under way.
     */
    private FrameWriter takeForWriting() {
        assert lock.isHeldByCurrentThread() && !writing;
        writing = true;
        FrameWriter out = filling;
        filling = spare;
        spare = out;
        return out;
    }

    /** A sender writes what it swapped out, once, non-blocking; the writer thread gets any rest. */
    private void writeDirect(FrameWriter out) {
        boolean done;
        try {
            done = out.writeTo(channel);
        } catch (IOException e) {
            // The peer is gone: nothing more is written, and the reading side, which sees the end of input,
            // reports it. The socket stays open for that (closing it would cancel a loop's key unread).
            lock.lock();
            try {
                writing = false;
                writerState = WriterState.CLOSED;
            } finally {
                lock.unlock();
            }
            forceWakeWriter();
            return;
        }
        boolean wake;
        lock.lock();
        try {
            if (done) {
                writing = false;
                lastWriteEnd = System.nanoTime();
                wake = filling.pendingBytes() > 0 || writerState != WriterState.OPEN;
            } else {
                handoff = out;
                wake = true;
            }
        } finally {
            lock.unlock();
        }
        if (wake) {
            forceWakeWriter();
        }
    }

    private void wakeWriter() {
        if (writerParked.get() && writerParked.compareAndSet(true, false)) {
            Thread w = writer;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
    }

    private void forceWakeWriter() {
        writerParked.set(false);
        Thread w = writer;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    /**
     * Connects this end to {@code ch} (made non-blocking here), writes what was sent before on the calling
     * thread, and starts its writer thread ({@link #startWriter}).
     */
    void attach(SocketChannel ch, String threadName, boolean daemon, long idleNanos, Idle idle) throws IOException {
        connectTo(ch);
        startWriter(threadName, daemon, idleNanos, idle);
    }

    /**
     * Connects this end to {@code ch} (made non-blocking here) and writes what was sent before, on the
     * calling thread; what that write leaves, and what is sent from now on, waits for {@link #startWriter}.
     * Once.
     */
    void connectTo(SocketChannel ch) throws IOException {
        ch.configureBlocking(false);
        FrameWriter sentBefore = null;
        lock.lock();
        try {
            this.channel = ch;
            if (!writing && writerState == WriterState.OPEN && filling.pendingBytes() > 0) {
                sentBefore = takeForWriting();
            }
        } finally {
            lock.unlock();
        }
        if (sentBefore != null) {
            writeDirect(sentBefore); // frames sent before the connection leave now, not once the writer runs
        }
    }

    /**
     * Starts the writer thread of a connected channel ({@link #connectTo}): it writes what senders leave to
     * it and runs {@code idle} about every {@code idleNanos} while it has nothing to write. Once.
     */
    void startWriter(String threadName, boolean daemon, long idleNanos, Idle idle) {
        SocketChannel ch = channel;
        Thread w = Thread.ofPlatform().name(threadName).daemon(daemon).unstarted(() -> writeLoop(ch, idleNanos, idle));
        writer = w;
        w.start();
    }

    private void writeLoop(SocketChannel ch, long idleNanos, Idle idle) {
        long nextIdle = System.nanoTime() + idleNanos;
        try (Selector writable = Selector.open()) {
            ch.register(writable, SelectionKey.OP_WRITE);
            while (true) {
                FrameWriter out = null;
                boolean end = false;
                lock.lock();
                try {
                    if (handoff != null) {
                        out = handoff; // writing stays true: we finish a sender's write
                        handoff = null;
                    } else if (writing) {
                        writerParked.set(true); // a sender is writing; it wakes us when it is done
                    } else if (filling.pendingBytes() > 0) {
                        out = takeForWriting();
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
                    while (!out.writeTo(ch)) {
                        if (!ch.isOpen()) {
                            throw new java.nio.channels.ClosedChannelException();
                        }
                        writable.select(100); // the peer reads slowly: wait until the socket takes more
                        writable.selectedKeys().clear();
                    }
                    lock.lock();
                    try {
                        writing = false;
                        lastWriteEnd = System.nanoTime();
                    } finally {
                        lock.unlock();
                    }
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
        forceWakeWriter();
        Thread w = writer;
        if (w != null) {
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
        Selector r = readSelector;
        if (r != null) {
            r.wakeup();
        }
        forceWakeWriter();
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

    /** Test hook: writes raw bytes on the socket, bypassing the codec (the channel must be quiet). */
    void writeRaw(java.nio.ByteBuffer bytes) throws IOException {
        SocketChannel ch = channel;
        while (bytes.hasRemaining()) {
            if (ch.write(bytes) == 0) {
                Thread.onSpinWait();
            }
        }
    }

    // ---------------------------------------------------------------- reading

    /** A decoded frame. */
    record Frame(byte kind, Object value) {
    }

    /**
     * Reads the next frame on the calling thread (a handshake, before a loop or the reader thread reads).
     *
     * @throws IOException at the end of input or on bytes that are not a valid frame
     */
    Frame readFrame(SocketChannel ch) throws IOException {
        while (true) {
            if (decoder.next()) {
                return new Frame(decoder.kind(), codec.decode(decoder.payload()));
            }
            int n = decoder.readFrom(ch);
            if (n < 0) {
                decoder.next(); // reports a truncated frame, if any
                throw new java.io.EOFException(name + ": the peer closed the channel");
            }
            if (n == 0) {
                awaitReadable(ch);
            }
        }
    }

    /** Reader: waits until the (non-blocking) channel has bytes, or is closed. */
    private void awaitReadable(SocketChannel ch) throws IOException {
        Selector s = readSelector;
        if (s == null) {
            s = Selector.open();
            ch.register(s, SelectionKey.OP_READ);
            readSelector = s;
        }
        if (!ch.isOpen()) {
            throw new java.nio.channels.ClosedChannelException();
        }
        if (readerHandOff) {
            return;
        }
        s.select();
        s.selectedKeys().clear();
    }

    /** Starts the reader thread, which hands every frame to {@code receiver} until the channel ends. */
    void startReading(String threadName, boolean daemon, Receiver receiver) {
        Thread r = Thread.ofPlatform().name(threadName).daemon(daemon).unstarted(() -> readLoop(receiver));
        reader = r;
        r.start();
    }

    private void readLoop(Receiver receiver) {
        SocketChannel ch = channel;
        Throwable error = null;
        try {
            while (true) {
                while (!readerHandOff && decoder.next()) {
                    byte kind = decoder.kind();
                    receiver.frame(kind, codec.decode(decoder.payload()));
                }
                if (readerHandOff) {
                    closeReadSelector();
                    readerEnded.countDown();
                    return; // the caller of stopReader reads from here on
                }
                int n = decoder.readFrom(ch);
                if (n < 0) {
                    decoder.next(); // throws if the input ended inside a frame
                    break;
                }
                if (n == 0) {
                    awaitReadable(ch);
                }
            }
        } catch (WireFormatException | ProtocolException e) {
            error = e;
        } catch (IOException e) {
            // the socket failed or was closed under us: the peer is gone, as at the end of input
        } catch (RuntimeException | Error e) {
            error = new ProtocolException(name + ": a frame could not be handled: " + e, e);
        }
        closeReadSelector();
        readerEnded.countDown();
        receiver.closed(error);
    }

    private void closeReadSelector() {
        Selector s = readSelector;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing a selector we discard
            }
        }
    }

    /**
     * Ends the reader thread at a frame boundary, so that the caller (a loop) reads from here on with
     * {@link #readAvailable}; frames the reader already took stay handled, bytes it read but did not
     * decode stay in the decoder. Any thread but the reader.
     *
     * Waits for the reader to finish the frame it handles, if any.
     *
     * @return false if the reader had ended the channel
     */
    boolean stopReader() throws InterruptedException {
        readerHandOff = true;
        Selector s = readSelector;
        if (s != null) {
            s.wakeup();
        }
        readerEnded.await();
        return channel.isOpen();
    }

    /**
     * Registers the channel for reading with {@code selector}, the key attached to {@code handle}: the
     * selector's loop reads from now on ({@link #readAvailable}). Closes the selector a handshake
     * ({@link #readFrame}) or the reader thread waited on. The reading thread.
     */
    SelectionKey registerForReading(Selector selector, Object handle) throws IOException {
        closeReadSelector();
        return channel.register(selector, SelectionKey.OP_READ, handle);
    }

    /**
     * Reads what the socket holds now (a bounded number of reads) and hands every complete frame to
     * {@code receiver}, in order, on the calling thread, which owns reading ({@link #stopReader}). At the
     * end of input or on bad bytes it calls {@link Receiver#closed} and returns -1, else 0. An unchecked
     * exception of the receiver's frame handling propagates to the caller.
     */
    int readAvailable(Receiver receiver) {
        try {
            for (int reads = 0; ; reads++) {
                while (decoder.next()) {
                    byte kind = decoder.kind();
                    Object value;
                    try {
                        value = codec.decode(decoder.payload());
                    } catch (RuntimeException e) {
                        throw new ProtocolException(name + ": a frame could not be decoded: " + e, e);
                    }
                    receiver.frame(kind, value); // an unchecked exception of the handler propagates
                }
                if (reads == 16) {
                    return 0; // the selector reports the rest: other channels get their turn
                }
                int n = decoder.readFrom(channel);
                if (n < 0) {
                    decoder.next(); // throws if the input ended inside a frame
                    receiver.closed(null);
                    return -1;
                }
                if (n == 0) {
                    return 0;
                }
            }
        } catch (WireFormatException | ProtocolException e) {
            receiver.closed(e);
        } catch (IOException e) {
            receiver.closed(null); // the socket failed or was closed under us: as at the end of input
        }
        return -1;
    }

    @Override
    public String toString() {
        return "IpcChannel[" + name + "]";
    }
}
