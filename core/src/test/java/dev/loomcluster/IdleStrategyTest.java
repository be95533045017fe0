package dev.loomcluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The idle strategies, the primary loop's thread kind, and mailboxes that grow under a backlog. */
class IdleStrategyTest {

    @Test
    void factoriesAndValidation() {
        assertSame(IdleStrategy.park(), IdleStrategy.backoff(Duration.ZERO, Duration.ZERO));
        assertTrue(IdleStrategy.auto().isAuto());
        assertFalse(IdleStrategy.park().isAuto());
        IdleStrategy b = IdleStrategy.backoff(Duration.ofNanos(5_000), Duration.ofNanos(7_000));
        assertEquals(Duration.ofNanos(5_000), b.spin());
        assertEquals(Duration.ofNanos(7_000), b.yielding());
        assertFalse(b.isAuto());
        assertEquals(b, IdleStrategy.backoff(Duration.ofNanos(5_000), Duration.ofNanos(7_000)));
        assertNotEquals(b, IdleStrategy.auto());
        assertThrows(IllegalArgumentException.class, () -> IdleStrategy.backoff(Duration.ofNanos(-1), Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> IdleStrategy.backoff(Duration.ZERO, Duration.ofNanos(-1)));
        assertThrows(NullPointerException.class, () -> WorkerPool.builder(ctx -> { }).idleStrategy(null));
    }

    /**
     * Loops that spin and yield before they wait still deliver every message in order, run timers that
     * come due while they spin, and wait once the backoff is over (so later messages wake them).
     */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void backoffLoopsDeliverMessagesAndTimers(ThreadKind kind) throws Exception {
        IdleStrategy spinning = IdleStrategy.backoff(Duration.ofMillis(2), Duration.ofMillis(2));
        List<Object> echoes = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Worker> online = new CompletableFuture<>();
        CompletableFuture<Object> timer = new CompletableFuture<>();
        WorkerPool pool = TestPools.builder("backoff", kind, ctx -> {
            ctx.onMessage(m -> {
                if ("timer".equals(m)) {
                    ctx.schedule(Duration.ofMillis(1), () -> ctx.send("fired"));
                } else {
                    ctx.send(m);
                }
            });
        }).idleStrategy(spinning).build();
        try {
            pool.onOnline(online::complete);
            pool.onMessage((w, m) -> {
                if ("fired".equals(m)) {
                    timer.complete(m);
                } else {
                    echoes.add(m);
                }
            });
            pool.start();
            Worker w = Await.get("online", online);
            for (int i = 0; i < 1_000; i++) {
                assertTrue(w.send(i));
            }
            Await.until("1000 echoes", () -> echoes.size() == 1_000);
            for (int i = 0; i < 1_000; i++) {
                assertEquals(i, echoes.get(i));
            }
            assertTrue(w.send("timer"));
            assertEquals("fired", Await.get("timer", timer));
            Thread.sleep(20); // well past the backoff: both loops wait now
            assertTrue(w.send("late"));
            Await.until("echo after the loops went to sleep", () -> echoes.size() == 1_001);
        } finally {
            TestPools.closeAndCheck(pool);
        }
    }

    /**
     * A VIRTUAL pool's listeners run on a virtual thread, a PLATFORM pool's on a platform thread; a
     * VIRTUAL pool keeps a non-daemon platform thread alive while open (the JVM does not exit under it),
     * and none once closed.
     */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void primaryLoopRunsOnTheWorkersThreadKind(ThreadKind kind) {
        CompletableFuture<Thread> listenerThread = new CompletableFuture<>();
        WorkerPool pool = TestPools.builder("primarykind", kind, ctx -> { }).build();
        try {
            pool.onOnline(w -> listenerThread.complete(Thread.currentThread()));
            pool.start();
            Thread t = Await.get("online", listenerThread);
            assertEquals(kind == ThreadKind.VIRTUAL, t.isVirtual(), "listener thread " + t);
            assertEquals(pool.name() + "-primary", t.getName());
            boolean keptAlive = Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(p -> p.isAlive() && !p.isDaemon() && p.getName().startsWith(pool.name() + "-"));
            assertTrue(keptAlive, "a non-daemon platform thread of the pool holds the JVM while it is open");
        } finally {
            TestPools.closeAndCheck(pool);
        }
    }

    /**
     * A backlog far beyond the queues' initial size: the worker's loop is held while 20,000 messages
     * queue in its mailbox, then it echoes them all at once into its outbox; every one arrives, in order.
     */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void mailboxesGrowUnderABacklogAndKeepOrder(ThreadKind kind) throws Exception {
        int n = 20_000;
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean held = new AtomicBoolean();
        List<Object> echoes = Collections.synchronizedList(new ArrayList<>());
        WorkerPool pool = TestPools.builder("backlog", kind, ctx -> {
            ctx.onMessage(ctx::send);
            ctx.execute(() -> {
                held.set(true);
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }).build();
        try {
            pool.onMessage((w, m) -> echoes.add(m));
            pool.start();
            Await.until("the worker's loop held", held::get);
            Worker w = pool.workers().values().iterator().next();
            for (int i = 0; i < n; i++) {
                assertTrue(w.send(i));
            }
            release.countDown();
            Await.until(n + " echoes", () -> echoes.size() == n);
            for (int i = 0; i < n; i++) {
                assertEquals(i, echoes.get(i));
            }
        } finally {
            release.countDown();
            TestPools.closeAndCheck(pool);
        }
    }
}
