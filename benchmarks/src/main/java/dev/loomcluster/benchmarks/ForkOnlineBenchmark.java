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
 * fork → online latency: each operation calls {@link WorkerPool#fork()} and waits until the pool's
 * {@code onOnline} listener (on the primary loop) has seen that worker, i.e. the worker's thread started,
 * ran its (empty) {@code WorkerMain.start} and the primary delivered {@code online}: what Node's
 * {@code cluster.fork()} → {@code 'online'} measures. The worker is disconnected and its {@code exit}
 * awaited in a per-invocation tear-down, outside the measured time, so every operation forks into a
 * pool with no other live worker. One pool per trial.
 *
 * <p>Threads: JMH's benchmark thread forks and waits (spinning up to 50 µs, then parking); the worker runs
 * on a new platform or virtual thread ({@code threads}); the primary loop delivers {@code online} and
 * {@code exit}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ForkOnlineBenchmark {

    /** The worker's thread kind. */
    @Param({"PLATFORM", "VIRTUAL"})
    public ThreadKind threads;

    private WorkerPool pool;
    private Signal online;
    private Signal exited;
    private Worker last;

    @Setup(Level.Trial)
    public void setUp() {
        online = new Signal(TimeUnit.MICROSECONDS.toNanos(50));
        exited = new Signal(TimeUnit.MICROSECONDS.toNanos(50));
        pool = WorkerPool.builder(ctx -> { }).name("fork-bench").size(0).threads(threads).build();
        pool.onOnline(w -> online.signal());
        pool.onExit((w, status) -> exited.signal());
    }

    @Benchmark
    public Worker forkToOnline() {
        long target = online.count() + 1;
        Worker w = pool.fork();
        online.await(target);
        last = w;
        return w;
    }

    @TearDown(Level.Invocation)
    public void stopWorker() {
        if (last != null) {
            long target = exited.count() + 1;
            last.disconnect();
            exited.await(target);
            last = null;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
    }
}
