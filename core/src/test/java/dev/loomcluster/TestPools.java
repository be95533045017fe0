package dev.loomcluster;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** Builders with names unique per test (so thread snapshots see only that pool) and short timeouts. */
final class TestPools {
    private static final AtomicInteger SEQ = new AtomicInteger();

    private TestPools() {
    }

    /** A pool name unique in this JVM, never a prefix of another: {@code <base><n>x}. */
    static String uniqueName(String base) {
        return base + SEQ.incrementAndGet() + "x";
    }

    /** One worker running {@code main} on threads of {@code kind}; 5 s shutdown, 1 s kill timeout. */
    static WorkerPool.Builder builder(String base, ThreadKind kind, WorkerMain main) {
        return WorkerPool.builder(main)
                .name(uniqueName(base))
                .threads(kind)
                .size(1)
                .shutdownTimeout(Duration.ofSeconds(5))
                .killTimeout(Duration.ofSeconds(1));
    }

    /** Closes the pool and asserts no thread it started is alive. */
    static void closeAndCheck(WorkerPool pool) {
        pool.close();
        Threads.assertNoneAlive(pool.name());
    }
}
