package dev.loomcluster.benchmarks;

import dev.loomcluster.ThreadKind;
import dev.loomcluster.Worker;
import dev.loomcluster.WorkerPool;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One-way message throughput primary → worker: each invocation sends {@value #BATCH} messages with
 * {@link Worker#send} and then waits until the worker's {@code onMessage} handler has counted all of them,
 * so the score (operations = messages per second) counts only messages delivered to the handler on the
 * worker's loop, not merely queued.
 *
 * <p>Threads: JMH's benchmark thread sends and waits (spinning briefly, then parking 20 µs at a time);
 * the worker loop (platform or virtual thread, {@code threads}) runs the counting handler, which
 * publishes its count with a release store.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class MessageThroughputBenchmark {

    /** Messages per invocation. */
    public static final int BATCH = 10_000;
    private static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** The worker's thread kind. */
    @Param({"PLATFORM", "VIRTUAL"})
    public ThreadKind threads;

    /** The pool's idle strategy: {@code park}, {@code auto} (the default) or {@code backoff} (see {@link Idle}). */
    @Param({"auto"})
    public String idle;

    /**
     * What is sent: {@code string} ("ping", what run-core.sh measures), {@code list8} (a list of 8 short
     * strings) or {@code map4} (a map of 4 string keys to integers); the collections are checked and copied
     * by {@code send}, so they show what message isolation costs the sender.
     */
    @Param({"string"})
    public String message;

    private Object payload;
    private WorkerPool pool;
    private Worker worker;
    private final AtomicLong delivered = new AtomicLong();
    private long sent;

    @Setup(Level.Trial)
    public void setUp() {
        payload = switch (message) {
            case "string" -> "ping";
            case "list8" -> List.of("a", "b", "c", "d", "e", "f", "g", "h");
            case "map4" -> Map.of("a", 1, "b", 2, "c", 3, "d", 4);
            default -> throw new IllegalArgumentException("unknown message kind " + message);
        };
        AtomicLong counter = delivered;
        Signal online = new Signal(0);
        // Single writer (the worker loop): a release store publishes the count without a locked add.
        pool = WorkerPool.builder(ctx -> ctx.onMessage(message -> counter.lazySet(counter.get() + 1)))
                .name("oneway-bench").size(1).threads(threads).idleStrategy(Idle.of(idle)).build();
        pool.onOnline(w -> online.signal());
        pool.start();
        online.await(1);
        worker = pool.workers().values().iterator().next();
        sent = 0;
        delivered.set(0);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long sendBatch() {
        Worker w = worker;
        Object m = payload;
        for (int i = 0; i < BATCH; i++) {
            if (!w.send(m)) {
                throw new IllegalStateException("worker " + w.id() + " refused a message");
            }
        }
        sent += BATCH;
        return awaitDelivered(sent);
    }

    private long awaitDelivered(long target) {
        long start = System.nanoTime();
        long seen;
        int i = 0;
        while ((seen = delivered.get()) < target) {
            long waited = System.nanoTime() - start;
            if (waited < SPIN_NANOS) {
                Thread.onSpinWait();
            } else if (waited < TIMEOUT_NANOS) {
                LockSupport.parkNanos(20_000);
            } else {
                throw new IllegalStateException("the worker handled " + seen + " of " + target + " messages in 10 s");
            }
            i++;
        }
        return seen + i;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        long handled = worker.stats().messagesIn();
        pool.close();
        if (handled != sent || delivered.get() != sent) {
            throw new IllegalStateException("sent " + sent + " messages, the worker's stats say " + handled
                    + " delivered, its handler counted " + delivered.get());
        }
    }
}
