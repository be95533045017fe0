package dev.loomcluster;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.loomcluster.TestPools.builder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Worker and pool statistics. */
@Timeout(60)
class StatsTest {

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void countsMessagesMailboxUptimeAndUtilization(ThreadKind kind) {
        var holding = new CountDownLatch(1);
        var gate = new CountDownLatch(1);
        var replies = new LinkedBlockingQueue<Object>();
        WorkerPool pool = builder("stats", kind, ctx -> ctx.onMessage(m -> {
            if ("hold".equals(m)) {
                holding.countDown();
                try {
                    gate.await(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } else {
                ctx.send(m);
                ctx.send(m);
            }
        })).size(2).build();
        try (pool) {
            Events events = Events.of(pool);
            pool.onMessage((w, m) -> replies.add(m));
            pool.start();
            events.awaitCount("online", e -> e.startsWith("online "), 2);
            Worker w = pool.workers().get(1);

            WorkerStats fresh = w.stats();
            assertEquals(1, fresh.id());
            assertEquals(0, fresh.messagesIn());
            assertEquals(0, fresh.messagesOut());
            assertEquals(0, fresh.restarts());
            assertEquals(0, fresh.connectionsReceived());
            assertEquals(0, fresh.connectionsOpen());
            assertTrue(fresh.uptime().compareTo(Duration.ZERO) > 0, fresh.toString());
            assertUtilization(fresh);

            for (int i = 0; i < 3; i++) {
                w.send("m" + i);
            }
            for (int i = 0; i < 6; i++) {
                Await.take("reply", replies);
            }
            WorkerStats afterEcho = w.stats();
            assertEquals(3, afterEcho.messagesIn());
            assertEquals(6, afterEcho.messagesOut());
            assertTrue(afterEcho.uptime().compareTo(fresh.uptime()) > 0);

            w.send("hold");
            Await.latch("worker holding", holding);
            for (int i = 0; i < 5; i++) {
                w.send("queued" + i);
            }
            WorkerStats busy = w.stats();
            assertEquals(5, busy.mailboxDepth(), busy.toString());
            assertEquals(4, busy.messagesIn(), "counted when handed to the handlers");
            assertUtilization(busy);
            assertTrue(busy.loopUtilization() > 0, busy.toString());
            gate.countDown();
            for (int i = 0; i < 10; i++) {
                Await.take("reply", replies);
            }
            Await.until("mailbox drained", () -> w.stats().mailboxDepth() == 0);
            assertEquals(9, w.stats().messagesIn());
            assertEquals(16, w.stats().messagesOut());

            PoolStats stats = pool.stats();
            assertEquals(List.of(1, 2), stats.workers().stream().map(WorkerStats::id).toList());
            assertEquals(0, stats.workers().get(1).messagesIn());
            assertEquals(2, stats.forked());
            assertEquals(0, stats.leakedThreads());
            stats.workers().forEach(StatsTest::assertUtilization);

            Await.get("exit", pool.workers().get(2).disconnect());
            assertEquals(List.of(1), pool.stats().workers().stream().map(WorkerStats::id).toList(),
                    "only live workers are listed");
            assertEquals(2, pool.stats().forked());
        }
        Threads.assertNoneAlive(pool.name());
    }

    private static void assertUtilization(WorkerStats s) {
        assertTrue(s.loopUtilization() >= 0 && s.loopUtilization() <= 1, s.toString());
    }
}
