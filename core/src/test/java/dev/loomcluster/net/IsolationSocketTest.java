package dev.loomcluster.net;

import dev.loomcluster.Isolation;
import dev.loomcluster.SchedulingPolicy;
import dev.loomcluster.WorkerPool;
import dev.loomcluster.WorkerStats;
import dev.loomcluster.testing.Await;
import dev.loomcluster.testing.EchoLoad;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shared listening sockets in both isolations: in process mode the primary binds the socket, every child
 * gets its descriptor, and connections go from the one kernel queue straight to a child (SHARED) or by
 * accept turns (ROUND_ROBIN); nothing passes through the primary.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class IsolationSocketTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    static Stream<Arguments> isolationsAndPolicies() {
        return Stream.of(Isolation.values()).flatMap(i ->
                Stream.of(SchedulingPolicy.values()).map(p -> Arguments.of(i, p)));
    }

    private static WorkerPool.Builder pool(String base, Isolation isolation, SchedulingPolicy policy, int size) {
        return WorkerPool.builder(EchoServer.class).name(base + System.nanoTime() + "x").isolation(isolation)
                .jvmOptions(List.of("-XX:TieredStopAtLevel=1")) // short tests: start-up dominates
                .scheduling(policy).size(size).shutdownTimeout(Duration.ofSeconds(5)).killTimeout(Duration.ofSeconds(2));
    }

    private static void await(String what, BooleanSupplier condition) {
        Await.until(what, condition, Listening.TIMEOUT);
    }

    /** Starts the pool and returns the one address all {@code n} workers listen on. */
    private static InetSocketAddress start(WorkerPool pool, int n) {
        InetSocketAddress bound = Listening.start(pool, n);
        assertTrue(bound.getPort() > 0);
        return new InetSocketAddress(LOOPBACK, bound.getPort());
    }

    private static long received(WorkerPool pool) {
        return pool.stats().workers().stream().mapToLong(WorkerStats::connectionsReceived).sum();
    }

    @ParameterizedTest
    @MethodSource("isolationsAndPolicies")
    void listenZeroSharesOnePortAndEchoes(Isolation isolation, SchedulingPolicy policy) throws Exception {
        try (WorkerPool pool = pool("sock-echo", isolation, policy, 2).build()) {
            InetSocketAddress address = start(pool, 2);
            Random random = new Random(7);
            int clients = 40;
            for (int i = 0; i < clients; i++) {
                byte[] payload = new byte[1 + random.nextInt(100_000)];
                random.nextBytes(payload);
                assertArrayEquals(payload, Echo.roundTrip(address, payload));
            }
            await("every connection counted once (stats reach the primary within a second)",
                    () -> received(pool) == clients);
        }
    }

    @ParameterizedTest
    @EnumSource(Isolation.class)
    void roundRobinIsFairAcrossWorkers(Isolation isolation) throws Exception {
        try (WorkerPool pool = pool("sock-rr", isolation, SchedulingPolicy.ROUND_ROBIN, 2).build()) {
            InetSocketAddress address = start(pool, 2);
            int total = 1_000;
            EchoLoad.Result r = EchoLoad.to(address).threads(4).payloadBytes(16).connections(total).run();
            assertEquals(0, r.errors(), r.errorSamples()::toString);
            await("stats of " + total + " connections", () -> received(pool) == total);
            List<WorkerStats> stats = pool.stats().workers();
            for (WorkerStats s : stats) {
                assertTrue(Math.abs(s.connectionsReceived() - total / 2) <= total / 2 / 10,
                        "worker " + s.id() + " got " + s.connectionsReceived() + " of " + total + ": " + stats);
            }
        }
    }

    /**
     * A worker that starts listening while connections pour in gets its share from then on: in process
     * mode the primary grants it accept turns only once it holds the socket, and reads its answers from
     * the first turn on (a turn answered before the primary had noted the child as listening was dropped,
     * and the child, its turn unanswered, was passed over for good).
     */
    @ParameterizedTest
    @EnumSource(Isolation.class)
    void roundRobinIsFairToAWorkerThatJoinsUnderLoad(Isolation isolation) throws Exception {
        try (WorkerPool pool = pool("sock-rrjoin", isolation, SchedulingPolicy.ROUND_ROBIN, 1).build()) {
            InetSocketAddress address = start(pool, 1);
            var listening = new LinkedBlockingQueue<Integer>();
            pool.onListening((w, a) -> listening.add(w.id()));
            var loadResult = new java.util.concurrent.atomic.AtomicReference<EchoLoad.Result>();
            Thread background = Thread.ofPlatform().name("rrjoin-load").start(() -> loadResult.set( // 8 at once
                    EchoLoad.to(address).threads(8).payloadBytes(16).duration(Duration.ofSeconds(3)).run()));
            try {
                await("load under way", () -> received(pool) > 50);
                pool.fork();
                assertEquals(Integer.valueOf(2), listening.poll(20, TimeUnit.SECONDS), "the second worker listening");
            } finally {
                background.join(60_000);
            }
            assertEquals(0, loadResult.get().errors(), loadResult.get().errorSamples()::toString);
            long loadConnections = loadResult.get().connections();
            await("stats of the load", () -> received(pool) == loadConnections);
            long before = received(pool);
            Map<Integer, Long> start = receivedById(pool);
            int total = 1_000;
            EchoLoad.Result r = EchoLoad.to(address).threads(4).payloadBytes(16).connections(total).run();
            assertEquals(0, r.errors(), r.errorSamples()::toString);
            await("stats of " + total + " more connections", () -> received(pool) == before + total);
            Map<Integer, Long> end = receivedById(pool);
            for (int id : end.keySet()) {
                long got = end.get(id) - start.getOrDefault(id, 0L);
                assertTrue(Math.abs(got - total / 2) <= total / 2 / 10,
                        "worker " + id + " got " + got + " of " + total + " after both listened: " + end);
            }
        }
    }

    private static Map<Integer, Long> receivedById(WorkerPool pool) {
        return pool.stats().workers().stream().collect(java.util.stream.Collectors.toMap(
                WorkerStats::id, WorkerStats::connectionsReceived));
    }

    /**
     * {@code pool.reload()} under load, in both isolations: every worker is replaced (in process mode by a
     * fresh JVM), the port stays, and no client connection fails.
     */
    @ParameterizedTest
    @MethodSource("isolationsAndPolicies")
    void reloadUnderLoadReplacesEveryWorkerAndLosesNoConnection(Isolation isolation, SchedulingPolicy policy)
            throws Exception {
        try (WorkerPool pool = pool("sock-reload", isolation, policy, 2).build()) {
            InetSocketAddress address = start(pool, 2);
            Set<Long> pidsBefore = pids(pool);
            var reloaded = new java.util.concurrent.CompletableFuture<Void>();
            Thread reloader = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(200);
                    pool.reload().get(60, TimeUnit.SECONDS);
                    reloaded.complete(null);
                } catch (Throwable t) {
                    reloaded.completeExceptionally(t);
                }
            });
            EchoLoad.Result r = EchoLoad.to(address).threads(4).payloadBytes(16)
                    .duration(Duration.ofMillis(isolation == Isolation.PROCESS ? 3_000 : 1_500)).run();
            reloader.join();
            reloaded.get(1, TimeUnit.SECONDS);
            assertEquals(0, r.errors(), r.errorSamples()::toString);
            assertEquals(Set.of(3, 4), pool.workers().keySet(), "both workers replaced, one at a time");
            if (isolation == Isolation.PROCESS) {
                Set<Long> pidsAfter = pids(pool);
                assertEquals(2, pidsAfter.size());
                assertTrue(java.util.Collections.disjoint(pidsBefore, pidsAfter),
                        "fresh JVMs: " + pidsBefore + " then " + pidsAfter);
            }
            assertArrayEquals(new byte[]{1, 2, 3}, Echo.roundTrip(address, new byte[]{1, 2, 3}), "the port still serves");
        }
    }

    /** {@code pool.scale(n)} up and down under load, in both isolations: newest out first, no connection fails. */
    @ParameterizedTest
    @MethodSource("isolationsAndPolicies")
    void scaleUnderLoadLosesNoConnection(Isolation isolation, SchedulingPolicy policy) throws Exception {
        try (WorkerPool pool = pool("sock-scale", isolation, policy, 1).build()) {
            InetSocketAddress address = start(pool, 1);
            var scaled = new java.util.concurrent.CompletableFuture<Void>();
            Thread scaler = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(200);
                    pool.scale(3).get(60, TimeUnit.SECONDS);
                    pool.scale(1).get(60, TimeUnit.SECONDS);
                    scaled.complete(null);
                } catch (Throwable t) {
                    scaled.completeExceptionally(t);
                }
            });
            EchoLoad.Result r = EchoLoad.to(address).threads(4).payloadBytes(16)
                    .duration(Duration.ofMillis(isolation == Isolation.PROCESS ? 3_000 : 1_500)).run();
            scaler.join();
            scaled.get(1, TimeUnit.SECONDS);
            assertEquals(0, r.errors(), r.errorSamples()::toString);
            assertEquals(Set.of(1), pool.workers().keySet(), "the two newest left first");
        }
    }

    private static Set<Long> pids(WorkerPool pool) {
        var pids = new java.util.HashSet<Long>();
        pool.workers().values().forEach(w -> w.process().ifPresent(p -> pids.add(p.pid())));
        return pids;
    }

    /** A worker that disconnects while clients keep connecting loses none of the connections still queued. */
    @ParameterizedTest
    @MethodSource("isolationsAndPolicies")
    void aWorkerLeavingLosesNoQueuedConnection(Isolation isolation, SchedulingPolicy policy) throws Exception {
        try (WorkerPool pool = pool("sock-leave", isolation, policy, 2).build()) {
            InetSocketAddress address = start(pool, 2);
            Thread leaver = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    return;
                }
                pool.workers().get(1).disconnect().join();
            });
            EchoLoad.Result r = EchoLoad.to(address).threads(4).payloadBytes(16).duration(Duration.ofMillis(1_500)).run();
            leaver.join();
            assertEquals(0, r.errors(), r.errorSamples()::toString);
            assertTrue(r.connections() > 100, "connections made: " + r.connections());
            assertEquals(Set.of(2), pool.workers().keySet());
        }
    }

    @Test
    void aChildServesOneAddressAndSaysSoForASecond() throws Exception {
        try (WorkerPool pool = pool("sock-two", Isolation.PROCESS, SchedulingPolicy.ROUND_ROBIN, 0).build()) {
            var messages = new LinkedBlockingQueue<Object>();
            pool.onMessage((w, m) -> messages.add(m));
            pool.fork(Map.of("SECOND", "0"));
            Object port = messages.poll(20, TimeUnit.SECONDS);
            assertTrue(port instanceof Integer p && p > 0, "first listen: " + port);
            Object second = messages.poll(20, TimeUnit.SECONDS);
            assertTrue(second instanceof String s && s.startsWith("IllegalStateException")
                    && s.contains("one listening address"), "second listen: " + second);
        }
    }
}
