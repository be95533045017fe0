package dev.loomcluster;

import org.junit.jupiter.api.Test;
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

    /** A timer due while the loop is busy runs late by at least the rest of that busy time. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void loopLagCountsHowLateATimerRan(ThreadKind kind) {
        var replies = new LinkedBlockingQueue<Object>();
        WorkerPool pool = builder("lagtimer", kind, ctx -> ctx.onMessage(m -> {
            ctx.schedule(Duration.ofMillis(10), () -> ctx.send("timer ran"));
            pause(300); // the timer falls due here, and cannot start before this returns
        })).build();
        try (pool) {
            pool.onMessage((w, m) -> replies.add(m));
            pool.start();
            pool.send(1, "go");
            assertEquals("timer ran", Await.take("the timer", replies));
            WorkerStats s = pool.workers().get(1).stats();
            assertTrue(s.loopLagSamples() >= 1, s.toString());
            assertTrue(s.loopLagP99().compareTo(Duration.ofMillis(290)) >= 0, s.toString());
            assertTrue(s.loopLagP50().compareTo(s.loopLagP99()) <= 0, s.toString());
        }
    }

    /**
     * Without timers, the lag comes from the entry the watchdog posts to a busy loop: it waits behind the
     * task that holds the loop.
     */
    @Test
    void loopLagSamplesTheMailboxOfABusyLoop() {
        var replies = new LinkedBlockingQueue<Object>();
        WorkerPool pool = builder("lagmailbox", ThreadKind.PLATFORM, ctx -> ctx.onMessage(m -> {
            pause(1200);
            ctx.send("done");
        })).blockedLoopThreshold(Duration.ofMillis(200)).build();
        try (pool) {
            pool.onMessage((w, m) -> replies.add(m));
            pool.start();
            pool.send(1, "go");
            Await.take("the reply", replies);
            Worker w = pool.workers().get(1);
            // posted within ~100 ms of the start of the 1.2 s task, the sample waited for the rest of it
            Await.until("a lag sample", () -> w.stats().loopLagSamples() >= 1);
            WorkerStats s = w.stats();
            assertTrue(s.loopLagP99().compareTo(Duration.ofMillis(500)) >= 0, s.toString());
            assertEquals(0, s.mailboxDepth(), "the watchdog's sample is not pending work: " + s);
        }
    }

    @Test
    void poolStatsCountRestarts() {
        WorkerPool pool = builder("restarts", ThreadKind.PLATFORM, ctx -> ctx.onMessage(m -> ctx.exit(1)))
                .restart(RestartPolicy.onCrash().withBackoff(Duration.ofMillis(1), 1, Duration.ofMillis(1))).build();
        try (pool) {
            Events events = Events.of(pool);
            pool.start();
            events.awaitCount("online 1", e -> e.equals("online 1"), 1);
            pool.send(1, "crash");
            events.awaitCount("online 2", e -> e.equals("online 2"), 1);
            PoolStats stats = pool.stats();
            assertEquals(1, stats.restarts(), stats.toString());
            assertEquals(2, stats.forked());
            assertEquals(1, stats.workers().get(0).restarts());
        }
    }

    @Test
    void statsBuildersDefaultToZeroAndCompareByValue() {
        WorkerStats a = WorkerStats.builder(7).messagesIn(3).requestsServed(5)
                .loopLag(Duration.ofMillis(1), Duration.ofMillis(9), 40).build();
        assertEquals(7, a.id());
        assertEquals(0, a.messagesOut());
        assertEquals(Duration.ZERO, a.uptime());
        assertEquals(5, a.requestsServed());
        assertEquals(Duration.ofMillis(9), a.loopLagP99());
        assertEquals(40, a.loopLagSamples());
        WorkerStats b = WorkerStats.builder(7).messagesIn(3).requestsServed(5)
                .loopLag(Duration.ofMillis(1), Duration.ofMillis(9), 40).build();
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        PoolStats p = PoolStats.builder().workers(List.of(a)).forked(2).build();
        assertEquals(List.of(a), p.workers());
        assertEquals(0, p.restarts());
        assertEquals(p, PoolStats.builder().workers(List.of(b)).forked(2).build());
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void assertUtilization(WorkerStats s) {
        assertTrue(s.loopUtilization() >= 0 && s.loopUtilization() <= 1, s.toString());
    }
}
