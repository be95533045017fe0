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
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * One-way messages primary → worker: the benchmark thread sends {@value #BATCH} short strings back to
 * back, then the count it expects; the worker's handler counts them and answers when it has seen them
 * all, so an operation ends only when every message was handled on the worker's loop. Throughput in
 * messages per second (one operation = one message).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class IsolationOneWayBenchmark {
    static final int BATCH = 10_000;
    private static final String MESSAGE = "tick";

    @Param({"THREAD", "PROCESS"})
    public Isolation isolation;

    @Param({"none"})
    public String childOptions;

    private WorkerPool pool;
    private Worker worker;
    private Signal counted;
    private volatile long lastCount;
    private long batches;

    @Setup(Level.Trial)
    public void setUp() {
        counted = new Signal(TimeUnit.MICROSECONDS.toNanos(50));
        Signal online = new Signal(0);
        pool = Pools.builder("iso-ow", isolation, Workers.Counter.class, childOptions).build();
        pool.onOnline(w -> online.signal());
        pool.onMessage((w, m) -> {
            lastCount = (Long) m;
            counted.signal();
        });
        pool.start();
        online.await(1);
        worker = pool.workers().values().iterator().next();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void sendBatch() {
        for (int i = 0; i < BATCH; i++) {
            worker.send(MESSAGE);
        }
        worker.send((long) BATCH);
        counted.await(++batches);
        if (lastCount != BATCH) {
            throw new IllegalStateException("the worker counted " + lastCount + " of " + BATCH);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
    }
}
