package dev.loomcluster.benchmarks.http;

import dev.loomcluster.http.HttpOptions;
import dev.loomcluster.http.internal.LoopHarness;

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

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Parse + respond for one keep-alive request, with no socket: the server's real connection handler (the
 * one a worker's loop calls) gets the bytes of one request in a direct buffer, as the loop's read buffer
 * holds them, parses them, runs the main job's hello handler and encodes the response, which a fake
 * connection counts (http's {@code LoopHarness}, from its test jar). Run with {@code -prof gc} for the
 * allocation per request.
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

    private LoopHarness harness;
    private LoopHarness.FakeConnection connection;
    private ByteBuffer bytes;

    @Setup(Level.Trial)
    public void setUp() {
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
        byte[] body = "{\"message\":\"Hello from worker 1\"}".getBytes(StandardCharsets.UTF_8);
        // The main job's handler (HelloCluster).
        harness = new LoopHarness(HttpOptions.defaults(), exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        connection = harness.open(false);
        // Sanity: one request gives one complete response, synchronously.
        connection.receive(bytes.duplicate());
        if (connection.written() < 100) {
            throw new IllegalStateException("no response: " + connection.written());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        connection.close();
        harness.close();
    }

    @Benchmark
    public long parseAndRespond() {
        ByteBuffer b = bytes;
        b.position(0);
        connection.receive(b);
        return connection.written();
    }
}
