package dev.loomcluster.benchmarks.http;

import dev.loomcluster.Cancellable;
import dev.loomcluster.Connection;
import dev.loomcluster.ConnectionHandler;
import dev.loomcluster.NetServer;
import dev.loomcluster.Registration;
import dev.loomcluster.WorkerContext;
import dev.loomcluster.http.HttpOptions;
import dev.loomcluster.http.internal.ServerImpl;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Parse + respond for one keep-alive request, with no socket: the server's real connection handler (the
 * one a worker's loop calls) gets the bytes of one request in a direct buffer, as the loop's read buffer
 * holds them, parses them, runs the main job's hello handler and encodes the response, which a fake
 * {@link Connection} takes. Run with {@code -prof gc} for the allocation per request.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar HttpParseRespondBenchmark -prof gc
 * </pre>
 *
 * <p>Threads: the benchmark thread plays the worker's loop (it binds the server, so the connection treats
 * it as its loop).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class HttpParseRespondBenchmark {

    /** wrk's request, and a browser-like one with more fields. */
    @Param({"wrk", "browser"})
    public String request;

    private ServerImpl server;
    private ConnectionHandler handler;
    private FakeConnection connection;
    private ByteBuffer bytes;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        String req = switch (request) {
            case "wrk" -> "GET / HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n\r\n";
            default -> "GET /api/items?page=2 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: Mozilla/5.0 (X11; Linux"
                    + " x86_64) Gecko/20100101 Firefox/128.0\r\nAccept: application/json\r\nAccept-Language: en-US,en"
                    + ";q=0.5\r\nAccept-Encoding: gzip, deflate, br\r\nConnection: keep-alive\r\nCookie: session=abc123"
                    + "; theme=dark\r\nCache-Control: no-cache\r\n\r\n";
        };
        byte[] raw = req.getBytes(StandardCharsets.ISO_8859_1);
        bytes = Boolean.getBoolean("heap") ? ByteBuffer.allocate(64 * 1024) : ByteBuffer.allocateDirect(64 * 1024);
        bytes.put(raw).flip();
        FakeContext ctx = new FakeContext();
        server = ServerImpl.create(HttpOptions.defaults(), null, 0);
        byte[] body = "{\"message\":\"Hello from worker 1\"}".getBytes(StandardCharsets.UTF_8);
        // The main job's handler (HelloCluster).
        server.createContext("/", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.bindThrough(ctx, new InetSocketAddress(8000));
        server.start();
        connection = new FakeConnection();
        handler = ctx.handlers.apply(connection);
        handler.onOpen(connection);
        // Sanity: one request gives one complete response, synchronously.
        handler.onData(connection, bytes.duplicate());
        if (connection.written < 100) {
            throw new IllegalStateException("no response: " + connection.written);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        handler.onClose(connection);
    }

    @Benchmark
    public long parseAndRespond() {
        ByteBuffer b = bytes;
        b.position(0);
        handler.onData(connection, b);
        return connection.written;
    }

    /** A connection that takes every byte at once, as a socket with room would. */
    static final class FakeConnection implements Connection {
        long written;
        private final InetSocketAddress address = new InetSocketAddress(8000);
        private Object attachment;

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
            data.position(data.limit());
            return true;
        }

        @Override
        public boolean write(byte[] data, int offset, int length) {
            written += length;
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
        }

        @Override
        public void resumeReading() {
        }

        @Override
        public void shutdownOutput() {
        }

        @Override
        public void close() {
        }

        @Override
        public void abort() {
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
            return true;
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

    /** A worker context whose loop is the benchmark thread: listen captures the handler factory. */
    static final class FakeContext implements WorkerContext {
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
        public boolean send(Object message, Connection connection, ByteBuffer unconsumed) {
            return false;
        }

        @Override
        public Registration onConnection(java.util.function.BiFunction<Object, Connection, dev.loomcluster.ConnectionHandler> handlers) {
            return () -> { };
        }

        @Override
        public java.time.Duration drainGrace() {
            return java.time.Duration.ZERO;
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
