package dev.loomcluster.testing;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small closed-loop load generator for echo servers: {@code threads} client threads each repeat
 * "connect, write {@code payloadBytes}, read the same bytes back and check them, close" against one
 * address until a total number of connections has been attempted or a duration has passed, whichever
 * comes first.
 *
 * <p>One connection is, in order: {@code connect} (with {@code TCP_NODELAY}), {@code roundTrips} times
 * "write the payload, read {@code payloadBytes} bytes and compare them with what was written", then, by
 * default, {@code shutdownOutput} and a read that must see the server's end of stream (so the server's
 * close is part of the measured cycle), then {@code close}. A connection that fails in any step (refused,
 * timeout, reset, wrong bytes, bytes after the echo) counts as an error and the thread goes on with the
 * next one; the first few error messages are kept. The latency recorded per successful connection is the
 * whole cycle, connect to close.
 *
 * <p>Threads: {@link #run()} blocks the calling thread while {@code threads} new daemon platform threads
 * named {@code echo-load-N} do the I/O; they have all ended when it returns. Every socket read and connect
 * is bounded by {@code timeout}, and the run by {@code duration} (plus at most one timeout). Loopback
 * note: the client sends the first FIN, so its side of each connection sits in TIME_WAIT; Linux reuses
 * those ports for loopback connections ({@code net.ipv4.tcp_tw_reuse=2}, the default) after a second,
 * so sustained rates above roughly 25,000 connections per second can fail with "Cannot assign requested
 * address".
 *
 * <pre>{@code
 * EchoLoad.Result r = EchoLoad.to(address).threads(4).payloadBytes(64).connections(10_000).run();
 * assertEquals(0, r.errors(), r.errorSamples()::toString);
 * }</pre>
 */
public final class EchoLoad {

    private final InetSocketAddress target;
    private int threads = 1;
    private int payloadBytes = 64;
    private int roundTrips = 1;
    private long connections = Long.MAX_VALUE;
    private Duration duration;
    private Duration timeout = Duration.ofSeconds(5);
    private boolean awaitServerClose = true;
    private long maxErrors = Long.MAX_VALUE;

    private EchoLoad(InetSocketAddress target) {
        this.target = Objects.requireNonNull(target, "target");
    }

    /** A load against {@code target}: one thread, 64-byte payload, one round trip per connection. */
    public static EchoLoad to(InetSocketAddress target) {
        return new EchoLoad(target);
    }

    /** A load against {@code 127.0.0.1:port}. */
    public static EchoLoad to(int port) {
        return new EchoLoad(FreePorts.loopback(port));
    }

    /** Client threads, each with one connection at a time; default 1. */
    public EchoLoad threads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be positive: " + threads);
        }
        this.threads = threads;
        return this;
    }

    /** Bytes written and expected back per round trip; default 64. */
    public EchoLoad payloadBytes(int payloadBytes) {
        if (payloadBytes < 1) {
            throw new IllegalArgumentException("payloadBytes must be positive: " + payloadBytes);
        }
        this.payloadBytes = payloadBytes;
        return this;
    }

    /** Write/read-back round trips per connection; default 1. */
    public EchoLoad roundTrips(int roundTrips) {
        if (roundTrips < 1) {
            throw new IllegalArgumentException("roundTrips must be positive: " + roundTrips);
        }
        this.roundTrips = roundTrips;
        return this;
    }

    /** Stop once this many connections (successful or not) have been attempted across all threads. */
    public EchoLoad connections(long connections) {
        if (connections < 1) {
            throw new IllegalArgumentException("connections must be positive: " + connections);
        }
        this.connections = connections;
        return this;
    }

    /** Stop starting connections after this long. */
    public EchoLoad duration(Duration duration) {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration must be positive: " + duration);
        }
        this.duration = duration;
        return this;
    }

    /** Bound on each connect and each read; default 5 s. */
    public EchoLoad timeout(Duration timeout) {
        if (timeout.isNegative() || timeout.toMillis() < 1) {
            throw new IllegalArgumentException("timeout must be at least 1 ms: " + timeout);
        }
        this.timeout = timeout;
        return this;
    }

    /**
     * Whether each connection half-closes after its round trips and waits for the server's end of stream
     * before closing (default {@code true}); {@code false} closes right after the last echo.
     */
    public EchoLoad awaitServerClose(boolean awaitServerClose) {
        this.awaitServerClose = awaitServerClose;
        return this;
    }

    /** Stop every thread once this many connections have failed; default unlimited. */
    public EchoLoad maxErrors(long maxErrors) {
        if (maxErrors < 1) {
            throw new IllegalArgumentException("maxErrors must be positive: " + maxErrors);
        }
        this.maxErrors = maxErrors;
        return this;
    }

    /**
     * Runs the load on {@code threads} new threads and waits for them.
     *
     * @throws IllegalStateException if neither {@link #connections(long)} nor {@link #duration(Duration)}
     *                               was set
     */
    public Result run() {
        if (connections == Long.MAX_VALUE && duration == null) {
            throw new IllegalStateException("set connections(n) or duration(d): a load must be bounded");
        }
        Run run = new Run();
        List<Thread> started = new ArrayList<>(threads);
        List<Client> clients = new ArrayList<>(threads);
        long start = System.nanoTime();
        run.deadline = duration == null ? Long.MAX_VALUE : start + duration.toNanos();
        for (int i = 0; i < threads; i++) {
            Client client = new Client(run, i);
            clients.add(client);
            started.add(Thread.ofPlatform().daemon().name("echo-load-" + i).start(client));
        }
        boolean interrupted = false;
        for (Thread t : started) {
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                    run.stop = true; // finish promptly, but still wait: no thread outlives run()
                }
            }
        }
        long elapsed = System.nanoTime() - start;
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        int total = 0;
        for (Client c : clients) {
            total += c.count;
        }
        long[] all = new long[total];
        int at = 0;
        for (Client c : clients) {
            System.arraycopy(c.latencies, 0, all, at, c.count);
            at += c.count;
        }
        Arrays.sort(all);
        return new Result(run.succeeded.get(), run.failed.get(), elapsed, all, run.samples());
    }

    /** State shared by the client threads of one run. */
    private final class Run {
        final AtomicLong tickets = new AtomicLong();
        final AtomicLong succeeded = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final List<String> errorSamples = Collections.synchronizedList(new ArrayList<>());
        volatile long deadline;
        volatile boolean stop;

        boolean next() {
            return !stop && System.nanoTime() - deadline < 0 && tickets.getAndIncrement() < connections;
        }

        void error(String message) {
            long n = failed.incrementAndGet();
            if (errorSamples.size() < Result.MAX_SAMPLES) {
                errorSamples.add(message);
            }
            if (n >= maxErrors) {
                stop = true;
            }
        }

        List<String> samples() {
            synchronized (errorSamples) {
                return List.copyOf(errorSamples);
            }
        }
    }

    /** One client thread's loop. */
    private final class Client implements Runnable {
        private final Run run;
        private final byte[] payload = new byte[payloadBytes];
        private final byte[] echo = new byte[payloadBytes];
        private final int timeoutMillis = Math.toIntExact(Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        long[] latencies = new long[1024];
        int count;

        Client(Run run, int index) {
            this.run = run;
            for (int i = 0; i < payload.length; i++) {
                payload[i] = (byte) ('a' + (index + i) % 26);
            }
        }

        @Override
        public void run() {
            while (run.next()) {
                long t0 = System.nanoTime();
                try {
                    oneConnection();
                } catch (IOException | RuntimeException e) {
                    run.error(e.getClass().getSimpleName() + ": " + e.getMessage());
                    continue;
                }
                long t1 = System.nanoTime();
                run.succeeded.incrementAndGet();
                if (count == latencies.length) {
                    if (count >= Integer.MAX_VALUE / 2) {
                        continue; // keep counting, stop sampling
                    }
                    latencies = Arrays.copyOf(latencies, count * 2);
                }
                latencies[count++] = t1 - t0;
            }
        }

        private void oneConnection() throws IOException {
            try (Socket socket = new Socket()) {
                socket.setTcpNoDelay(true);
                socket.connect(target, timeoutMillis);
                socket.setSoTimeout(timeoutMillis);
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                for (int trip = 0; trip < roundTrips; trip++) {
                    out.write(payload);
                    readFully(in, echo);
                    if (!Arrays.equals(payload, echo)) {
                        throw new IOException("echo differs from the payload in round trip " + trip);
                    }
                }
                if (awaitServerClose) {
                    socket.shutdownOutput();
                    int b = in.read();
                    if (b >= 0) {
                        throw new IOException("unexpected byte after the echo instead of end of stream");
                    }
                }
            }
        }

        private static void readFully(InputStream in, byte[] into) throws IOException {
            int got = 0;
            while (got < into.length) {
                int n = in.read(into, got, into.length - got);
                if (n < 0) {
                    throw new EOFException("end of stream after " + got + " of " + into.length + " echoed bytes");
                }
                got += n;
            }
        }
    }

    /**
     * What a run did. Immutable; any thread.
     */
    public static final class Result {
        /** The most error messages kept. */
        public static final int MAX_SAMPLES = 10;

        private final long connections;
        private final long errors;
        private final long elapsedNanos;
        private final long[] sortedLatencies;
        private final List<String> errorSamples;

        Result(long connections, long errors, long elapsedNanos, long[] sortedLatencies, List<String> errorSamples) {
            this.connections = connections;
            this.errors = errors;
            this.elapsedNanos = elapsedNanos;
            this.sortedLatencies = sortedLatencies;
            this.errorSamples = errorSamples;
        }

        /** Connections that completed every step. */
        public long connections() {
            return connections;
        }

        /** Connections that failed. */
        public long errors() {
            return errors;
        }

        /** The first few error messages (at most {@link #MAX_SAMPLES}). */
        public List<String> errorSamples() {
            return errorSamples;
        }

        /** Wall time of the run, first thread start to last thread end. */
        public Duration elapsed() {
            return Duration.ofNanos(elapsedNanos);
        }

        /** Successful connections per second of wall time. */
        public double connectionsPerSecond() {
            return elapsedNanos == 0 ? 0 : connections * 1e9 / elapsedNanos;
        }

        /** Latencies recorded (one per successful connection, unless there were over a billion). */
        public int samples() {
            return sortedLatencies.length;
        }

        /**
         * The latency at {@code percentile} (0 to 100, nearest rank) of successful connections, in
         * nanoseconds; 0 if none succeeded.
         */
        public long percentileNanos(double percentile) {
            if (percentile < 0 || percentile > 100) {
                throw new IllegalArgumentException("percentile must be within 0..100: " + percentile);
            }
            if (sortedLatencies.length == 0) {
                return 0;
            }
            int rank = (int) Math.ceil(percentile / 100 * sortedLatencies.length);
            return sortedLatencies[Math.max(0, Math.min(sortedLatencies.length - 1, rank - 1))];
        }

        /** Median latency in nanoseconds. */
        public long p50Nanos() {
            return percentileNanos(50);
        }

        /** 99th percentile latency in nanoseconds. */
        public long p99Nanos() {
            return percentileNanos(99);
        }

        /** Largest latency in nanoseconds; 0 if none succeeded. */
        public long maxNanos() {
            return sortedLatencies.length == 0 ? 0 : sortedLatencies[sortedLatencies.length - 1];
        }

        @Override
        public String toString() {
            return String.format("%d connections, %d errors in %.2f s: %.0f conn/s, p50 %.1f us, p99 %.1f us, max %.1f us%s",
                    connections, errors, elapsedNanos / 1e9, connectionsPerSecond(), p50Nanos() / 1e3,
                    p99Nanos() / 1e3, maxNanos() / 1e3, errorSamples.isEmpty() ? "" : ", errors: " + errorSamples);
        }
    }
}
