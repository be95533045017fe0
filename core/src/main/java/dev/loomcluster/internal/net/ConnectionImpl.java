package dev.loomcluster.internal.net;

import dev.loomcluster.internal.loop.EventLoop;

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
 * connection unwritable until the queue drains below {@link #LOW_WATER}.
 */
final class ConnectionImpl implements Connection, EventLoop.IoHandle {
    static final int HIGH_WATER = 64 * 1024;
    static final int LOW_WATER = 32 * 1024;
    private static final int MAX_READS_PER_EVENT = 4;

    // ---- immutable
    private final WorkerNet worker;
    private final SocketChannel channel;
    private final NetServerImpl server;
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
    private boolean inputClosed;

    ConnectionImpl(WorkerNet worker, SocketChannel channel, NetServerImpl server) throws IOException {
        this.worker = worker;
        this.channel = channel;
        this.server = server;
        this.remote = (InetSocketAddress) channel.getRemoteAddress();
        this.local = (InetSocketAddress) channel.getLocalAddress();
    }

    NetServerImpl server() {
        return server;
    }

    void register(Selector selector) throws IOException {
        key = channel.register(selector, SelectionKey.OP_READ, this);
    }

    /** Asks the factory for a handler and tells it the connection is open. Loop thread. */
    void open(Function<Connection, ConnectionHandler> handlers) {
        handler = Objects.requireNonNull(handlers.apply(this), "the handler factory returned null");
        handler.onOpen(this);
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
        for (int i = 0; i < MAX_READS_PER_EVENT && !closed && !readingPaused && !inputClosed; i++) {
            buffer.clear();
            int n;
            try {
                n = channel.read(buffer);
            } catch (IOException e) {
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
            handler.onWritabilityChanged(this, false);
        } else if (!writable && pending < LOW_WATER) {
            writable = true;
            handler.onWritabilityChanged(this, true);
        }
    }

    private void updateInterest() {
        if (closed || !key.isValid()) {
            return;
        }
        int ops = 0;
        if (!readingPaused && !inputClosed) {
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
