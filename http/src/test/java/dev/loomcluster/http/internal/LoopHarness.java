package dev.loomcluster.http.internal;

import dev.loomcluster.Cancellable;
import dev.loomcluster.Connection;
import dev.loomcluster.ConnectionHandler;
import dev.loomcluster.NetServer;
import dev.loomcluster.Registration;
import dev.loomcluster.WorkerContext;
import dev.loomcluster.http.HttpOptions;

import com.sun.net.httpserver.HttpHandler;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One HTTP server driven with no socket and no pool: the calling thread plays the worker's loop (it binds
 * the server, so connections treat it as their loop), and {@link #open()} gives a connection whose bytes
 * the caller hands to the server's real connection handler, as the loop would, and whose output it reads.
 * Handlers run on the loop (no executor), so every call has done all it will do when it returns. For fuzz
 * targets, tests of the connection's state machine and the parse+respond benchmark (http's test jar
 * carries this class to the benchmarks). Single-threaded: the caller's.
 */
public final class LoopHarness implements AutoCloseable {
    private final ServerImpl server;
    private final FakeContext ctx = new FakeContext();

    /** A server whose one handler reads the request body and answers {@code read <length>}. */
    LoopHarness(HttpOptions options) {
        this(options, exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            byte[] answer = ("read " + body.length).getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
    }

    /** A server whose context {@code /} runs {@code handler}. */
    public LoopHarness(HttpOptions options, HttpHandler handler) {
        try {
            server = ServerImpl.create(options, null, 0);
            server.createContext("/", handler);
            server.bindThrough(ctx, new InetSocketAddress(8000));
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new connection, opened, that keeps what the server writes (see {@link FakeConnection#output()}). */
    FakeConnection open() {
        return open(true);
    }

    /**
     * A new connection, opened. If {@code recording} it keeps what the server writes; if not it only
     * counts the bytes, allocating nothing, as a benchmark needs.
     */
    public FakeConnection open(boolean recording) {
        FakeConnection c = new FakeConnection(recording);
        c.handler = ctx.handlers.apply(c);
        c.handler.onOpen(c);
        return c;
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /**
     * A connection that takes every byte at once, as a socket with room would, and records what happened
     * to it.
     */
    public static final class FakeConnection implements Connection {
        private final InetSocketAddress address = new InetSocketAddress(8000);
        private final boolean recording;
        private final ByteArrayOutputStream output = new ByteArrayOutputStream();
        private long written;
        ConnectionHandler handler;
        private Object attachment;
        boolean closed;
        boolean aborted;
        boolean paused;

        private FakeConnection(boolean recording) {
            this.recording = recording;
        }

        /** Hands {@code data} to the server as one read, as the loop hands it its read buffer. */
        public void receive(ByteBuffer data) {
            handler.onData(this, data);
        }

        /** Hands {@code bytes} to the server as one read (a direct buffer, as the loop's read buffer is). */
        void receive(byte[] bytes, int offset, int length) {
            if (closed || aborted) {
                return;
            }
            ByteBuffer b = ByteBuffer.allocateDirect(length);
            b.put(bytes, offset, length).flip();
            handler.onData(this, b);
        }

        void inputClosed() {
            if (!closed && !aborted) {
                handler.onInputClosed(this);
            }
        }

        /** What the server wrote, as ISO-8859-1 text (empty if not recording). */
        String output() {
            return output.toString(StandardCharsets.ISO_8859_1);
        }

        /** How many bytes the server wrote. */
        public long written() {
            return written;
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return address;
        }

        @Override
        public InetSocketAddress localAddress() {
            return address;
        }

        @Override
        public boolean write(ByteBuffer data) {
            written += data.remaining();
            if (recording) {
                byte[] b = new byte[data.remaining()];
                data.get(b);
                output.writeBytes(b);
            } else {
                data.position(data.limit());
            }
            return true;
        }

        @Override
        public boolean write(byte[] data, int offset, int length) {
            written += length;
            if (recording) {
                output.write(data, offset, length);
            }
            return true;
        }

        @Override
        public boolean isWritable() {
            return true;
        }

        @Override
        public long pendingBytes() {
            return 0;
        }

        @Override
        public void pauseReading() {
            paused = true;
        }

        @Override
        public void resumeReading() {
            paused = false;
        }

        @Override
        public void shutdownOutput() {
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                handler.onClose(this);
            }
        }

        @Override
        public void abort() {
            if (!aborted) {
                aborted = true;
                if (!closed) {
                    closed = true;
                    handler.onClose(this);
                }
            }
        }

        @Override
        public boolean canHandOver() {
            return false;
        }

        @Override
        public boolean handOver(ByteBuffer unconsumed) {
            return false;
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
    }

    /** A worker context whose loop is the caller: tasks run at once, nothing is scheduled. */
    private static final class FakeContext implements WorkerContext {
        @Override
        public boolean send(Object message, Connection connection, ByteBuffer unconsumed) {
            return false;
        }

        @Override
        public Registration onConnection(java.util.function.BiFunction<Object, Connection, dev.loomcluster.ConnectionHandler> handlers) {
            return () -> { };
        }

        @Override
        public java.time.Duration drainGrace() {
            return java.time.Duration.ofMillis(100);
        }

        Function<Connection, ConnectionHandler> handlers;

        @Override
        public int id() {
            return 1;
        }

        @Override
        public Map<String, String> env() {
            return Map.of();
        }

        @Override
        public boolean send(Object message) {
            return false;
        }

        @Override
        public Registration onMessage(Consumer<Object> handler) {
            return () -> { };
        }

        @Override
        public Registration onDisconnect(Runnable hook) {
            return () -> { };
        }

        @Override
        public void execute(Runnable task) {
            task.run();
        }

        @Override
        public Cancellable schedule(Duration delay, Runnable task) {
            return () -> false;
        }

        @Override
        public Cancellable scheduleAtFixedRate(Duration initialDelay, Duration period, Runnable task) {
            return () -> false;
        }

        @Override
        public NetServer listen(InetSocketAddress address, Function<Connection, ConnectionHandler> h) {
            this.handlers = h;
            return new NetServer() {
                @Override
                public InetSocketAddress address() {
                    return address;
                }

                @Override
                public int openConnections() {
                    return 0;
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public boolean isDisconnecting() {
            return false;
        }

        @Override
        public void disconnect() {
        }

        @Override
        public void exit(int code) {
        }
    }
}
