package dev.loomcluster.benchmarks.process;

import dev.loomcluster.internal.process.NativeSockets;
import dev.loomcluster.internal.process.NativeSockets.ListeningSocket;
import dev.loomcluster.internal.process.PrivateSocketDir;
import dev.loomcluster.testing.FreePorts;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The accept turn: the primary (the benchmark thread) sees a connection queued on a listening socket it
 * shares with one child JVM ({@link AcceptTurnChild}), sends the child a one-byte turn over a Unix socket,
 * and waits for the child's one-byte answer, by which time the child has accepted the connection on its
 * inherited {@code ServerSocketChannel}, written a byte to it and closed it.
 *
 * <ul>
 *   <li>{@code turn}: the turn message pair alone. The connection is made and seen queued ({@code poll}) in
 *   a per-invocation set-up, and read and closed in a per-invocation tear-down, outside the measured time
 *   (operations are tens of microseconds, so JMH's per-invocation timestamps are noise).</li>
 *   <li>{@code connectionByTurn}: a whole connection: client connect, {@code poll}, the turn, the client
 *   reading the child's byte.</li>
 *   <li>{@code connectionByPrimary}: the baseline without a child: connect, {@code poll}, the primary accepts
 *   and writes the byte itself. {@code connectionByTurn} minus this is what a turn adds to a connection.</li>
 * </ul>
 * Threads: the JMH benchmark thread plays both primary and client; the child answers on its main thread.
 * Sample-time mode gives the p50.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class AcceptTurnBenchmark {

    private static final byte[] TURN = {'T'};
    private static final byte[] BYTE = {'P'};

    private PrivateSocketDir dir;
    private Path log;
    private Process child;
    private ListeningSocket listening;
    private InetSocketAddress address;
    private int ipc = -1;
    private final byte[] answer = new byte[1];
    private final ByteBuffer one = ByteBuffer.allocate(1);
    private SocketChannel pending;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        NativeSockets.requireSupported("AcceptTurnBenchmark");
        listening = NativeSockets.listenTcp(new InetSocketAddress(FreePorts.LOOPBACK, 0), 128);
        address = listening.localAddress();
        NativeSockets.setNonBlocking(listening.fd(), true);
        dir = PrivateSocketDir.create("lc-bench-");
        Path socket = dir.socketPath("child.sock");
        int udsListener = NativeSockets.listenUnix(socket, 1);
        try {
            log = Files.createTempFile("accept-turn-child", ".log");
            String java = ProcessHandle.current().info().command().orElseThrow();
            ProcessBuilder builder = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx64m",
                    "-cp", System.getProperty("java.class.path"), AcceptTurnChild.class.getName()))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().put(AcceptTurnChild.SOCKET_ENV, socket.toString());
            child = builder.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (NativeSockets.poll(udsListener, NativeSockets.POLLIN, 100) == 0) {
                if (!child.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException("child did not connect; output: " + Files.readString(log));
                }
            }
            ipc = NativeSockets.accept(udsListener);
            if (NativeSockets.peerCredentials(ipc).pid() != child.pid()) {
                throw new IOException("the Unix socket's peer is not the child");
            }
            NativeSockets.sendFd(ipc, listening.fd(), new byte[0]);
        } finally {
            NativeSockets.closeQuietly(udsListener);
            dir.unlink(socket);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException, InterruptedException {
        NativeSockets.closeQuietly(ipc);           // the child's signal to exit
        if (child != null && !child.waitFor(10, TimeUnit.SECONDS)) {
            child.destroyForcibly().waitFor();
        }
        NativeSockets.closeQuietly(listening.fd());
        dir.close();
        if (log != null) {
            Files.deleteIfExists(log);
        }
    }

    @Setup(Level.Invocation)
    public void queueConnection(BenchmarkParams params) throws IOException {
        if (params.getBenchmark().endsWith(".turn")) {
            pending = SocketChannel.open(address);
            awaitQueued();
        }
    }

    @TearDown(Level.Invocation)
    public void finishConnection() throws IOException {
        if (pending != null) {
            readOne(pending);
            pending.close();
            pending = null;
        }
    }

    @Benchmark
    public byte turn() throws IOException {
        return grantTurn();
    }

    @Benchmark
    public byte connectionByTurn() throws IOException {
        try (SocketChannel client = SocketChannel.open(address)) {
            awaitQueued();
            grantTurn();
            return readOne(client);
        }
    }

    @Benchmark
    public byte connectionByPrimary() throws IOException {
        try (SocketChannel client = SocketChannel.open(address)) {
            awaitQueued();
            int fd = NativeSockets.accept(listening.fd());
            if (fd < 0) {
                throw new IOException("nothing to accept after poll");
            }
            try {
                NativeSockets.sendFully(fd, BYTE, 0, 1);
            } finally {
                NativeSockets.close(fd);
            }
            return readOne(client);
        }
    }

    private void awaitQueued() throws IOException {
        if ((NativeSockets.poll(listening.fd(), NativeSockets.POLLIN, 10_000) & NativeSockets.POLLIN) == 0) {
            throw new IOException("no connection queued within 10 s");
        }
    }

    private byte grantTurn() throws IOException {
        NativeSockets.sendFully(ipc, TURN, 0, 1);
        if (NativeSockets.receive(ipc, answer, 0, 1) != 1 || answer[0] != '1') {
            throw new IOException("child did not accept on its turn; output: " + Files.readString(log));
        }
        return answer[0];
    }

    private byte readOne(SocketChannel client) throws IOException {
        one.clear();
        while (one.hasRemaining()) {
            if (client.read(one) < 0) {
                throw new IOException("connection closed before its byte");
            }
        }
        return one.get(0);
    }
}
