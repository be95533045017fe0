package dev.loomcluster.benchmarks;

import dev.loomcluster.ThreadKind;
import dev.loomcluster.WorkerPool;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Memory per idle worker: a plain main (not JMH), run in its own JVM by {@code run-core.sh}.
 *
 * <p>Method: build a pool of the given thread kind, fork {@value #WARM_UP} workers first (loads and
 * initialises every class on the path, sizes the primary's tables), wait for them to be online, and take
 * the baseline: heap used after a full GC ({@code System.gc()}, repeated until two readings agree within
 * 1%, at most 10 times). Then fork {@code count} more idle workers (their {@code WorkerMain} only returns),
 * wait until the pool has seen every one {@code online}, let the loops settle and measure again. The
 * figure is (heap after − heap before) / count: what a live idle worker retains on the heap, including,
 * for a virtual thread, its parked stack (stack chunks live on the heap). For platform workers the thread
 * stacks are native memory and not in that figure, so the resident-set delta (Linux {@code VmRSS}) is
 * printed too, as a rough indication only (the heap is pre-sized with {@code -Xms} to keep RSS changes
 * from heap growth out of it where possible).
 *
 * <p>Usage: {@code IdleWorkerMemory [count=10000] [VIRTUAL|PLATFORM]}. Prints one line,
 * {@code memory threads=VIRTUAL workers=10000 heap_kib_per_worker=... rss_kib_per_worker=... fork_all_ms=...}.
 * Runs on the main thread; the pool's own threads run the workers.
 */
public final class IdleWorkerMemory {

    static final int WARM_UP = 100;

    private IdleWorkerMemory() {
    }

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        ThreadKind kind = args.length > 1 ? ThreadKind.valueOf(args[1].toUpperCase(Locale.ROOT)) : ThreadKind.VIRTUAL;
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

        Signal online = new Signal(0);
        try (WorkerPool pool = WorkerPool.builder(ctx -> { }).name("mem-probe").size(0).threads(kind).build()) {
            pool.onOnline(w -> online.signal());
            for (int i = 0; i < WARM_UP; i++) {
                pool.fork();
            }
            online.await(WARM_UP);
            long heapBefore = settledHeapUsed(memory);
            long rssBefore = rssBytes();

            long t0 = System.nanoTime();
            for (int i = 0; i < count; i++) {
                pool.fork();
            }
            online.await(WARM_UP + count);
            long forkAllNanos = System.nanoTime() - t0;
            Thread.sleep(200); // let the new loops reach their idle wait
            long heapAfter = settledHeapUsed(memory);
            long rssAfter = rssBytes();

            int live = pool.workers().size();
            if (live != WARM_UP + count) {
                throw new IllegalStateException("expected " + (WARM_UP + count) + " live workers, found " + live);
            }
            double heapKiB = (heapAfter - heapBefore) / 1024.0 / count;
            double rssKiB = rssBefore < 0 || rssAfter < 0 ? Double.NaN : (rssAfter - rssBefore) / 1024.0 / count;
            System.out.printf(Locale.ROOT,
                    "memory threads=%s workers=%d heap_kib_per_worker=%.2f rss_kib_per_worker=%.2f fork_all_ms=%.1f"
                            + " heap_before_mib=%.1f heap_after_mib=%.1f%n",
                    kind, count, heapKiB, rssKiB, forkAllNanos / 1e6, heapBefore / 1048576.0, heapAfter / 1048576.0);
        }
    }

    /** Heap used after full GCs, once two consecutive readings agree within 1% (at most 10 GCs). */
    static long settledHeapUsed(MemoryMXBean memory) throws InterruptedException {
        long previous = Long.MAX_VALUE;
        long used = 0;
        for (int i = 0; i < 10; i++) {
            System.gc();
            Thread.sleep(50);
            used = memory.getHeapMemoryUsage().getUsed();
            if (Math.abs(used - previous) <= previous / 100) {
                break;
            }
            previous = used;
        }
        return used;
    }

    /** The process's resident set from /proc/self/status, or -1 where there is none. */
    private static long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
