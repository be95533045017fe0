package dev.loomcluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ten thousand virtual-thread workers: forked, messaged, disconnected. */
class ManyWorkersTest {
    private static final int WORKERS = 10_000;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void tenThousandVirtualWorkers() {
        var online = new AtomicInteger();
        var replied = new BitSet(WORKERS + 1);  // primary loop only
        var replies = new AtomicInteger();
        var exits = new AtomicInteger();
        var cleanExits = new AtomicInteger();
        WorkerPool pool = WorkerPool.builder(ctx -> ctx.onMessage(m -> ctx.send(ctx.id())))
                .name(TestPools.uniqueName("many"))
                .threads(ThreadKind.VIRTUAL)
                .size(WORKERS)
                .shutdownTimeout(Duration.ofSeconds(30))
                .build();
        try (pool) {
            pool.onOnline(w -> online.incrementAndGet());
            pool.onMessage((w, m) -> {
                if (w.id() == (Integer) m && !replied.get(w.id())) {
                    replied.set(w.id());
                    replies.incrementAndGet();
                }
            });
            pool.onExit((w, s) -> {
                exits.incrementAndGet();
                if (s.success() && w.exitedAfterDisconnect()) {
                    cleanExits.incrementAndGet();
                }
            });
            long t0 = System.nanoTime();
            pool.start();
            Await.until("all workers online (" + online + ")", Duration.ofSeconds(60), () -> online.get() == WORKERS);
            assertEquals(WORKERS, pool.workers().size());
            assertEquals(WORKERS, pool.broadcast("ping"));
            Await.until("a reply from every worker (" + replies + ")", Duration.ofSeconds(60),
                    () -> replies.get() == WORKERS);
            pool.disconnect().get(60, TimeUnit.SECONDS);
            Await.until("every exit event", () -> exits.get() == WORKERS);
            long took = System.nanoTime() - t0;
            assertEquals(WORKERS, cleanExits.get(), "every worker exited with 0 after disconnect");
            assertTrue(pool.workers().isEmpty());
            assertEquals(WORKERS, pool.stats().forked());
            System.out.printf("%d virtual workers forked, messaged and disconnected in %d ms%n",
                    WORKERS, took / 1_000_000);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        Threads.assertNoneAlive(pool.name());
    }
}
