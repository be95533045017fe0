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

import java.util.concurrent.TimeUnit;

/**
 * {@code pool.fork()} until the pool's {@code onOnline} listener has seen the worker, for a thread worker
 * and a child JVM (whose {@code online} comes when its loop runs: JVM start, connect, handshake, spec).
 * Each worker is disconnected and its exit awaited after the measured call. {@code childOptions} lets a
 * run compare the default child options with an AOT cache ({@code -XX:AOTCache=...}) or AppCDS.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
public class IsolationForkOnlineBenchmark {

    @Param({"THREAD", "PROCESS"})
    public Isolation isolation;

    @Param({"none"})
    public String childOptions;

    private WorkerPool pool;
    private Signal online;
    private long forked;
    private Worker last;

    @Setup(Level.Trial)
    public void setUp() {
        online = new Signal(TimeUnit.MICROSECONDS.toNanos(50));
        pool = Pools.builder("iso-fork", isolation, Workers.Idle.class, childOptions).size(0).build();
        pool.onOnline(w -> online.signal());
        pool.onError((w, e) -> System.err.println("worker " + w.id() + " failed: " + e));
        forked = 0;
    }

    @Benchmark
    public Worker forkToOnline() {
        Worker w = pool.fork();
        online.await(++forked);
        last = w;
        return w;
    }

    @TearDown(Level.Invocation)
    public void disconnectLast() {
        if (last != null) {
            last.disconnect().join();
            last = null;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
    }
}
