package dev.loomcluster;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lifecycle, messaging and restart rules, run in both isolations: the same events in the same order
 * on the primary loop, the same exit statuses, the same message contract, whether a worker is a thread or
 * a child JVM.
 */
@Timeout(60)
class IsolationTest {

    /** Child JVMs compile with C1 only: tests are short, start-up dominates. */
    static final List<String> CHILD_OPTIONS = List.of("-XX:TieredStopAtLevel=1");

    static WorkerPool.Builder builder(String base, Isolation isolation, Class<? extends WorkerMain> main) {
        return WorkerPool.builder(main)
                .jvmOptions(CHILD_OPTIONS)
                .name(TestPools.uniqueName(base))
                .isolation(isolation)
                .size(1)
                .shutdownTimeout(Duration.ofSeconds(5))
                .killTimeout(Duration.ofSeconds(2));
    }

    private static List<String> lifecycle(int id, String... rest) {
        List<String> l = new ArrayList<>(List.of("fork " + id, "w.online " + id, "online " + id));
        l.addAll(List.of(rest));
        return l;
    }

    private static void assertAllOnPrimaryLoop(WorkerPool pool, Events events) {
        var threads = events.threads();
        assertEquals(1, threads.size(), "listeners ran on " + threads);
        assertEquals(pool.name() + "-primary", threads.iterator().next().getName());
    }

    @ParameterizedTest
    @EnumSource(Isolation.class)
    void messagesBothWaysThenDisconnectInNodesOrder(Isolation isolation) {
        WorkerPool pool = builder("iso-msg", isolation, Mains.Echo.class).build();
        try (pool) {
            Events events = Events.of(pool);
            var received = new LinkedBlockingQueue<Optional<Object>>();
            pool.onMessage((w, m) -> received.add(Optional.ofNullable(m)));
            Worker w = pool.fork();
            assertEquals(isolation == Isolation.PROCESS, w.process().isPresent());
            events.await("online 1");
            for (Object sample : Mains.samples()) {
                assertTrue(w.send(sample));
                Object back = Await.take("echo of " + sample.getClass().getSimpleName(), received).orElse(null);
                if (sample instanceof byte[] bytes) {
                    assertArrayEquals(bytes, (byte[]) back);
                } else {
                    assertEquals(sample, back);
                }
            }
            assertTrue(w.send(null));
            assertEquals(Optional.empty(), Await.take("echo of null", received));
            assertTrue(w.send("current"));
            assertEquals(Optional.of(1), Await.take("WorkerContext.current() in the worker", received));

            // FIFO: a burst of 10,000 messages arrives complete and in order
            assertTrue(w.send("burst 10000"));
            for (int i = 0; i < 10_000; i++) {
                assertEquals(Optional.of(i), Await.take("burst message " + i, received));
            }
            assertThrows(IllegalArgumentException.class, () -> w.send(new Object()));

            Await.get("exit after disconnect()", w.disconnect());
            assertEquals(lifecycle(1, "w.disconnect 1", "disconnect 1", "w.exit 1 0", "exit 1 0"), events.of(1));
            assertTrue(w.isDead());
            assertFalse(w.isConnected());
            assertTrue(w.exitedAfterDisconnect());
            assertFalse(w.send("after"), "send after disconnect");
            assertEquals(Optional.of(ExitStatus.exited(0)), w.exitStatus());
            assertEquals(Map.of(), pool.workers());
            assertAllOnPrimaryLoop(pool, events);
        }
        Threads.assertNoneAlive(pool.name());
    }

    @ParameterizedTest
    @EnumSource(Isolation.class)
    void workerInitiatedDisconnect(Isolation isolation) {
        WorkerPool pool = builder("iso-wdisc", isolation, Mains.Echo.class).build();
        try (pool) {
            Events events = Events.of(pool);
            Worker w = pool.fork();
            events.await("online 1");
            w.send("disconnect");
            events.await("exit 1 0");
            assertTrue(w.exitedAfterDisconnect());
            assertEquals(lifecycle(1, "w.disconnect 1", "disconnect 1", "w.exit 1 0", "exit 1 0"), events.of(1));
        }
        Threads.assertNoneAlive(pool.name());
    }

    @ParameterizedTest
    @EnumSource(Isolation.class)
    void killReportsSigterm(Isolation isolation) {
        WorkerPool pool = builder("iso-kill", isolation, Mains.Idle.class).build();
        try (pool) {
            Events events = Events.of(pool);
            Worker w = pool.fork();
            events.await("online 1");
            w.kill();
            events.await("exit 1 143 SIGTERM");
            assertEquals(lifecycle(1, "w.disconnect 1", "disconnect 1", "w.exit 1 143 SIGTERM", "exit 1 143 SIGTERM"),
                    events.of(1));
            assertEquals(Optional.of(ExitStatus.SIGTERM), w.exitStatus());
            assertFalse(w.exitedAfterDisconnect());
            assertFalse(w.isConnected());
            assertFalse(w.send("x"));
            assertAllOnPrimaryLoop(pool, events);
        }
        Threads.assertNoneAlive(pool.name());
    }

    @ParameterizedTest
    @EnumSource(Isolation.class)
    void exitCodesAndErrors(Isolation isolation) {
        WorkerPool pool = builder("iso-exit", isolation, Mains.Echo.class).build();
        try (pool) {
            Events events = Events.of(pool);
            Worker a = pool.fork();
            events.await("online 1");
            a.send("exit 3");
            events.await("exit 1 3");
            assertFalse(a.exitedAfterDisconnect());

            Worker b = pool.fork();
            events.await("online 2");
            b.send("boom");
            events.await("exit 2 1");
            List<String> errors = events.starting("error 2");
            assertEquals(1, errors.size(), events.toString());
            assertTrue(errors.getFirst().contains("boom"), errors.toString());

            pool.fork(Map.of("MODE", "start"));
            events.await("exit 3 1");
            assertTrue(events.starting("error 3").getFirst().contains("boom at start"), events.toString());
            assertEquals(lifecycle(3, "w.error 3 " + events.starting("w.error 3").getFirst().substring(10),
                    "error 3 " + events.starting("error 3").getFirst().substring(8),
                    "w.disconnect 3", "disconnect 3", "w.exit 3 1", "exit 3 1"), events.of(3));
            assertAllOnPrimaryLoop(pool, events);
        }
        Threads.assertNoneAlive(pool.name());
    }

    @ParameterizedTest
    @EnumSource(Isolation.class)
    void constructorThatThrowsExitsWithOneAndAnError(Isolation isolation) {
        WorkerPool pool = builder("iso-ctor", isolation, Mains.BadConstructor.class).build();
        try (pool) {
            Events events = Events.of(pool);
            pool.fork();
            events.await("exit 1 1");
            String error = events.starting("error 1").getFirst();
            assertTrue(error.contains("constructor of " + Mains.BadConstructor.class.getName() + " failed"), error);
        }
        Threads.assertNoneAlive(pool.name());
    }

    @ParameterizedTest
    @EnumSource(Isolation.class)
    void restartsACrashedWorkerWithItsEnv(Isolation isolation) {
        WorkerPool pool = builder("iso-restart", isolation, Mains.Echo.class)
                .restart(RestartPolicy.onCrash().withBackoff(Duration.ofMillis(10), 1.0, Duration.ofMillis(10)))
                .env(Map.of("POOL", "p")).build();
        try (pool) {
            Events events = Events.of(pool);
            var received = new LinkedBlockingQueue<Object>();
            pool.onMessage((w, m) -> received.add(w.id() + ":" + m));
            Worker first = pool.fork(Map.of("ROLE", "r1"));
            events.await("online 1");
            first.send("boom");
            events.await("exit 1 1");
            events.await("online 2");
            Worker second = pool.workers().get(2);
            assertEquals(Map.of("POOL", "p", "ROLE", "r1"), second.env());
            second.send("ctxenv ROLE");
            assertEquals("2:r1", Await.take("env of the restarted worker", received));
            second.kill();
            events.await("exit 2 143 SIGTERM");
        }
        Threads.assertNoneAlive(pool.name());
    }
}
