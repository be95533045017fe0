package dev.loomcluster.internal.net;

import dev.loomcluster.internal.loop.EventLoop;
import dev.loomcluster.internal.observe.Log;

import dev.loomcluster.Connection;
import dev.loomcluster.ConnectionHandler;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A non-blocking TCP connection owned by one worker's loop. Selector callbacks, reads, flushes and handler
 * calls run on that loop; the {@link Connection} methods may be called from any thread, and a call from
 * another thread is handed to the loop (written bytes are copied first).
 *
 * <p>Writes go straight to the socket when nothing is queued; what the socket does not take is copied
 * into the queue and flushed on {@code OP_WRITE}. Crossing {@link #HIGH_WATER} queued bytes makes the
 * connection unwritable, and stops reading from it, until the queue drains below {@link #LOW_WATER}: a
 * peer that sends but does not read cannot make the queue grow past one read's worth of output above the
 * mark, whoever writes.
 *
 * <p>A connection can leave its loop for another worker's ({@link #handOver}, {@link #detach}): its key is
 * cancelled here (the old selector drops it at its next select; a channel may be registered with several
 * selectors meanwhile), and a new {@code ConnectionImpl} on the other loop adopts the channel.
 */
final class ConnectionImpl implements Connection, EventLoop.IoHandle {
    static final int HIGH_WATER = 64 * 1024;
    static final int LOW_WATER = 32 * 1024;
    private static final int MAX_READS_PER_EVENT = 4;

    // ---- immutable
    private final WorkerNet worker;
    private final SocketChannel channel;
    private final NetServerImpl server;   // null for a connection sent to this worker with a message
    private final InetSocketAddress remote;
    private final InetSocketAddress local;

    // ---- any thread
    private final AtomicLong pendingBytes = new AtomicLong();
    private volatile boolean writable = true;
    private volatile boolean closed;
    private volatile Object attachment;

    // ---- loop thread
    private SelectionKey key;
    private ConnectionHandler handler;
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>(4);
    private boolean closeRequested;
    private boolean shutdownRequested;
    private boolean readingPaused;
    private boolean outputBlocked;   // queued output over the high-water mark: reading stops
    private boolean inputClosed;
    /** Input carried over from the worker that handed this connection over, not yet given to the handler. */
    private ByteBuffer replay;

    ConnectionImpl(WorkerNet worker, SocketChannel channel, NetServerImpl server, ByteBuffer carried) throws IOException {
        this.worker = worker;
        this.channel = channel;
        this.server = server;
        this.replay = carried != null && carried.hasRemaining() ? carried : null;
        this.remote = (InetSocketAddress) channel.getRemoteAddress();
        this.local = (InetSocketAddress) channel.getLocalAddress();
    }

    NetServerImpl server() {
        return server;
    }

    /**
     * Registers with this loop's selector. A channel that left this loop and came back before the selector
     * flushed its cancelled key meets {@code CancelledKeyException}: a {@code selectNow} flushes it (ready
     * keys it sees are reported again by the next select: readiness is level-triggered). Loop thread, in a
     * mailbox task (never inside a select).
     */
    void register(Selector selector) throws IOException {
        try {
            key = channel.register(selector, SelectionKey.OP_READ, this);
        } catch (java.nio.channels.CancelledKeyException backTooSoon) {
            selector.selectNow(k -> { });
            key = channel.register(selector, SelectionKey.OP_READ, this);
        }
    }

    /** Asks the factory for a handler and tells it the connection is open. Loop thread. */
    void open(Function<Connection, ConnectionHandler> handlers) {
        handler = Objects.requireNonNull(handlers.apply(this), "the handler factory returned null");
        handler.onOpen(this);
        deliverReplay();
    }

    /** Gives the carried input to the handler, once, before anything new is read. Loop thread. */
    private void deliverReplay() {
        ByteBuffer r = replay;
        if (r != null && !closed && !readingPaused) {
            replay = null;
            handler.onData(this, r);
        }
    }

    // ---------------------------------------------------------------- loop thread: I/O

    @Override
    public void onReady(SelectionKey k) {
        if (!k.isValid()) {
            return;
        }
        int ops = k.readyOps();
        if ((ops & SelectionKey.OP_WRITE) != 0) {
            flush();
        }
        if ((ops & SelectionKey.OP_READ) != 0 && !closed) {
            read();
        }
    }

    private void read() {
        ByteBuffer buffer = worker.readBuffer();
        for (int i = 0; i < MAX_READS_PER_EVENT && !closed && !readingPaused && !outputBlocked && !inputClosed; i++) {
            if (pendingBytes.get() > HIGH_WATER) { // counts writes from other threads not yet on the loop
                updateWritability();
                return;
            }
            buffer.clear();
            int n;
            try {
                n = channel.read(buffer);
            } catch (IOException e) {
                Log.peerFailure("read", this, e);
                closeNow();
                return;
            }
            if (n > 0) {
                buffer.flip();
                handler.onData(this, buffer);
                if (n < buffer.capacity()) {
                    return;
                }
            } else if (n < 0) {
                inputClosed = true;
                updateInterest();
                handler.onInputClosed(this);
                return;
            } else {
                return;
            }
        }
    }

    private void flush() {
        ByteBuffer head;
        while ((head = queue.peek()) != null) {
            int n;
            try {
                n = writeToSocket(head);
            } catch (IOException e) {
                Log.peerFailure("write", this, e);
                closeNow();
                return;
            }
            pendingBytes.addAndGet(-n);
            if (head.hasRemaining()) {
                break;
            }
            queue.poll();
        }
        afterFlush();
    }

    private void afterFlush() {
        if (queue.isEmpty()) {
            if (closeRequested) {
                closeNow();
                return;
            }
            if (shutdownRequested) {
                try {
                    channel.shutdownOutput();
                } catch (IOException e) {
                    Log.peerFailure("shutdownOutput", this, e);
                    closeNow();
                    return;
                }
            }
        }
        updateInterest();
        updateWritability();
    }

    /** Fires {@link ConnectionHandler#onWritabilityChanged} when the queued bytes cross a water mark. */
    private void updateWritability() {
        long pending = pendingBytes.get();
        if (writable && pending > HIGH_WATER) {
            writable = false;
            outputBlocked = true;
            updateInterest();
            handler.onWritabilityChanged(this, false);
        } else if (!writable && pending < LOW_WATER) {
            writable = true;
            outputBlocked = false;
            updateInterest();
            handler.onWritabilityChanged(this, true);
        }
    }

    private void updateInterest() {
        if (closed || !key.isValid()) {
            return;
        }
        int ops = 0;
        if (!readingPaused && !outputBlocked && !inputClosed) {
            ops |= SelectionKey.OP_READ;
        }
        if (!queue.isEmpty()) {
            ops |= SelectionKey.OP_WRITE;
        }
        if (key.interestOps() != ops) {
            key.interestOps(ops);
        }
    }

    private void writeOnLoop(ByteBuffer data, boolean owned) {
        if (closed || closeRequested || shutdownRequested) {
            data.position(data.limit());
            return;
        }
        if (queue.isEmpty()) {
            try {
                writeToSocket(data);
            } catch (IOException e) {
                Log.peerFailure("write", this, e);
                data.position(data.limit());
                closeNow();
                return;
            }
            if (!data.hasRemaining()) {
                if (owned) {
                    pendingBytes.addAndGet(-data.capacity());
                }
                return;
            }
        }
        ByteBuffer rest;
        if (owned) {
            pendingBytes.addAndGet(-(data.position())); // written part of an already counted copy
            rest = data.slice();
        } else {
            rest = ByteBuffer.allocate(data.remaining()).put(data).flip();
            pendingBytes.addAndGet(rest.remaining());
        }
        queue.add(rest);
        updateInterest();
        updateWritability();
    }

    /**
     * Writes what the socket takes of {@code data} (its position advances by that much). Heap bytes go
     * through the loop's direct write buffer. Loop thread.
     */
    private int writeToSocket(ByteBuffer data) throws IOException {
        int len = data.remaining();
        if (data.isDirect() || len > WorkerNet.WRITE_BUFFER_SIZE) {
            return channel.write(data);
        }
        ByteBuffer out = worker.writeBuffer();
        int pos = data.position();
        out.clear();
        out.put(data).flip();
        int n = channel.write(out);
        data.position(pos + n);
        return n;
    }

    void closeNow() {
        if (closed) {
            return;
        }
        closed = true;
        if (key != null) {
            key.cancel();
        }
        SharedServer.closeQuietly(channel);
        queue.clear();
        pendingBytes.set(0);
        worker.connectionClosed(this);
        if (handler != null) {
            handler.onClose(this);
        }
    }

    /** The owning worker is ending. Its thread, or the primary loop when that thread is abandoned. */
    void closeFromOwnerExit(boolean notify) {
        if (notify && worker.loop().inLoop()) {
            closeNow();
        } else {
            closed = true;
            SharedServer.closeQuietly(channel);
        }
    }

    // ---------------------------------------------------------------- loop thread: leaving for another loop

    /** Whether this connection may leave its loop now: open, nothing queued or on its way, input open. */
    private boolean canDetach() {
        return !closed && !closeRequested && !shutdownRequested && !inputClosed && queue.isEmpty()
                && pendingBytes.get() == 0 && handler != null;
    }

    /**
     * Takes the connection off this loop if {@code offer} takes it: the channel and the input not consumed
     * yet go into a transfer; while {@code offer} runs this loop has no interest in the channel, so the
     * other loop may register it at once and nothing is read here. If {@code offer} takes it, the key is
     * cancelled, the connection leaves the worker, {@code unconsumed} is consumed and the handler gets
     * {@code onClose} (as a Node socket sent away emits {@code close}); if not, nothing has changed. False
     * also if {@link #canDetach()} says no. Loop thread.
     */
    boolean detach(ByteBuffer unconsumed, java.util.function.Predicate<Transfer> offer) {
        assert worker.loop().inLoop();
        if (!canDetach()) {
            return false;
        }
        ByteBuffer carried = unconsumed.duplicate();
        ByteBuffer r = replay;
        if (r != null && r.hasRemaining()) { // still paused since it arrived: carried first, then the new part
            carried = ByteBuffer.allocate(r.remaining() + carried.remaining()).put(r.duplicate()).put(carried).flip();
        }
        Transfer t = Transfer.of(channel, carried);
        key.interestOps(0);
        if (!offer.test(t)) {
            updateInterest();
            return false;
        }
        unconsumed.position(unconsumed.limit());
        replay = null;
        closed = true;
        key.cancel();
        worker.connectionClosed(this);
        handler.onClose(this);
        return true;
    }

    @Override
    public boolean canHandOver() {
        return server != null && !closed && server.share().canHandOver();
    }

    @Override
    public boolean handOver(ByteBuffer unconsumed) {
        Objects.requireNonNull(unconsumed, "unconsumed");
        if (!worker.loop().inLoop()) {
            throw new IllegalStateException("handOver must be called on the connection's loop, not on "
                    + Thread.currentThread().getName());
        }
        if (server == null || !server.share().canHandOver()) {
            return false;
        }
        return detach(unconsumed, server.share()::handOver);
    }

    /** The worker started disconnecting. Loop thread. */
    void onWorkerDisconnect() {
        if (!closed && handler != null) {
            handler.onWorkerDisconnect(this);
        }
    }

    // ---------------------------------------------------------------- Connection (any thread)

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public boolean write(ByteBuffer data) {
        if (worker.loop().inLoop()) {
            writeOnLoop(data, false);
        } else {
            ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data).flip();
            pendingBytes.addAndGet(copy.capacity());
            worker.loop().execute(() -> {
                writeOnLoop(copy, true);
                if (!closed) {
                    updateWritability();
                }
            });
        }
        return isWritable();
    }

    @Override
    public boolean write(byte[] data, int offset, int length) {
        return write(ByteBuffer.wrap(data, offset, length));
    }

    @Override
    public boolean isWritable() {
        // bytes handed over from other threads count at once, before the loop has seen them
        return writable && !closed && pendingBytes.get() <= HIGH_WATER;
    }

    @Override
    public long pendingBytes() {
        return pendingBytes.get();
    }

    @Override
    public void pauseReading() {
        onLoop(() -> {
            readingPaused = true;
            updateInterest();
        });
    }

    @Override
    public void resumeReading() {
        onLoop(() -> {
            readingPaused = false;
            updateInterest();
            deliverReplay();
        });
    }

    @Override
    public void shutdownOutput() {
        onLoop(() -> {
            if (!closed && !shutdownRequested) {
                shutdownRequested = true;
                if (queue.isEmpty()) {
                    afterFlush();
                }
            }
        });
    }

    @Override
    public void close() {
        onLoop(() -> {
            if (!closed) {
                closeRequested = true;
                if (queue.isEmpty()) {
                    closeNow();
                }
            }
        });
    }

    @Override
    public void abort() {
        onLoop(() -> closeNow());
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    @Override
    public void attach(Object attachment) {
        this.attachment = attachment;
    }

    @Override
    public Object attachment() {
        return attachment;
    }

    private void onLoop(Runnable action) {
        if (worker.loop().inLoop()) {
            action.run();
        } else {
            worker.loop().execute(action);
        }
    }

    @Override
    public String toString() {
        return "Connection[" + remote + " -> " + local + (closed ? ", closed]" : "]");
    }
}
