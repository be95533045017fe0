package dev.loomcluster;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;

import static dev.loomcluster.TestPools.builder;
import static dev.loomcluster.TestPools.closeAndCheck;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Worker lifecycle: exit codes, events and their order, disconnect and kill, the live worker map, ids,
 * env. Many are ports of Node's {@code test/parallel/test-cluster-*.js} (named in each test).
 */
@Timeout(60)
class LifecycleTest {

    /** A worker that echoes messages, and on {@code "boom"} throws {@link #BOOM}; MODE in env picks a crash. */
    private static final RuntimeException BOOM = new IllegalStateException("boom");

    private static final WorkerMain CRASHY = ctx -> {
        ctx.onMessage(m -> {
            if ("boom".equals(m)) {
                throw BOOM;
            }
            if (m instanceof String s && s.startsWith("exit ")) {
                ctx.exit(Integer.parseInt(s.substring(5)));
                return;
            }
            ctx.send(m);
        });
        switch (ctx.env().getOrDefault("MODE", "")) {
            case "start" -> throw BOOM;
            case "task" -> ctx.execute(() -> {
                throw BOOM;
            });
            case "timer" -> ctx.schedule(Duration.ofMillis(1), () -> {
                throw BOOM;
            });
            case "hook" -> ctx.onDisconnect(() -> {
                throw BOOM;
            });
            case "exit" -> ctx.exit(42);
            default -> {
            }
        }
    };

    private static List<String> lifecycle(int id, String... middle) {
        List<String> l = new ArrayList<>(List.of("fork " + id, "w.online " + id, "online " + id));
        l.addAll(List.of(middle));
        return l;
    }

    private static void assertAllOnPrimaryLoop(WorkerPool pool, Events events) {
        Set<Thread> threads = events.threads();
        assertEquals(1, threads.size(), "listeners ran on " + threads);
        assertEquals(pool.name() + "-primary", threads.iterator().next().getName());
    }

    // ---------------------------------------------------------------- graceful disconnect

    /** Node: test-cluster-worker-disconnect, test-cluster-disconnect. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void disconnectRunsHooksThenExitsWithZero(ThreadKind kind) {
        var hookThreads = new CopyOnWriteArrayList<String>();
        WorkerPool pool = builder("disc", kind, ctx -> ctx.onDisconnect(
                () -> hookThreads.add(Thread.currentThread().getName()))).build();
        try (pool) {
            Events events = Events.of(pool);
            Worker w = pool.fork();
            assertEquals(1, w.id());
            assertFalse(w.isDead());
            assertTrue(w.isConnected());
            assertFalse(w.exitedAfterDisconnect());
            assertEquals(Optional.empty(), w.exitStatus());
            events.await("online 1");

            CompletableFuture<Void> exited = w.disconnect();
            Await.get("worker exit after disconnect()", exited);

            assertEquals(lifecycle(1, "w.disconnect 1", "disconnect 1", "w.exit 1 0", "exit 1 0"), events.of(1));
            assertEquals(List.of(pool.name() + "-worker-1"), hookThreads, "disconnect hooks run once, on the worker loop");
            assertTrue(w.isDead());
            assertFalse(w.isConnected());
            assertTrue(w.exitedAfterDisconnect());
            assertEquals(Optional.of(ExitStatus.exited(0)), w.exitStatus());
            assertTrue(w.exitStatus().orElseThrow().success());
            assertEquals(Map.of(), pool.workers());
            assertTrue(w.disconnect().isDone(), "disconnect() of a dead worker is complete at once");
            assertAllOnPrimaryLoop(pool, events);
        }
        Threads.assertNoneAlive(pool.name());
    }

    /** Node: test-cluster-worker-disconnect (a worker exiting with 42 in its disconnect handler). */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void disconnectHookMayExitWithItsOwnCode(ThreadKind kind) {
        WorkerPool pool = builder("disc42", kind, ctx -> ctx.onDisconnect(() -> ctx.exit(42))).build();
        try (pool) {
            Events events = Events.of(pool);
            Worker w = pool.fork();
            events.await("online 1");
            Await.get("exit", w.disconnect());
            assertEquals(lifecycle(1, "w.disconnect 1", "disconnect 1", "w.exit 1 42", "exit 1 42"), events.of(1));
            assertTrue(w.exitedAfterDisconnect());
        }
        Threads.assertNoneAlive(pool.name());
    }

    /**
     * Node: test-cluster-kill-disconnect, test-cluster-disconnect-exitedAfterDisconnect-race: a worker that
     * disconnects itself exits with 0, and the primary sees {@code exitedAfterDisconnect} already in the
     * disconnect and exit listeners.
     */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void workerInitiatedDisconnectCountsAsExitedAfterDisconnect(ThreadKind kind) {
        var seen = new CopyOnWriteArrayList<String>();
        WorkerPool pool = builder("selfdisc", kind, WorkerContext::disconnect).build();
        try (pool) {
            Events events = Events.of(pool);
            pool.onDisconnect(w -> seen.add("disconnect " + w.exitedAfterDisconnect() + " " + w.isConnected()));
            pool.onExit((w, s) -> seen.add("exit " + w.exitedAfterDisconnect() + " " + w.isDead()));
            pool.fork();
            Await.until("disconnect and exit", () -> seen.size() == 2);
            assertEquals(List.of("disconnect true false", "exit true true"), seen);
            assertEquals(lifecycle(1, "w.disconnect 1", "disconnect 1", "w.exit 1 0", "exit 1 0"), events.of(1));
        }
        Threads.assertNoneAlive(pool.name());
    }

    /** Node: test-cluster-call-and-destroy: kill() inside the disconnect listener of a self-disconnecting worker. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void killInsideDisconnectListenerIsHarmless(ThreadKind kind) {
        var connectedInListener = new AtomicReference<Boolean>();
        WorkerPool pool = builder("calldestroy", kind, WorkerContext::disconnect).build();
        try (pool) {
            Events events = Events.of(pool);
            pool.onDisconnect(w -> {
                connectedInListener.set(w.isConnected());
                w.kill();
            });
            pool.fork();
            events.awaitCount("exit", e -> e.startsWith("exit 1 "), 1);
            assertEquals(false, connectedInListener.get());
            assertEquals(1, events.starting("exit ").size());
            assertEquals(1, events.starting("disconnect ").size());
            assertEquals(0, pool.stats().leakedThreads());
        }
        Threads.assertNoneAlive(pool.name());
    }

    /** Node: test-cluster-disconnect-before-exit: pool.disconnect() from a worker's disconnect listener. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void poolDisconnectFromDisconnectListener(ThreadKind kind) {
        var poolDisconnect = new CompletableFuture<CompletableFuture<Void>>();
        WorkerPool pool = builder("discbefore", kind, ctx -> { }).size(2).build();
        try (pool) {
            Events events = Events.of(pool);
            pool.start();
            events.awaitCount("online", e -> e.startsWith("online "), 2);
            Worker w1 = pool.workers().get(1);
            w1.onDisconnect(() -> poolDisconnect.complete(pool.disconnect()));
            w1.disconnect();
            Await.get("pool.disconnect()", Await.get("worker 1's disconnect event", poolDisconnect));
            events.awaitCount("exit", e -> e.startsWith("exit "), 2);
            assertEquals(List.of("exit 1 0", "exit 2 0"), events.starting("exit ").stream().sorted().toList());
            assertTrue(pool.workers().isEmpty());
        }
        Threads.assertNoneAlive(pool.name());
    }

    /** Node: test-cluster-disconnect-with-no-workers. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void disconnectWithNoWorkersCompletes(ThreadKind kind) {
        WorkerPool pool = builder("discnone", kind, ctx -> { }).size(0).build();
        try (pool) {
            Await.get("pool.disconnect() with no workers", pool.disconnect());
        }
        Threads.assertNoneAlive(pool.name());
    }

    /** disconnect() before the worker is online: it starts, runs its hooks, exits with 0. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void disconnectRightAfterFork(ThreadKind kind) {
        var hooks = new CountDownLatch(1);
        WorkerPool pool = builder("discearly", kind, ctx -> ctx.onDisconnect(hooks::countDown)).build();
        try (pool) {
            Events events = Events.of(pool);
            Worker w = pool.fork();
            CompletableFuture<Void> first = w.disconnect();
            CompletableFuture<Void> second = w.disconnect();
            Await.get("exit", first);
            Await.get("exit", second);
            Await.latch("disconnect hook", hooks);
            assertEquals(lifecycle(1, "w.disconnect 1", "disconnect 1", "w.exit 1 0", "exit 1 0"), events.of(1));
        }
        Threads.assertNoneAlive(pool.name());
    }

    // ---------------------------------------------------------------- kill

    /** Node: test-cluster-worker-kill: disconnect then exit, SIGTERM, not exitedAfterDisconnect. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void killReportsSigterm(ThreadKind kind) {
        var hookRan = new CountDownLatch(1);
        WorkerPool pool = builder("kill", kind, ctx -> ctx.onDisconnect(hookRan::countDown)).build();
        try (pool) {
            Events events = Events.of(pool);
            Worker w = pool.fork();
            events.await("online 1");
            w.kill();
            w.kill(); // idempotent
            events.await("exit 1 143 SIGTERM");
            assertEquals(lifecycle(1, "w.disconnect 1", "disconnect 1", "w.exit 1 143 SIGTERM", "exit 1 143 SIGTERM"),
                    events.of(1));
            assertEquals(Optional.of(ExitStatus.SIGTERM), w.exitStatus());
            assertTrue(w.exitStatus().orElseThrow().signaled());
            assertFalse(w.exitedAfterDisconnect());
            assertTrue(w.isDead());
            assertFalse(w.isConnected());
            assertEquals(1, hookRan.getCount(), "kill() does not run disconnect hooks");
            assertEquals(0, pool.stats().leakedThreads());
            Await.get("disconnect() of a killed worker", w.disconnect());
            assertAllOnPrimaryLoop(pool, events);
        }
        Threads.assertNoneAlive(pool.name());
    }

    /** A worker blocked interruptibly in a handler is interrupted by kill() and ends with SIGTERM. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void killInterruptsBlockedHandler(ThreadKind kind) {
        var blocked = new CountDownLatch(1);
        WorkerPool pool = builder("killblocked", kind, ctx -> ctx.onMessage(m -> {
            blocked.countDown();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                throw new RuntimeException(e);
            }
        })).build();
        try (pool) {
            Events events = Events.of(pool);
            Worker w = pool.fork();
            assertTrue(w.send("block"));
            Await.latch("handler to block", blocked);
            w.kill();
            events.await("exit 1 143 SIGTERM");
            assertEquals(lifecycle(1, "w.disconnect 1", "disconnect 1", "w.exit 1 143 SIGTERM", "exit 1 143 SIGTERM"),
                    events.of(1), "a killed worker reports no error");
            assertEquals(0, pool.stats().leakedThreads());
        }
        Threads.assertNoneAlive(pool.name());
    }

    /** kill() right after fork(), before the worker's thread runs. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void killRightAfterFork(ThreadKind kind) {
        WorkerPool pool = builder("killearly", kind, CRASHY).build();
        try (pool) {
            Events events = Events.of(pool);
            Worker w = pool.fork();
            w.kill();
            events.await("exit 1 143 SIGTERM");
            assertEquals(List.of("w.exit 1 143 SIGTERM", "exit 1 143 SIGTERM"),
                    events.of(1).stream().filter(e -> e.contains("exit")).toList());
            assertFalse(w.exitedAfterDisconnect());
        }
        Threads.assertNoneAlive(pool.name());
    }

    // ---------------------------------------------------------------- exit codes and crashes

    /** Node: test-cluster-worker-exit: exit(42) → disconnect then exit with 42, no error. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void exitCodeFromStart(ThreadKind kind) {
        WorkerPool pool = builder("exit42", kind, CRASHY).size(0).build();
        try (pool) {
            Events events = Events.of(pool);
            Worker w = pool.fork(Map.of("MODE", "exit"));
            events.await("exit 1 42");
            assertEquals(lifecycle(1, "w.disconnect 1", "disconnect 1", "w.exit 1 42", "exit 1 42"), events.of(1));
            assertEquals(Optional.of(ExitStatus.exited(42)), w.exitStatus());
            assertFalse(w.exitStatus().orElseThrow().success());
            assertFalse(w.exitStatus().orElseThrow().signaled());
            assertAllOnPrimaryLoop(pool, events);
        }
        Threads.assertNoneAlive(pool.name());
    }

    /** exit(n) from a handler: the worker ends after that handler; messages queued behind it are dropped. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void exitFromHandlerDropsPendingMessages(ThreadKind kind) {
        var replies = new LinkedBlockingQueue<Object>();
        WorkerPool pool = builder("exit3", kind, CRASHY).build();
        try (pool) {
            Events events = Events.of(pool);
            pool.onMessage((w, m) -> replies.add(m));
            Worker w = pool.fork();
            assertTrue(w.send("before"));
            w.send("exit 3");
            w.send("after");
            events.await("exit 1 3");
            assertEquals(List.of("before"), List.copyOf(replies));
            assertEquals(lifecycle(1, "w.disconnect 1", "disconnect 1", "w.exit 1 3", "exit 1 3"), events.of(1));
            assertFalse(w.exitedAfterDisconnect());
        }
        Threads.assertNoneAlive(pool.name());
    }

    /** exit(n) inside start: like process.exit() in a Node module, nothing queued after it runs. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void exitInStartDropsWhatStartQueued(ThreadKind kind) {
        var replies = new LinkedBlockingQueue<Object>();
        WorkerPool pool = builder("exitstart", kind, ctx -> {
            ctx.execute(() -> ctx.send("task queued before exit ran"));
            ctx.schedule(Duration.ZERO, () -> ctx.send("timer set before exit ran"));
            ctx.exit(2);
            ctx.execute(() -> ctx.send("task queued after exit ran"));
        }).build();
        try (pool) {
            Events events = Events.of(pool);
            pool.onMessage((w, m) -> replies.add(m));
            pool.fork();
            events.await("exit 1 2");
            assertEquals(List.of(), List.copyOf(replies));
            assertEquals(lifecycle(1, "w.disconnect 1", "disconnect 1", "w.exit 1 2", "exit 1 2"), events.of(1));
        }
        Threads.assertNoneAlive(pool.name());
    }

    /** exit(n) in a handler: a timer already due does not run after it either. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void exitFromHandlerDropsDueTimers(ThreadKind kind) {
        var replies = new LinkedBlockingQueue<Object>();
        WorkerPool pool = builder("exittimer", kind, ctx -> ctx.onMessage(m -> {
            ctx.schedule(Duration.ZERO, () -> ctx.send("timer ran after exit"));
            ctx.exit(3);
        })).build();
        try (pool) {
            Events events = Events.of(pool);
            pool.onMessage((w, m) -> replies.add(m));
            pool.fork().send("go");
            events.await("exit 1 3");
            assertEquals(List.of(), List.copyOf(replies));
        }
        Threads.assertNoneAlive(pool.name());
    }

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void exitZeroIsASuccessButNotADisconnect(ThreadKind kind) {
        WorkerPool pool = builder("exit0", kind, CRASHY).build();
        try (pool) {
            Events events = Events.of(pool);
            Worker w = pool.fork();
            w.send("exit 0");
            events.await("exit 1 0");
            assertTrue(w.exitStatus().orElseThrow().success());
            assertFalse(w.exitedAfterDisconnect());
        }
        Threads.assertNoneAlive(pool.name());
    }

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void startThrowingExitsWithOneAndReportsTheError(ThreadKind kind) {
        crashes(kind, "start", null);
    }

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void taskThrowingExitsWithOneAndReportsTheError(ThreadKind kind) {
        crashes(kind, "task", null);
    }

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void timerThrowingExitsWithOneAndReportsTheError(ThreadKind kind) {
        crashes(kind, "timer", null);
    }

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void messageHandlerThrowingExitsWithOneAndReportsTheError(ThreadKind kind) {
        crashes(kind, "", w -> assertTrue(w.send("boom")));
    }

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void disconnectHookThrowingExitsWithOneAndReportsTheError(ThreadKind kind) {
        crashes(kind, "hook", Worker::disconnect);
    }

    /**
     * Worker 1 crashes as {@code mode} says (after {@code trigger}); it reports the very exception, then
     * disconnect, then exit 1; worker 2 keeps running.
     */
    private static void crashes(ThreadKind kind, String mode, java.util.function.Consumer<Worker> trigger) {
        var errors = new LinkedBlockingQueue<Throwable>();
        var replies = new LinkedBlockingQueue<Object>();
        WorkerPool pool = builder("crash", kind, CRASHY).size(0).build();
        try (pool) {
            Events events = Events.of(pool);
            pool.onError((w, t) -> errors.add(t));
            pool.onMessage((w, m) -> replies.add(w.id() + ":" + m));
            Worker crashing = pool.fork(Map.of("MODE", mode));
            Worker other = pool.fork();
            events.awaitCount("online", e -> e.startsWith("online "), 2);
            if (trigger != null) {
                trigger.accept(crashing);
            }
            events.await("exit 1 1");
            String error = "IllegalStateException boom";
            assertEquals(lifecycle(1, "w.error 1 " + error, "error 1 " + error, "w.disconnect 1", "disconnect 1",
                    "w.exit 1 1", "exit 1 1"), events.of(1));
            assertSame(BOOM, Await.take("error", errors));
            assertEquals(Optional.of(ExitStatus.exited(1)), crashing.exitStatus());
            assertEquals("hook".equals(mode), crashing.exitedAfterDisconnect());

            assertEquals(Set.of(2), pool.workers().keySet());
            assertTrue(other.send("still here"));
            assertEquals("2:still here", Await.take("echo from worker 2", replies));
            assertFalse(other.isDead());
            assertAllOnPrimaryLoop(pool, events);
        }
        Threads.assertNoneAlive(pool.name());
    }

    // ---------------------------------------------------------------- state seen by listeners

    /**
     * Node: test-cluster-worker-isdead, test-cluster-worker-isconnected, and the documented rule that a
     * worker leaves {@code workers()} before its disconnect event.
     */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void stateSeenInsideListeners(ThreadKind kind) {
        var seen = new CopyOnWriteArrayList<String>();
        WorkerPool pool = builder("state", kind, CRASHY).size(0).build();
        try (pool) {
            pool.onFork(w -> {
                seen.add("fork " + state(pool, w));
                w.onDisconnect(() -> seen.add("w.disconnect " + state(pool, w)));
                w.onExit(s -> seen.add("w.exit " + state(pool, w)));
            });
            pool.onOnline(w -> seen.add("online " + state(pool, w)));
            pool.onDisconnect(w -> seen.add("disconnect " + state(pool, w)));
            pool.onExit((w, s) -> seen.add("exit " + state(pool, w)));
            Worker w = pool.fork();
            Await.until("online", () -> seen.size() == 2);
            w.send("exit 5");
            Await.until("exit", () -> seen.size() == 6);
            assertEquals(List.of(
                    "fork connected=true dead=false listed=true",
                    "online connected=true dead=false listed=true",
                    "w.disconnect connected=false dead=false listed=false",
                    "disconnect connected=false dead=false listed=false",
                    "w.exit connected=false dead=true listed=false",
                    "exit connected=false dead=true listed=false"), seen);
        }
        Threads.assertNoneAlive(pool.name());
    }

    private static String state(WorkerPool pool, Worker w) {
        return "connected=" + w.isConnected() + " dead=" + w.isDead() + " listed=" + pool.workers().containsKey(w.id());
    }

    // ---------------------------------------------------------------- workers(), ids, start, fork

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void idsStartAtOneAndAreNeverReused(ThreadKind kind) {
        WorkerPool pool = builder("ids", kind, CRASHY).size(3).build();
        try (pool) {
            Events events = Events.of(pool);
            pool.start();
            assertEquals(List.of(1, 2, 3), List.copyOf(pool.workers().keySet()));
            Map<Integer, Worker> view = pool.workers();
            assertThrows(UnsupportedOperationException.class, () -> view.remove(1));
            assertThrows(UnsupportedOperationException.class, () -> view.put(9, view.get(1)));
            events.awaitCount("online", e -> e.startsWith("online "), 3);

            Worker two = view.get(2);
            Await.get("exit of worker 2", two.disconnect());
            assertEquals(List.of(1, 3), List.copyOf(view.keySet()), "workers() is a live view");
            Worker four = pool.fork();
            assertEquals(4, four.id());
            assertSame(four, view.get(4));
            view.get(1).kill();
            events.await("exit 1 143 SIGTERM");
            assertEquals(5, pool.fork().id());
            assertEquals(List.of(3, 4, 5), List.copyOf(view.keySet()));
            assertEquals(5, pool.stats().forked());
        }
        Threads.assertNoneAlive(pool.name());
    }

    /** Node: test-cluster-fork-env: the pool's env overlaid with the one given to fork. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void forkEnvIsMergedOverThePoolEnv(ThreadKind kind) {
        var replies = new LinkedBlockingQueue<Object>();
        WorkerPool pool = builder("env", kind, ctx -> ctx.send(ctx.env()))
                .env(Map.of("A", "pool", "B", "pool")).size(0).build();
        try (pool) {
            pool.onMessage((w, m) -> replies.add(m));
            Map<String, String> forkEnv = new java.util.HashMap<>(Map.of("B", "fork", "C", "fork"));
            Worker w = pool.fork(forkEnv);
            forkEnv.put("D", "changed after fork");
            Map<String, String> expected = Map.of("A", "pool", "B", "fork", "C", "fork");
            assertEquals(expected, w.env());
            assertEquals(expected, Await.take("env from the worker", replies));
            assertThrows(UnsupportedOperationException.class, () -> w.env().put("X", "y"));
            assertEquals(Map.of("A", "pool", "B", "pool"), pool.fork().env());
            assertEquals(Map.of("A", "pool", "B", "pool"), Await.take("env from the second worker", replies));
        }
        Threads.assertNoneAlive(pool.name());
    }

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void forkWithoutStartAndStartOnlyOnce(ThreadKind kind) {
        WorkerPool pool = builder("nostart", kind, ctx -> { }).size(0).build();
        try (pool) {
            Events events = Events.of(pool);
            Worker w = pool.fork();
            events.await("online 1");
            assertEquals(Set.of(1), pool.workers().keySet());
            assertSame(pool, pool.start(), "start() with size 0 forks nothing");
            assertEquals(Set.of(1), pool.workers().keySet());
            assertThrows(IllegalStateException.class, pool::start);
            assertFalse(w.isDead());
        }
        Threads.assertNoneAlive(pool.name());
    }

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void startForksSizeWorkersAndRejectsASecondStart(ThreadKind kind) {
        WorkerPool pool = builder("start", kind, ctx -> { }).size(3).build();
        try (pool) {
            Events events = Events.of(pool);
            pool.start();
            assertThrows(IllegalStateException.class, pool::start);
            events.awaitCount("online", e -> e.startsWith("online "), 3);
            assertEquals(Set.of(1, 2, 3), pool.workers().keySet());
            assertEquals(List.of("fork 1", "fork 2", "fork 3"), events.starting("fork "));
        }
        Threads.assertNoneAlive(pool.name());
    }

    /**
     * Node's way to restart (the documented pattern): fork in the exit listener. A listener registered on
     * the primary loop right after that fork sees every event of the new worker.
     */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void forkFromTheExitListener(ThreadKind kind) {
        var seen = new CopyOnWriteArrayList<String>();
        WorkerPool pool = builder("refork", kind, ctx -> {
            if (ctx.id() == 1) {
                ctx.exit(1);
            }
        }).build();
        try (pool) {
            pool.onExit((dead, status) -> {
                if (!dead.exitedAfterDisconnect() && dead.id() == 1) {
                    Worker fresh = pool.fork();
                    fresh.onOnline(() -> seen.add("online " + fresh.id()));
                }
            });
            pool.start();
            Await.until("online of the replacement", () -> seen.contains("online 2"));
            assertEquals(Set.of(2), pool.workers().keySet());
        }
        Threads.assertNoneAlive(pool.name());
    }

    /** A disconnect hook may still send: its message arrives before the disconnect event. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void disconnectHookCanSendAFarewell(ThreadKind kind) {
        var order = new CopyOnWriteArrayList<String>();
        var sent = new AtomicReference<Boolean>();
        WorkerPool pool = builder("farewell", kind, ctx -> ctx.onDisconnect(() -> sent.set(ctx.send("bye")))).build();
        try (pool) {
            pool.onMessage((w, m) -> order.add("message " + m));
            pool.onDisconnect(w -> order.add("disconnect"));
            pool.onExit((w, s) -> order.add("exit " + s.code()));
            Await.get("exit", pool.fork().disconnect());
            Await.until("exit event", () -> order.contains("exit 0"));
            assertEquals(List.of("message bye", "disconnect", "exit 0"), order);
            assertEquals(true, sent.get());
        }
        Threads.assertNoneAlive(pool.name());
    }

    // ---------------------------------------------------------------- WorkerContext.current()

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void currentContextOnlyOnTheWorkerLoop(ThreadKind kind) {
        var seen = new ConcurrentHashMap<String, String>();
        var done = new CountDownLatch(4);
        WorkerPool pool = builder("current", kind, ctx -> {
            seen.put("start", describe(ctx));
            ctx.execute(() -> {
                seen.put("task", describe(ctx));
                done.countDown();
            });
            ctx.schedule(Duration.ofMillis(1), () -> {
                seen.put("timer", describe(ctx));
                done.countDown();
            });
            ctx.onMessage(m -> {
                seen.put("handler", describe(ctx));
                done.countDown();
            });
            Thread other = Thread.ofPlatform().start(() -> {
                seen.put("other thread", describe(ctx));
                done.countDown();
            });
            other.join();
        }).size(0).build();
        try (pool) {
            pool.onOnline(w -> seen.put("primary listener", WorkerContext.current().isPresent() ? "present" : "empty"));
            Worker w = pool.fork();
            w.send("hi");
            Await.latch("worker callbacks", done);
            Await.until("online listener", () -> seen.containsKey("primary listener"));
            assertEquals(Map.of(
                    "start", "same id=1",
                    "task", "same id=1",
                    "timer", "same id=1",
                    "handler", "same id=1",
                    "other thread", "empty",
                    "primary listener", "empty"), Map.copyOf(seen));
            assertEquals(Optional.empty(), WorkerContext.current());
        }
        Threads.assertNoneAlive(pool.name());
    }

    private static String describe(WorkerContext ctx) {
        Optional<WorkerContext> current = WorkerContext.current();
        return current.isEmpty() ? "empty" : (current.get() == ctx ? "same" : "other") + " id=" + current.get().id();
    }

    // ---------------------------------------------------------------- listener registration

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void removedListenerIsNotCalled(ThreadKind kind) {
        var calls = new CopyOnWriteArrayList<String>();
        WorkerPool pool = builder("reg", kind, ctx -> { }).size(0).build();
        try (pool) {
            Events events = Events.of(pool);
            Registration r = pool.onOnline(w -> calls.add("removed " + w.id()));
            pool.onOnline(w -> calls.add("kept " + w.id()));
            pool.fork();
            events.await("online 1");
            r.remove();
            r.remove(); // idempotent
            pool.fork();
            Await.until("online of worker 2", () -> calls.contains("kept 2"));
            assertEquals(List.of("removed 1", "kept 1", "kept 2"), calls);
        }
        Threads.assertNoneAlive(pool.name());
    }

    /** A listener that throws is skipped; the others and the pool go on. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void throwingListenerDoesNotBreakThePool(ThreadKind kind) {
        WorkerPool pool = builder("badlistener", kind, ctx -> { }).size(0).build();
        try (pool) {
            pool.onOnline(w -> {
                throw new IllegalStateException("listener failure (expected by the test)");
            });
            Events events = Events.of(pool);
            Worker w = pool.fork();
            events.await("online 1");
            Await.get("exit", w.disconnect());
            assertEquals(lifecycle(1, "w.disconnect 1", "disconnect 1", "w.exit 1 0", "exit 1 0"), events.of(1));
        }
        Threads.assertNoneAlive(pool.name());
    }
}
