package dev.loomcluster;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;

import static dev.loomcluster.TestPools.builder;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** close(): graceful, idempotent, final, and leaves no thread behind. */
@Timeout(60)
class ShutdownTest {

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void closeDisconnectsEveryWorkerAndLeavesNoThread(ThreadKind kind) {
        Set<Thread> workerThreads = ConcurrentHashMap.newKeySet();
        var replies = new LinkedBlockingQueue<Object>();
        WorkerPool pool = builder("close", kind, ctx -> {
            workerThreads.add(Thread.currentThread());
            ctx.scheduleAtFixedRate(Duration.ofMillis(1), Duration.ofMillis(1), () -> { }); // a busy loop
            ctx.onMessage(ctx::send);
        }).size(3).build();
        Events events = Events.of(pool);
        pool.onMessage((w, m) -> replies.add(m));
        pool.start();
        assertEquals(3, pool.broadcast("hi"));
        for (int i = 0; i < 3; i++) {
            assertEquals("hi", Await.take("echo", replies));
        }
        assertEquals(3, workerThreads.size());
        Set<String> before = Threads.alive(pool.name() + "-");
        assertTrue(before.contains(pool.name() + "-primary"), before.toString());
        assertTrue(before.contains(pool.name() + "-worker-3"), before.toString());

        pool.close();

        Threads.assertNoneAlive(pool.name());
        for (Thread t : workerThreads) {
            assertFalse(t.isAlive(), t + " is alive");
        }
        assertEquals(List.of("exit 1 0", "exit 2 0", "exit 3 0"), events.starting("exit ").stream().sorted().toList());
        assertTrue(pool.workers().isEmpty());
        assertEquals(List.of(), pool.stats().workers());
    }

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void closeIsIdempotentAndFinal(ThreadKind kind) {
        WorkerPool pool = builder("closetwice", kind, ctx -> { }).size(1).build();
        Events events = Events.of(pool);
        Worker w = pool.start().workers().get(1);
        pool.close();
        assertDoesNotThrow(pool::close);
        assertDoesNotThrow(pool::close);
        assertEquals(List.of("exit 1 0"), events.starting("exit "));
        assertTrue(w.exitedAfterDisconnect());
        assertThrows(IllegalStateException.class, pool::fork);
        assertThrows(IllegalStateException.class, () -> pool.fork(Map.of("A", "b")));
        assertFalse(w.send("closed"));
        assertEquals(0, pool.broadcast("closed"));
        assertTrue(pool.disconnect().isDone());
        Threads.assertNoneAlive(pool.name());
    }

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void closeWithoutWorkers(ThreadKind kind) {
        WorkerPool pool = builder("closeempty", kind, ctx -> { }).size(0).build();
        assertTrue(Threads.alive(pool.name() + "-").contains(pool.name() + "-primary"),
                "build() starts the primary loop");
        pool.close();
        Threads.assertNoneAlive(pool.name());
    }

    /** close() called on the primary loop (from a listener) does not wait for itself; a later close() does. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void closeFromAListener(ThreadKind kind) {
        WorkerPool pool = builder("closelistener", kind, ctx -> { }).size(2).build();
        Events events = Events.of(pool);
        pool.onOnline(w -> {
            if (w.id() == 2) {
                pool.close();
            }
        });
        pool.start();
        events.awaitCount("exit", e -> e.startsWith("exit "), 2);
        pool.close();
        assertEquals(List.of("exit 1 0", "exit 2 0"), events.starting("exit ").stream().sorted().toList());
        assertThrows(IllegalStateException.class, pool::fork);
        Threads.assertNoneAlive(pool.name());
    }

    /** close() called by a worker on its own loop does not deadlock: the pool still shuts down. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void closeFromAWorker(ThreadKind kind) {
        var poolRef = new java.util.concurrent.atomic.AtomicReference<WorkerPool>();
        WorkerPool pool = builder("closeworker", kind, ctx -> ctx.onMessage(m -> poolRef.get().close())).build();
        poolRef.set(pool);
        Events events = Events.of(pool);
        pool.fork().send("close the pool");
        events.await("exit 1 0");
        pool.close();
        Threads.assertNoneAlive(pool.name());
    }

    /**
     * A worker of one pool that closes another pool waits for it like any other thread (only a worker of
     * the pool being closed must not wait, as its own exit is part of the shutdown).
     */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void closeFromAWorkerOfAnotherPoolWaits(ThreadKind kind) {
        var report = new LinkedBlockingQueue<Object>();
        var inner = new java.util.concurrent.atomic.AtomicReference<String>();
        WorkerPool outer = builder("outer", kind, ctx -> ctx.onMessage(m -> {
            WorkerPool pool = builder("inner", kind, c -> { }).size(1).build();
            inner.set(pool.name());
            Events events = Events.of(pool);
            pool.start();
            events.await("online 1");
            Worker w = pool.workers().get(1);
            pool.close();
            boolean dead = w.isDead(); // at once: close() has returned
            ctx.send(List.of(dead, List.copyOf(Threads.alive(pool.name() + "-"))));
        })).build();
        try (outer) {
            outer.onMessage((w, m) -> report.add(m));
            outer.fork().send("run an inner pool");
            assertEquals(List.of(true, List.of()), Await.take("the inner pool's state after its close()", report));
        }
        Threads.assertNoneAlive(outer.name());
        Threads.assertNoneAlive(inner.get());
    }
}
