package dev.loomcluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static dev.loomcluster.TestPools.builder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The restart policy: re-fork after a crash with growing backoff, the intensity limit, what is never restarted. */
@Timeout(60)
class RestartPolicyTest {

    /** A worker that crashes in start while {@code crashes} is positive (counting it down), else echoes. */
    private static WorkerMain crashing(AtomicInteger crashes) {
        return ctx -> {
            if (crashes.getAndDecrement() > 0) {
                throw new IllegalStateException("crash in worker " + ctx.id());
            }
            ctx.onMessage(ctx::send);
        };
    }

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void crashedWorkerIsReforkedWithGrowingBackoff(ThreadKind kind) {
        var times = new CopyOnWriteArrayList<long[]>(); // {event: 0 fork / 1 exit, id, nanoTime}
        var errors = new LinkedBlockingQueue<Throwable>();
        var replies = new LinkedBlockingQueue<Object>();
        WorkerPool pool = builder("restart", kind, crashing(new AtomicInteger(3)))
                .restart(RestartPolicy.onCrash().withBackoff(Duration.ofMillis(10), 2, Duration.ofMillis(200)))
                .env(Map.of("E", "pool"))
                .size(0)
                .build();
        try (pool) {
            Events events = Events.of(pool);
            pool.onFork(w -> times.add(new long[] {0, w.id(), System.nanoTime()}));
            pool.onExit((w, s) -> times.add(new long[] {1, w.id(), System.nanoTime()}));
            pool.onError((w, t) -> errors.add(t));
            pool.onMessage((w, m) -> replies.add(w.id() + ":" + m));
            Worker first = pool.fork(Map.of("F", "fork"));
            events.await("online 4");

            assertEquals(List.of("fork 1", "exit 1 1", "fork 2", "exit 2 1", "fork 3", "exit 3 1", "fork 4"),
                    events.all().stream().filter(e -> e.startsWith("fork ") || e.startsWith("exit ")).toList());
            for (int i = 0; i < 3; i++) {
                assertInstanceOf(IllegalStateException.class, Await.take("crash error", errors));
            }
            long[] delays = new long[3];
            for (int i = 0; i < 3; i++) {
                long exit = times.get(2 * i + 1)[2];
                long refork = times.get(2 * i + 2)[2];
                delays[i] = refork - exit;
            }
            long ms = 1_000_000;
            String shown = (delays[0] / ms) + ", " + (delays[1] / ms) + ", " + (delays[2] / ms) + " ms";
            // A timer never fires early, so each delay is at least its backoff: 10, 20, 40 ms.
            assertTrue(delays[0] >= 10 * ms && delays[1] >= 20 * ms && delays[2] >= 40 * ms, shown);
            assertTrue(delays[2] < 5_000 * ms, shown);

            Worker fourth = pool.workers().get(4);
            assertEquals(Map.of("E", "pool", "F", "fork"), fourth.env(), "a restart keeps the env");
            assertEquals(first.env(), fourth.env());
            assertEquals(3, fourth.stats().restarts());
            assertEquals(4, pool.stats().forked());
            assertEquals(List.of(4), List.copyOf(pool.workers().keySet()));
            assertTrue(fourth.send("alive"));
            assertEquals("4:alive", Await.take("echo", replies));
        }
        Threads.assertNoneAlive(pool.name());
    }

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void intensityLimitStopsRestarting(ThreadKind kind) {
        var errors = new LinkedBlockingQueue<String>();
        WorkerPool pool = builder("intensity", kind, crashing(new AtomicInteger(Integer.MAX_VALUE)))
                .restart(RestartPolicy.onCrash().withBackoff(Duration.ofMillis(1), 1, Duration.ofMillis(1))
                        .withIntensity(3, Duration.ofSeconds(10)))
                .build();
        try (pool) {
            Events events = Events.of(pool);
            pool.onError((w, t) -> {
                if (t.getMessage().contains("intensity")) {
                    errors.add(w.id() + " " + t.getClass().getSimpleName() + " " + t.getMessage());
                }
            });
            pool.start();
            String giveUp = Await.take("the intensity error", errors);
            assertTrue(giveUp.startsWith("4 IllegalStateException "), giveUp);
            assertTrue(giveUp.contains("3"), giveUp);
            events.await("exit 4 1");
            // Nothing was scheduled; a restart would come within 1 ms. Give it 100 ms to show up.
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
            assertEquals(List.of("fork 1", "fork 2", "fork 3", "fork 4"), events.starting("fork "));
            assertEquals(4, pool.stats().forked());
            assertTrue(pool.workers().isEmpty());

            // Still given up: a worker forked by hand that crashes is not restarted either.
            Worker manual = pool.fork();
            assertEquals(5, manual.id());
            events.await("exit 5 1");
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
            assertEquals(5, pool.stats().forked());
            assertEquals(0, errors.size(), "the give-up is reported once");
        }
        Threads.assertNoneAlive(pool.name());
    }

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void keepRestartingGoesOnAtTheMaximumBackoffAndReportsEachTime(ThreadKind kind) {
        var errors = new LinkedBlockingQueue<String>();
        var forks = new CopyOnWriteArrayList<Long>();
        var exits = new CopyOnWriteArrayList<Long>();
        WorkerPool pool = builder("keep", kind, crashing(new AtomicInteger(6)))
                .restart(RestartPolicy.onCrash().withBackoff(Duration.ofMillis(1), 1, Duration.ofMillis(30))
                        .withIntensity(2, Duration.ofSeconds(30)).keepRestarting())
                .size(1)
                .build();
        try (pool) {
            Events events = Events.of(pool);
            pool.onFork(w -> forks.add(System.nanoTime()));
            pool.onExit((w, st) -> exits.add(System.nanoTime()));
            pool.onError((w, t) -> {
                if (t.getMessage().contains("intensity")) {
                    errors.add(t.getMessage());
                }
            });
            pool.start();
            events.await("online 7");
            assertEquals(List.of(7), List.copyOf(pool.workers().keySet()), "the seventh worker stays up");
            List<String> reported = List.copyOf(errors);
            assertEquals(4, reported.size(), "restarts 3 to 6 are over the limit, each reported: " + reported);
            assertTrue(reported.stream().allMatch(m -> m.contains("maximum backoff")), reported.toString());
            for (int i = 2; i < 6; i++) { // the restarts over the limit waited at least the maximum backoff
                long waited = forks.get(i + 1) - exits.get(i);
                assertTrue(waited >= Duration.ofMillis(30).toNanos(), "restart " + (i + 1) + " after " + waited + " ns");
            }
            assertTrue(pool.workers().get(7).send("up"));
        }
        Threads.assertNoneAlive(pool.name());
    }

    /**
     * A worker that exited after disconnect() (even with a non-zero code), one that was killed, and one
     * that exited with 0 are not restarted. Checked without waiting on the clock: a crash after them is
     * restarted with the same backoff, so a restart of any of them would come first.
     */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void disconnectedKilledAndCleanExitsAreNotRestarted(ThreadKind kind) {
        var forks = new CopyOnWriteArrayList<String>();
        WorkerPool pool = builder("norestart", kind, ctx -> {
            String role = ctx.env().get("ROLE");
            ctx.onDisconnect(() -> ctx.exit(42)); // non-zero even after a graceful disconnect
            ctx.onMessage(m -> {
                switch ((String) m) {
                    case "crash" -> throw new IllegalStateException("crash " + role);
                    case "exit0" -> ctx.exit(0);
                    case "selfdisconnect" -> ctx.disconnect();
                    default -> ctx.send(role);
                }
            });
        }).restart(RestartPolicy.onCrash().withBackoff(Duration.ofMillis(5), 1, Duration.ofMillis(5))).size(0).build();
        try (pool) {
            Events events = Events.of(pool);
            pool.onFork(w -> forks.add(w.id() + " " + w.env().get("ROLE")));
            Worker disconnected = pool.fork(Map.of("ROLE", "disconnected"));
            Worker selfDisconnected = pool.fork(Map.of("ROLE", "self"));
            Worker killed = pool.fork(Map.of("ROLE", "killed"));
            Worker clean = pool.fork(Map.of("ROLE", "clean"));
            Worker crasher = pool.fork(Map.of("ROLE", "crasher"));
            events.awaitCount("online", e -> e.startsWith("online "), 5);

            disconnected.disconnect();
            events.await("exit 1 42");
            selfDisconnected.send("selfdisconnect");
            events.await("exit 2 42");
            killed.kill();
            events.await("exit 3 143 SIGTERM");
            clean.send("exit0");
            events.await("exit 4 0");
            crasher.send("crash");
            events.await("exit 5 1");
            events.await("online 6");
            assertEquals(List.of("1 disconnected", "2 self", "3 killed", "4 clean", "5 crasher", "6 crasher"), forks);
            assertEquals(1, pool.workers().get(6).stats().restarts());
            assertEquals(List.of(6), List.copyOf(pool.workers().keySet()));
        }
        Threads.assertNoneAlive(pool.name());
    }

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void neverDoesNotRestart(ThreadKind kind) {
        WorkerPool pool = builder("never", kind, crashing(new AtomicInteger(1))).build();
        try (pool) {
            Events events = Events.of(pool);
            pool.start();
            events.await("exit 1 1");
            // Asserting that nothing happens needs a wait: onCrash() would restart within 100 ms here.
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
            assertEquals(List.of("fork 1"), events.starting("fork "));
            assertEquals(1, pool.stats().forked());
            assertTrue(pool.workers().isEmpty());
        }
        Threads.assertNoneAlive(pool.name());
    }

    /** A restart still waiting for its backoff when the pool closes never happens and does not delay close(). */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void closeCancelsPendingRestart(ThreadKind kind) {
        WorkerPool pool = builder("closerestart", kind, crashing(new AtomicInteger(1)))
                .restart(RestartPolicy.onCrash().withBackoff(Duration.ofSeconds(5), 1, Duration.ofSeconds(5)))
                .build();
        Events events;
        long start;
        try (pool) {
            events = Events.of(pool);
            pool.start();
            events.await("exit 1 1");
            start = System.nanoTime();
        }
        long took = System.nanoTime() - start;
        assertTrue(took < Duration.ofSeconds(4).toNanos(), "close() took " + took / 1_000_000 + " ms");
        assertEquals(List.of("fork 1"), events.starting("fork "));
        Threads.assertNoneAlive(pool.name());
    }

    /** A worker that stayed up for resetAfter crashes as if for the first time: the backoff starts over. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void stableWorkerResetsTheBackoff(ThreadKind kind) {
        Duration resetAfter = Duration.ofMillis(500);
        WorkerPool pool = builder("reset", kind, ctx -> {
            if (ctx.id() == 1) {
                throw new IllegalStateException("unstable");
            }
            ctx.onMessage(m -> {
                throw new IllegalStateException("crash after a stable run");
            });
        }).restart(RestartPolicy.onCrash()
                // without the reset the second consecutive crash would wait 10 s
                .withBackoff(Duration.ofMillis(10), 1000, Duration.ofSeconds(10))
                .withResetAfter(resetAfter)).build();
        try (pool) {
            Events events = Events.of(pool);
            pool.start();
            events.await("online 2");
            Worker two = pool.workers().get(2);
            assertEquals(1, two.stats().restarts());
            Await.until("worker 2 up for " + resetAfter, () -> two.stats().uptime().compareTo(resetAfter) > 0);
            two.send("crash");
            events.await("exit 2 1");
            Await.until("restart of worker 2 with the initial backoff", Duration.ofSeconds(5),
                    () -> events.all().contains("online 3"));
            assertEquals(2, pool.workers().get(3).stats().restarts());
        }
        Threads.assertNoneAlive(pool.name());
    }

    // ---------------------------------------------------------------- the policy value

    @Test
    void backoffGrowsByFactorUpToTheCap() {
        RestartPolicy p = RestartPolicy.onCrash().withBackoff(Duration.ofMillis(10), 2, Duration.ofMillis(200));
        List<Long> ms = new ArrayList<>();
        for (int n = 1; n <= 7; n++) {
            ms.add(p.backoff(n).toMillis());
        }
        assertEquals(List.of(10L, 20L, 40L, 80L, 160L, 200L, 200L), ms);
        assertEquals(Duration.ofMillis(10), p.backoff(0));
        assertTrue(p.enabled());
        assertEquals(false, RestartPolicy.never().enabled());
        RestartPolicy d = RestartPolicy.onCrash();
        assertEquals(List.of(Duration.ofMillis(100), Duration.ofSeconds(10), Duration.ofSeconds(30), 10, Duration.ofSeconds(60)),
                List.of(d.initialBackoff(), d.maxBackoff(), d.resetAfter(), d.maxRestarts(), d.window()));
    }

    @Test
    void invalidPoliciesAreRefused() {
        RestartPolicy p = RestartPolicy.onCrash();
        assertThrows(IllegalArgumentException.class, () -> p.withBackoff(Duration.ofMillis(10), 0.5, Duration.ofMillis(20)));
        assertThrows(IllegalArgumentException.class, () -> p.withBackoff(Duration.ofMillis(10), Double.NaN, Duration.ofMillis(20)));
        assertThrows(IllegalArgumentException.class, () -> p.withBackoff(Duration.ofMillis(30), 2, Duration.ofMillis(20)));
        assertThrows(IllegalArgumentException.class, () -> p.withBackoff(Duration.ofMillis(-1), 2, Duration.ofMillis(20)));
        assertThrows(IllegalArgumentException.class, () -> p.withIntensity(-1, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> p.withIntensity(1, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> p.withResetAfter(Duration.ofSeconds(-1)));
    }
}
