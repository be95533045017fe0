package dev.loomcluster;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static dev.loomcluster.TestPools.builder;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Messages between the primary and workers: delivery, isolation, refused types, FIFO order. */
@Timeout(60)
class MessagingTest {

    record Pair(String name, List<Integer> values) {
    }

    record Holder(Object value) {
    }

    record Seq(int sender, int n) {
    }

    /** Echoes every message; {@code "hold"} blocks the loop until {@link #gate} opens. */
    private static final class Echo implements WorkerMain {
        final CountDownLatch holding = new CountDownLatch(1);
        final CountDownLatch gate = new CountDownLatch(1);

        @Override
        public void start(WorkerContext ctx) {
            ctx.onMessage(m -> {
                if ("hold".equals(m)) {
                    holding.countDown();
                    try {
                        gate.await(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return;
                }
                ctx.send(m);
            });
        }
    }

    /** Node: test-cluster-message: primary → worker → primary, to the worker's and the pool's listeners. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void echoBothWays(ThreadKind kind) {
        var toWorkerListener = new LinkedBlockingQueue<Object>();
        var toPoolListener = new LinkedBlockingQueue<Object>();
        var threads = new CopyOnWriteArrayList<String>();
        WorkerPool pool = builder("echo", kind, new Echo()).size(2).build();
        try (pool) {
            pool.onFork(w -> w.onMessage(m -> {
                threads.add(Thread.currentThread().getName());
                toWorkerListener.add(w.id() + ":" + m);
            }));
            pool.onMessage((w, m) -> {
                threads.add(Thread.currentThread().getName());
                toPoolListener.add(w.id() + ":" + m);
            });
            pool.start();
            Worker one = pool.workers().get(1);
            assertTrue(one.send("via worker"));
            assertEquals("1:via worker", Await.take("echo", toWorkerListener));
            assertEquals("1:via worker", Await.take("echo", toPoolListener));
            assertTrue(pool.send(2, "via pool"));
            assertEquals("2:via pool", Await.take("echo", toWorkerListener));
            assertEquals("2:via pool", Await.take("echo", toPoolListener));
            assertTrue(pool.send(1, null));
            assertEquals("1:null", Await.take("echo of null", toWorkerListener));
            assertEquals("1:null", Await.take("echo of null", toPoolListener));
            assertEquals(2, pool.broadcast(42));
            assertEquals(Set.of("1:42", "2:42"), Set.of(Await.take("echo", toPoolListener), Await.take("echo", toPoolListener)));
            assertEquals(Set.of(pool.name() + "-primary"), Set.copyOf(threads));
        }
        Threads.assertNoneAlive(pool.name());
    }

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void sendAfterExitReturnsFalse(ThreadKind kind) {
        var ctxRef = new AtomicReference<WorkerContext>();
        var received = new LinkedBlockingQueue<Object>();
        WorkerPool pool = builder("late", kind, ctx -> {
            ctxRef.set(ctx);
            ctx.onMessage(m -> {
                if ("exit".equals(m)) {
                    ctx.exit(0);
                }
            });
        }).size(2).build();
        try (pool) {
            Events events = Events.of(pool);
            pool.onMessage((w, m) -> received.add(m));
            pool.start();
            events.awaitCount("online", e -> e.startsWith("online "), 2);
            Worker one = pool.workers().get(1);
            Worker two = pool.workers().get(2);
            Await.get("disconnect", one.disconnect());
            two.send("exit");
            events.await("exit 2 0");

            for (Worker w : List.of(one, two)) {
                assertFalse(w.isConnected());
                assertFalse(w.send("too late"), "send to dead worker " + w.id());
                assertFalse(pool.send(w.id(), "too late"), "pool.send to dead worker " + w.id());
                assertFalse(w.send(null));
            }
            assertFalse(pool.send(99, "nobody"));
            assertEquals(0, pool.broadcast("anyone?"));
            assertFalse(ctxRef.get().send("from a dead worker"), "WorkerContext.send after exit");
            assertEquals(0, received.size());
        }
        Threads.assertNoneAlive(pool.name());
    }

    /** Messages a worker sends before it exits reach the primary before its disconnect and exit events. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void messagesBeforeExitArriveBeforeTheExitEvent(ThreadKind kind) {
        var order = new CopyOnWriteArrayList<String>();
        WorkerPool pool = builder("beforeexit", kind, ctx -> {
            for (int i = 0; i < 100; i++) {
                ctx.send(i);
            }
            ctx.exit(7);
        }).build();
        try (pool) {
            pool.onMessage((w, m) -> order.add("m" + m));
            pool.onDisconnect(w -> order.add("disconnect"));
            pool.onExit((w, s) -> order.add("exit " + s.code()));
            pool.fork();
            Await.until("exit", () -> order.contains("exit 7"));
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                expected.add("m" + i);
            }
            expected.addAll(List.of("disconnect", "exit 7"));
            assertEquals(expected, order);
        }
        Threads.assertNoneAlive(pool.name());
    }

    /** Messages sent before disconnect() reach the worker before its disconnect hooks run. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void messagesBeforeDisconnectArriveBeforeTheHooks(ThreadKind kind) {
        var report = new LinkedBlockingQueue<Object>();
        WorkerPool pool = builder("beforedisc", kind, ctx -> {
            List<Object> got = new ArrayList<>();
            ctx.onMessage(got::add);
            ctx.onDisconnect(() -> ctx.send(List.copyOf(got)));
        }).build();
        try (pool) {
            pool.onMessage((w, m) -> report.add(m));
            Worker w = pool.fork();
            for (int i = 0; i < 50; i++) {
                w.send(i);
            }
            w.disconnect();
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                expected.add(i);
            }
            assertEquals(expected, Await.take("what the worker had got when its hook ran", report));
        }
        Threads.assertNoneAlive(pool.name());
    }

    // ---------------------------------------------------------------- isolation

    /** What the sender does to a message after send() never reaches the receiver (primary → worker). */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void primaryToWorkerMessagesAreIsolated(ThreadKind kind) {
        var replies = new LinkedBlockingQueue<Object>();
        Echo echo = new Echo();
        WorkerPool pool = builder("isolate", kind, echo).build();
        try (pool) {
            pool.onMessage((w, m) -> replies.add(m == null ? "null" : m));
            Worker w = pool.fork();
            // The worker is stuck in a handler until the sender has changed everything it sent.
            w.send("hold");
            Await.latch("worker holding", echo.holding);

            byte[] bytes = {1, 2, 3};
            List<Integer> list = new ArrayList<>(List.of(1, 2, 3));
            Map<String, Integer> map = new HashMap<>(Map.of("a", 1));
            Set<String> set = new HashSet<>(Set.of("x"));
            List<Integer> inRecord = new ArrayList<>(List.of(7));
            Pair pair = new Pair("p", inRecord);
            List<Object> nested = new ArrayList<>(List.of(new ArrayList<>(List.of("deep"))));
            for (Object m : List.of(bytes, list, map, set, pair, nested)) {
                assertTrue(w.send(m));
            }
            bytes[0] = 99;
            list.add(4);
            list.set(0, 100);
            map.put("b", 2);
            set.clear();
            inRecord.add(8);
            @SuppressWarnings("unchecked")
            List<Object> inner = (List<Object>) nested.get(0);
            inner.add("changed");
            echo.gate.countDown();

            assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) Await.take("byte[] echo", replies));
            assertEquals(List.of(1, 2, 3), Await.take("list echo", replies));
            assertEquals(Map.of("a", 1), Await.take("map echo", replies));
            assertEquals(Set.of("x"), Await.take("set echo", replies));
            assertEquals(new Pair("p", List.of(7)), Await.take("record echo", replies));
            assertEquals(List.of(List.of("deep")), Await.take("nested echo", replies));
        }
        Threads.assertNoneAlive(pool.name());
    }

    /** The same, worker → primary; and what the primary receives is unmodifiable. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void workerToPrimaryMessagesAreIsolatedAndUnmodifiable(ThreadKind kind) {
        var received = new CopyOnWriteArrayList<Object>();
        var done = new CountDownLatch(1);
        var sent = new AtomicReference<List<Object>>();
        WorkerPool pool = builder("isolateback", kind, ctx -> {
            byte[] bytes = {1, 2, 3};
            List<Integer> list = new ArrayList<>(List.of(1, 2, 3));
            Map<String, List<Integer>> map = new HashMap<>(Map.of("a", new ArrayList<>(List.of(1))));
            Pair pair = new Pair("p", new ArrayList<>(List.of(7)));
            List<Object> all = List.of(bytes, list, map, pair);
            for (Object m : all) {
                ctx.send(m);
            }
            bytes[0] = 99;
            list.add(4);
            map.get("a").add(2);
            map.put("b", List.of());
            pair.values().add(8);
            sent.set(all);
            ctx.send("done");
        }).build();
        try (pool) {
            pool.onMessage((w, m) -> {
                if ("done".equals(m)) {
                    done.countDown();
                } else {
                    received.add(m);
                }
            });
            pool.fork();
            Await.latch("done", done);
            assertEquals(4, received.size());
            assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) received.get(0));
            assertNotSame(sent.get().get(0), received.get(0));
            @SuppressWarnings("unchecked")
            List<Integer> list = (List<Integer>) received.get(1);
            assertEquals(List.of(1, 2, 3), list);
            @SuppressWarnings("unchecked")
            Map<String, List<Integer>> map = (Map<String, List<Integer>>) received.get(2);
            assertEquals(Map.of("a", List.of(1)), map);
            Pair pair = (Pair) received.get(3);
            assertEquals(new Pair("p", List.of(7)), pair);

            assertThrows(UnsupportedOperationException.class, () -> list.add(5));
            assertThrows(UnsupportedOperationException.class, () -> list.set(0, 5));
            assertThrows(UnsupportedOperationException.class, () -> map.put("c", List.of()));
            assertThrows(UnsupportedOperationException.class, () -> map.get("a").add(3));
            assertThrows(UnsupportedOperationException.class, () -> pair.values().add(9));
        }
        Threads.assertNoneAlive(pool.name());
    }

    /** Collections a worker receives are unmodifiable too. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void receivedCollectionsAreUnmodifiableInTheWorker(ThreadKind kind) {
        var replies = new LinkedBlockingQueue<Object>();
        WorkerPool pool = builder("unmod", kind, ctx -> ctx.onMessage(m -> {
            List<String> refused = new ArrayList<>();
            tryChange(refused, "list", () -> ((Pair) m).values().add(1));
            tryChange(refused, "outer", () -> ((Map<Object, Object>) ((Holder) m).value()).clear());
            ctx.send(refused);
        })).build();
        try (pool) {
            pool.onMessage((w, m) -> replies.add(m));
            Worker w = pool.fork();
            w.send(new Pair("p", new ArrayList<>(List.of(1))));
            assertEquals(List.of("list"), Await.take("reply", replies));
            w.send(new Holder(new HashMap<>(Map.of("k", "v"))));
            assertEquals(List.of("outer"), Await.take("reply", replies));
        }
        Threads.assertNoneAlive(pool.name());
    }

    @SuppressWarnings("unchecked")
    private static void tryChange(List<String> refused, String what, Runnable change) {
        try {
            change.run();
        } catch (UnsupportedOperationException e) {
            refused.add(what);
        } catch (ClassCastException e) {
            // not this kind of message
        }
    }

    // ---------------------------------------------------------------- refused types

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void refusedTypesThrowAndDeliverNothing(ThreadKind kind) {
        var replies = new LinkedBlockingQueue<Object>();
        WorkerPool pool = builder("refuse", kind, new Echo()).size(2).build();
        try (pool) {
            pool.onMessage((w, m) -> replies.add(w.id() + ":" + m));
            pool.start();
            Worker w = pool.workers().get(1);
            assertRefused("java.lang.Object", () -> pool.send(1, new Object()));
            assertRefused("java.lang.Thread", () -> w.send(new Thread(() -> { })));
            assertRefused("java.lang.Object", () -> w.send(new Holder(new Object())));
            assertRefused("java.lang.StringBuilder",
                    () -> pool.send(1, new ArrayList<>(List.of("ok", new StringBuilder("no")))));
            assertRefused("java.lang.StringBuilder", () -> pool.broadcast(Map.of("k", new StringBuilder())));
            assertRefused("java.lang.Object", () -> pool.send(99, new Object())); // checked before the lookup
            List<Object> cycle = new ArrayList<>();
            cycle.add(cycle);
            assertRefused("cycle", () -> w.send(cycle));

            assertTrue(w.send("marker"));
            assertEquals("1:marker", Await.take("the first message the worker got", replies));
            assertTrue(pool.send(2, "marker"));
            assertEquals("2:marker", Await.take("the first message worker 2 got", replies));
            assertEquals(List.of(1L, 1L), pool.stats().workers().stream().map(WorkerStats::messagesIn).toList());
        }
        Threads.assertNoneAlive(pool.name());
    }

    /** A worker's send is checked the same way, and refuses before anything reaches the primary. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void workerSendRefusesTheSameTypes(ThreadKind kind) {
        var replies = new LinkedBlockingQueue<Object>();
        WorkerPool pool = builder("refuseback", kind, ctx -> {
            List<String> errors = new ArrayList<>();
            for (Object bad : List.of(new Object(), new Holder(new StringBuilder()), new Holder(new Object[] {"x"}))) {
                try {
                    ctx.send(bad);
                    errors.add("sent " + bad);
                } catch (IllegalArgumentException e) {
                    errors.add(e.getMessage());
                }
            }
            ctx.send(errors);
        }).build();
        try (pool) {
            pool.onMessage((w, m) -> replies.add(m));
            pool.fork();
            @SuppressWarnings("unchecked")
            List<String> errors = (List<String>) Await.take("the worker's report", replies);
            assertEquals(3, errors.size(), errors.toString());
            assertTrue(errors.get(0).contains("java.lang.Object"), errors.get(0));
            assertTrue(errors.get(1).contains("java.lang.StringBuilder"), errors.get(1));
            assertTrue(errors.get(2).contains("[Ljava.lang.Object;"), errors.get(2));
            assertNull(replies.poll(), "nothing else was delivered");
            assertEquals(1, pool.stats().workers().getFirst().messagesOut());
        }
        Threads.assertNoneAlive(pool.name());
    }

    private static void assertRefused(String typeName, Runnable send) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, send::run);
        assertTrue(e.getMessage().contains(typeName), "message should name " + typeName + ": " + e.getMessage());
    }

    // ---------------------------------------------------------------- FIFO

    private static final int SENDERS = 4;
    private static final int PER_SENDER = 5_000;

    /** Four threads send to one worker at once: the worker sees each sender's messages in order. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void fifoPerSenderToAWorker(ThreadKind kind) throws Exception {
        var report = new LinkedBlockingQueue<Object>();
        WorkerPool pool = builder("fifo", kind, ctx -> {
            int[] next = new int[SENDERS];
            int[] total = {0};
            List<String> violations = new ArrayList<>();
            ctx.onMessage(m -> {
                Seq s = (Seq) m;
                if (s.n() != next[s.sender()] && violations.size() < 10) {
                    violations.add("sender " + s.sender() + ": got " + s.n() + ", expected " + next[s.sender()]);
                }
                next[s.sender()] = s.n() + 1;
                if (++total[0] == SENDERS * PER_SENDER) {
                    ctx.send(violations);
                }
            });
        }).build();
        try (pool) {
            int id = pool.fork().id();
            pool.onMessage((w, m) -> report.add(m));
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> senders = new ArrayList<>();
            var failures = new CopyOnWriteArrayList<String>();
            for (int s = 0; s < SENDERS; s++) {
                int sender = s;
                senders.add(Thread.ofPlatform().name("fifo-sender-" + s).start(() -> {
                    try {
                        go.await();
                        for (int n = 0; n < PER_SENDER; n++) {
                            if (!pool.send(id, new Seq(sender, n))) {
                                failures.add("send " + sender + "/" + n + " returned false");
                                return;
                            }
                        }
                    } catch (InterruptedException e) {
                        failures.add("interrupted");
                    }
                }));
            }
            go.countDown();
            for (Thread t : senders) {
                Await.join(t);
            }
            assertEquals(List.of(), failures);
            assertEquals(List.of(), Await.take("the worker's report", report));
        }
        Threads.assertNoneAlive(pool.name());
    }

    /** Four threads send through one worker's context at once: the primary sees each in order. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void fifoPerSenderFromAWorker(ThreadKind kind) {
        var ctxRef = new AtomicReference<WorkerContext>();
        int[] next = new int[SENDERS + 1];
        int[] total = {0};
        var violations = new CopyOnWriteArrayList<String>();
        CountDownLatch all = new CountDownLatch(1);
        int expected = (SENDERS + 1) * PER_SENDER;
        WorkerPool pool = builder("fifoback", kind, ctx -> {
            ctxRef.set(ctx);
            ctx.onMessage(m -> { // the worker's own loop is a fifth sender
                for (int n = 0; n < PER_SENDER; n++) {
                    ctx.send(new Seq(SENDERS, n));
                }
            });
        }).build();
        try (pool) {
            pool.onMessage((w, m) -> { // primary loop only: no locking needed
                Seq s = (Seq) m;
                if (s.n() != next[s.sender()] && violations.size() < 10) {
                    violations.add("sender " + s.sender() + ": got " + s.n() + ", expected " + next[s.sender()]);
                }
                next[s.sender()] = s.n() + 1;
                if (++total[0] == expected) {
                    all.countDown();
                }
            });
            Events events = Events.of(pool);
            Worker w = pool.fork();
            events.await("online 1");
            Await.until("worker started", () -> ctxRef.get() != null);
            WorkerContext ctx = ctxRef.get();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> senders = new ArrayList<>();
            for (int s = 0; s < SENDERS; s++) {
                int sender = s;
                senders.add(Thread.ofPlatform().name("fifo-back-sender-" + s).start(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int n = 0; n < PER_SENDER; n++) {
                        ctx.send(new Seq(sender, n));
                    }
                }));
            }
            w.send("go");
            go.countDown();
            for (Thread t : senders) {
                Await.join(t);
            }
            Await.latch("all " + expected + " messages", all);
            assertEquals(List.of(), violations);
            assertEquals(expected, w.stats().messagesOut());
            int[] counts = new int[SENDERS + 1];
            Arrays.fill(counts, PER_SENDER);
            assertArrayEquals(counts, next);
        }
        Threads.assertNoneAlive(pool.name());
    }
}
