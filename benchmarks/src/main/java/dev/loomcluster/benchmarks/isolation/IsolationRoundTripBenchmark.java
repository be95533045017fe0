package dev.loomcluster.benchmarks.isolation;

import dev.loomcluster.Isolation;
import dev.loomcluster.Worker;
import dev.loomcluster.WorkerPool;
import dev.loomcluster.benchmarks.Signal;
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

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Message round trip primary → worker → primary for a thread worker and a child JVM: the benchmark
 * thread sends a message ({@code record}: a small record of three components; {@code 1k}/{@code 64k}: a
 * {@code byte[]} of that size), the worker echoes it ({@code ctx.onMessage(ctx::send)}), the pool's
 * {@code onMessage} listener on the primary loop signals the benchmark thread. In process mode each hop
 * includes encoding on the sender's thread, the IPC writer thread, the Unix socket, the reader thread
 * and decoding. Sample time: p50/p99 of single round trips.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class IsolationRoundTripBenchmark {

    @Param({"THREAD", "PROCESS"})
    public Isolation isolation;

    @Param({"record", "1k", "64k"})
    public String payload;

    /** JVM options for the child ("none": the defaults). */
    @Param({"none"})
    public String childOptions;

    private WorkerPool pool;
    private Worker worker;
    private Signal replies;
    private Object message;
    private volatile Object lastReply;
    private long sent;

    @Setup(Level.Trial)
    public void setUp() {
        message = switch (payload) {
            case "record" -> new Workers.Quote("LOOM", 4_200, 100);
            case "1k" -> new byte[1024];
            case "64k" -> new byte[64 * 1024];
            default -> throw new IllegalArgumentException("payload: " + payload);
        };
        replies = new Signal(TimeUnit.MICROSECONDS.toNanos(50));
        Signal online = new Signal(0);
        pool = Pools.builder("iso-rt", isolation, Workers.Echo.class, childOptions).build();
        pool.onOnline(w -> online.signal());
        pool.onMessage((w, m) -> {
            lastReply = m;
            replies.signal();
        });
        pool.start();
        online.await(1);
        worker = pool.workers().values().iterator().next();
        sent = 0;
    }

    @Benchmark
    public Object roundTrip() {
        if (!worker.send(message)) {
            throw new IllegalStateException("worker " + worker.id() + " is gone");
        }
        replies.await(++sent);
        return lastReply;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Object reply = lastReply;
        pool.close();
        boolean same = message instanceof byte[] b ? reply instanceof byte[] r && Arrays.equals(b, r) : message.equals(reply);
        if (!same) {
            throw new IllegalStateException("the worker echoed " + reply + " instead of " + message);
        }
    }
}
