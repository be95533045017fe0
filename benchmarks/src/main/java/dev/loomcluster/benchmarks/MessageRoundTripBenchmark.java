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
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Message round trip primary → worker → primary, per operation: the benchmark thread sends {@code "ping"}
 * with {@link Worker#send}, the worker's loop echoes it with {@code ctx.onMessage(ctx::send)}, and the
 * pool's {@code onMessage} listener on the primary loop bumps a {@link Signal} that the benchmark thread
 * waits on. One operation therefore includes both hops and both thread hand-offs (benchmark thread →
 * worker loop → primary loop → benchmark thread), which is one hop more than Node's round trip (where the
 * primary's event loop is the sender), so the figure is, if anything, pessimistic.
 *
 * <p>Threads: JMH's benchmark thread sends and waits (spinning up to {@code spinMicros}, then parking);
 * the worker loop (platform or virtual thread, {@code threads}) echoes; the primary loop delivers the
 * reply. Sample-time mode gives the p50/p99 of single round trips.
 *
 * <p>{@link #roundTripFromVirtualThread} is the same operation with JMH's benchmark thread a virtual
 * thread ({@code -Djmh.executor=VIRTUAL}), as the code of a {@code VIRTUAL} pool's application would run:
 * with a {@code VIRTUAL} pool all three threads are then virtual and each hand-off is a continuation
 * switch; from a platform thread ({@link #roundTrip}) the hand-off to a virtual worker has to wake a
 * carrier thread of the scheduler, an OS wake-up.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class MessageRoundTripBenchmark {

    private static final String PING = "ping";

    /** The worker's thread kind. */
    @Param({"PLATFORM", "VIRTUAL"})
    public ThreadKind threads;

    /** The pool's idle strategy: {@code park}, {@code auto} (the default) or {@code backoff} (see {@link Idle}). */
    @Param({"auto"})
    public String idle;

    /** How long the benchmark thread spins for the reply before parking, in microseconds. */
    @Param({"50"})
    public long spinMicros;

    private WorkerPool pool;
    private Worker worker;
    private Signal replies;
    private volatile Object lastReply;
    private long sent;

    @Setup(Level.Trial)
    public void setUp() {
        replies = new Signal(TimeUnit.MICROSECONDS.toNanos(spinMicros));
        Signal online = new Signal(0);
        pool = WorkerPool.builder(ctx -> ctx.onMessage(ctx::send)).name("rt-bench").size(1).threads(threads).idleStrategy(Idle.of(idle)).build();
        pool.onOnline(w -> online.signal());
        pool.onMessage((w, message) -> {
            lastReply = message;
            replies.signal();
        });
        pool.start();
        online.await(1);
        worker = pool.workers().values().iterator().next();
        sent = 0;
    }

    @Benchmark
    public Object roundTrip() {
        if (!worker.send(PING)) {
            throw new IllegalStateException("worker " + worker.id() + " is gone");
        }
        replies.await(++sent);
        return lastReply;
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Djmh.executor=VIRTUAL"})
    public Object roundTripFromVirtualThread() {
        return roundTrip();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Object reply = lastReply;
        pool.close();
        if (!PING.equals(reply)) {
            throw new IllegalStateException("the worker echoed " + reply + " instead of " + PING);
        }
    }
}
