package dev.loomcluster;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.loomcluster.TestPools.builder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Workers stuck in user code that ignores interrupts: after kill() and the kill timeout they are reported
 * dead with SIGKILL, removed, and counted as leaked; {@code close()} does the same after its shutdown
 * timeout. Each test lets its stuck thread go at the end, so no thread outlives it. Node: the intent of
 * test-cluster-kill-infinite-loop (a worker in an endless loop is still killable).
 */
@Timeout(60)
class StuckWorkerTest {

    private static final Duration KILL_TIMEOUT = Duration.ofMillis(200);

    /** Blocks ignoring interrupts until {@code release} opens; counts the interrupts it swallowed. */
    private static void blockIgnoringInterrupts(CountDownLatch release, AtomicInteger interrupts) {
        while (true) {
            try {
                release.await();
                return;
            } catch (InterruptedException e) {
                interrupts.incrementAndGet();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void killedWorkerBlockedInStartIsAbandonedWithSigkill(ThreadKind kind) {
        var stuck = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        var interrupts = new AtomicInteger();
        var thread = new AtomicReference<Thread>();
        WorkerPool pool = builder("stuck", kind, ctx -> {
            thread.set(Thread.currentThread());
            stuck.countDown();
            blockIgnoringInterrupts(release, interrupts);
        }).killTimeout(KILL_TIMEOUT).build();
        try (pool) {
            Events events = Events.of(pool);
            Worker w = pool.fork();
            Await.latch("worker stuck in start", stuck);
            long killedAt = System.nanoTime();
            w.kill();
            events.await("exit 1 137 SIGKILL");
            long took = System.nanoTime() - killedAt;
            try {
                assertTrue(took >= KILL_TIMEOUT.toNanos(), "reported dead after " + took / 1_000_000 + " ms");
                assertEquals(List.of("fork 1", "w.online 1", "online 1", "w.disconnect 1", "disconnect 1",
                        "w.exit 1 137 SIGKILL", "exit 1 137 SIGKILL"), events.of(1));
                assertEquals(Optional.of(ExitStatus.SIGKILL), w.exitStatus());
                assertTrue(w.isDead());
                assertFalse(w.exitedAfterDisconnect());
                assertTrue(pool.workers().isEmpty());
                assertEquals(1, pool.stats().leakedThreads());
                assertEquals(List.of(), pool.stats().workers());
                assertTrue(interrupts.get() >= 1, "kill() interrupts the worker thread");
                assertTrue(thread.get().isAlive(), "the stuck thread is abandoned, not stopped");
                assertFalse(w.send("anyone?"));
            } finally {
                release.countDown();
            }
            Await.join(thread.get());
            // Barrier: what the released thread posted is drained before the next fork's events.
            pool.fork();
            events.await("online 2");
            assertEquals(List.of("fork 1", "w.online 1", "online 1", "w.disconnect 1", "disconnect 1",
                    "w.exit 1 137 SIGKILL", "exit 1 137 SIGKILL"), events.of(1), "what the thread does later is dropped");
            assertEquals(1, pool.stats().leakedThreads());
        } finally {
            release.countDown();
        }
        Threads.assertNoneAlive(pool.name());
    }

    /** The same for a handler that spins on the CPU, ignoring interrupts. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void killedWorkerSpinningInAHandlerIsAbandonedWithSigkill(ThreadKind kind) {
        var spinning = new CountDownLatch(1);
        var stop = new java.util.concurrent.atomic.AtomicBoolean();
        var thread = new AtomicReference<Thread>();
        WorkerPool pool = builder("spin", kind, ctx -> ctx.onMessage(m -> {
            thread.set(Thread.currentThread());
            spinning.countDown();
            while (!stop.get()) {
                Thread.onSpinWait();
            }
        })).killTimeout(KILL_TIMEOUT).size(2).build();
        try (pool) {
            Events events = Events.of(pool);
            pool.start();
            Worker w = pool.workers().get(1);
            w.send("spin");
            Await.latch("worker spinning", spinning);
            w.kill();
            events.await("exit 1 137 SIGKILL");
            try {
                assertEquals(1, pool.stats().leakedThreads());
                assertEquals(List.of(2), List.copyOf(pool.workers().keySet()));
                assertTrue(thread.get().isAlive());
            } finally {
                stop.set(true);
            }
            Await.join(thread.get());
        } finally {
            stop.set(true);
        }
        Threads.assertNoneAlive(pool.name());
    }

    /** close() with a worker whose disconnect hook sleeps (interruptibly): killed after the shutdown timeout. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void closeKillsAWorkerThatDoesNotFinishDisconnecting(ThreadKind kind) {
        var hookInterrupted = new CountDownLatch(1);
        Duration shutdownTimeout = Duration.ofMillis(200);
        WorkerPool pool = builder("closeslow", kind, ctx -> ctx.onDisconnect(() -> {
            try {
                Thread.sleep(Await.TIMEOUT.toMillis());
            } catch (InterruptedException e) {
                hookInterrupted.countDown();
            }
        })).shutdownTimeout(shutdownTimeout).killTimeout(KILL_TIMEOUT).build();
        Events events = Events.of(pool);
        Worker w = pool.fork();
        events.await("online 1");
        long start = System.nanoTime();
        pool.close();
        long took = System.nanoTime() - start;
        assertTrue(took >= shutdownTimeout.toNanos(), "close() took " + took / 1_000_000 + " ms");
        assertTrue(took < Await.TIMEOUT.toNanos() / 2, "close() took " + took / 1_000_000 + " ms");
        assertEquals(0, hookInterrupted.getCount(), "the hook was interrupted by the kill");
        assertEquals(List.of("fork 1", "w.online 1", "online 1", "w.disconnect 1", "disconnect 1",
                "w.exit 1 143 SIGTERM", "exit 1 143 SIGTERM"), events.of(1));
        assertTrue(w.exitedAfterDisconnect(), "close() asked it to disconnect first");
        assertEquals(0, pool.stats().leakedThreads());
        Threads.assertNoneAlive(pool.name());
    }

    /** close() with a worker stuck for good in its disconnect hook: killed, then abandoned with SIGKILL. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void closeAbandonsAWorkerStuckInItsDisconnectHook(ThreadKind kind) {
        var release = new CountDownLatch(1);
        var interrupts = new AtomicInteger();
        var thread = new AtomicReference<Thread>();
        WorkerPool pool = builder("closestuck", kind, ctx -> ctx.onDisconnect(() -> {
            thread.set(Thread.currentThread());
            blockIgnoringInterrupts(release, interrupts);
        })).shutdownTimeout(Duration.ofMillis(200)).killTimeout(KILL_TIMEOUT).build();
        try {
            Events events = Events.of(pool);
            pool.fork();
            events.await("online 1");
            pool.close();
            assertEquals(List.of("fork 1", "w.online 1", "online 1", "w.disconnect 1", "disconnect 1",
                    "w.exit 1 137 SIGKILL", "exit 1 137 SIGKILL"), events.of(1));
            assertEquals(1, pool.stats().leakedThreads());
            assertTrue(interrupts.get() >= 1);
            assertEquals(List.of(pool.name() + "-worker-1"), List.copyOf(Threads.alive(pool.name() + "-")),
                    "only the abandoned worker thread is left");
        } finally {
            release.countDown();
        }
        Await.join(thread.get());
        Threads.assertNoneAlive(pool.name());
    }
}
