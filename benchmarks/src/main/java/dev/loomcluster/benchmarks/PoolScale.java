package dev.loomcluster.benchmarks;

import dev.loomcluster.ThreadKind;
import dev.loomcluster.Worker;
import dev.loomcluster.WorkerPool;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Scale of the pool itself: a plain main (single shot, like JMH's {@code SingleShotTime}, but with a
 * full-GC heap reading in the middle, which JMH cannot take), run in its own JVM.
 *
 * <p>Phases, each timed from the main thread: <b>fork</b> {@code count} {@code VIRTUAL} workers and wait
 * until the pool's {@code onOnline} listener has seen all of them; <b>idle heap</b>: heap used after full
 * GCs (settled as in {@link IdleWorkerMemory}) minus the same reading taken before the fork, per worker
 * (the pool's primary loop already runs then; {@value #WARM_UP} workers were forked and disconnected
 * before, so classes are loaded and JIT has seen the path); <b>message</b>: send each worker one message
 * and wait until the primary has received every echo (the workers echo with {@code ctx.send}); <b>disconnect</b>:
 * {@link WorkerPool#disconnect()} and wait until every worker has exited.
 *
 * <p>Usage: {@code PoolScale [count=100000]}; prints one line
 * {@code scale workers=.. fork_ms=.. heap_kib_per_worker=.. message_ms=.. disconnect_ms=..}.
 * Give it heap: {@code -Xmx2g}.
 */
public final class PoolScale {
    static final int WARM_UP = 2_000;
    private static final Duration LONG = Duration.ofMinutes(5);

    private PoolScale() {
    }

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        Signal online = new Signal(0);
        Signal echoes = new Signal(0);
        try (WorkerPool pool = WorkerPool.builder(ctx -> ctx.onMessage(ctx::send))
                .name("scale").size(0).threads(ThreadKind.VIRTUAL).build()) {
            pool.onOnline(w -> online.signal());
            pool.onMessage((w, m) -> echoes.signal());

            // warm-up: the whole life of WARM_UP workers
            List<Worker> warm = new ArrayList<>();
            for (int i = 0; i < WARM_UP; i++) {
                warm.add(pool.fork());
            }
            online.await(WARM_UP);
            for (Worker w : warm) {
                w.send(1);
            }
            echoes.await(WARM_UP);
            pool.disconnect().get(1, TimeUnit.MINUTES);
            warm = null;
            long heapBefore = IdleWorkerMemory.settledHeapUsed(memory);

            long t0 = System.nanoTime();
            Worker[] workers = new Worker[count];
            for (int i = 0; i < count; i++) {
                workers[i] = pool.fork();
            }
            online.await(WARM_UP + (long) count, LONG);
            long forkNanos = System.nanoTime() - t0;

            Thread.sleep(200); // let the last loops reach their idle wait
            long heapIdle = IdleWorkerMemory.settledHeapUsed(memory);
            int live = pool.workers().size();
            if (live != count) {
                throw new IllegalStateException("expected " + count + " live workers, found " + live);
            }

            long t1 = System.nanoTime();
            for (Worker w : workers) {
                if (!w.send(1)) {
                    throw new IllegalStateException("worker " + w.id() + " refused a message");
                }
            }
            echoes.await(WARM_UP + (long) count, LONG);
            long messageNanos = System.nanoTime() - t1;

            long t2 = System.nanoTime();
            CompletableFuture<Void> all = pool.disconnect();
            all.get(5, TimeUnit.MINUTES);
            long disconnectNanos = System.nanoTime() - t2;
            if (!pool.workers().isEmpty()) {
                throw new IllegalStateException(pool.workers().size() + " workers left after disconnect");
            }
            System.out.printf(Locale.ROOT,
                    "scale workers=%d fork_ms=%.0f heap_kib_per_worker=%.2f message_ms=%.0f disconnect_ms=%.0f"
                            + " heap_before_mib=%.1f heap_idle_mib=%.1f%n",
                    count, forkNanos / 1e6, (heapIdle - heapBefore) / 1024.0 / count, messageNanos / 1e6,
                    disconnectNanos / 1e6, heapBefore / 1048576.0, heapIdle / 1048576.0);
        }
    }
}
