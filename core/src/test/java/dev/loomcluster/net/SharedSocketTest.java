package dev.loomcluster.net;

import dev.loomcluster.Connection;
import dev.loomcluster.ConnectionHandler;
import dev.loomcluster.SchedulingPolicy;
import dev.loomcluster.ThreadKind;
import dev.loomcluster.Worker;
import dev.loomcluster.WorkerPool;
import dev.loomcluster.WorkerStats;
import dev.loomcluster.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SharedSocketTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    static Stream<Arguments> kindsAndPolicies() {
        return Stream.of(ThreadKind.values()).flatMap(k ->
                Stream.of(SchedulingPolicy.values()).map(p -> Arguments.of(k, p)));
    }

    private static InetSocketAddress anyPort() {
        return new InetSocketAddress(LOOPBACK, 0);
    }

    private static void await(String what, BooleanSupplier condition) {
        Await.until(what, condition, Listening.TIMEOUT);
    }

    @ParameterizedTest
    @MethodSource("kindsAndPolicies")
    void echoAcrossFourWorkers(ThreadKind kind, SchedulingPolicy policy) throws Exception {
        try (WorkerPool pool = WorkerPool.builder(ctx -> ctx.listen(anyPort(), c -> Echo.HANDLER))
                .size(4).threads(kind).scheduling(policy).build()) {
            InetSocketAddress address = Listening.start(pool, 4);
            int clients = 200;
            ExecutorService exec = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> results = new ArrayList<>();
                Random random = new Random(42);
                for (int i = 0; i < clients; i++) {
                    byte[] payload = new byte[1 + random.nextInt(200_000)];
                    random.nextBytes(payload);
                    results.add(exec.submit(() -> {
                        assertArrayEquals(payload, Echo.roundTrip(address, payload));
                        return null;
                    }));
                }
                for (Future<?> f : results) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                exec.shutdownNow();
            }
            await("connections closed", () -> pool.stats().workers().stream().allMatch(s -> s.connectionsOpen() == 0));
            long received = pool.stats().workers().stream().mapToLong(WorkerStats::connectionsReceived).sum();
            assertEquals(clients, received, "every connection reached exactly one worker: " + pool.stats());
        }
    }

    /** {@code threads} client threads together make {@code total} echo round trips, one connection each. */
    private static void echoFromClients(InetSocketAddress address, int threads, int total, String text)
            throws Exception {
        ExecutorService exec = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(exec.submit(() -> {
                    for (int i = 0; i < total / threads; i++) {
                        Echo.assertEcho(address, text);
                    }
                    return null;
                }));
            }
            for (Future<?> f : results) {
                f.get(90, TimeUnit.SECONDS);
            }
        } finally {
            exec.shutdownNow();
        }
    }

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void roundRobinIsFair(ThreadKind kind) throws Exception {
        try (WorkerPool pool = WorkerPool.builder(ctx -> ctx.listen(anyPort(), c -> Echo.HANDLER))
                .size(4).threads(kind).build()) {
            InetSocketAddress address = Listening.start(pool, 4);
            int total = 4_000;
            echoFromClients(address, 4, total, "x");
            List<WorkerStats> stats = pool.stats().workers();
            for (WorkerStats s : stats) {
                assertTrue(Math.abs(s.connectionsReceived() - total / 4) <= total / 4 / 10,
                        "worker " + s.id() + " got " + s.connectionsReceived() + " of " + total + ": " + stats);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void sharedPolicyGivesASlowWorkerLess(ThreadKind kind) throws Exception {
        try (WorkerPool pool = WorkerPool.builder(ctx -> {
                    boolean slow = ctx.id() == 1;
                    ctx.listen(anyPort(), c -> new ConnectionHandler() {
                        @Override
                        public void onData(Connection connection, ByteBuffer data) {
                            if (slow) {
                                sleep(20); // blocks its own loop: a deliberately slow worker
                            }
                            connection.write(data);
                        }
                    });
                }).size(4).threads(kind).scheduling(SchedulingPolicy.SHARED).build()) {
            InetSocketAddress address = Listening.start(pool, 4);
            int total = 400;
            echoFromClients(address, 8, total, "ping");
            List<WorkerStats> stats = pool.stats().workers();
            long slow = stats.stream().filter(s -> s.id() == 1).findFirst().orElseThrow().connectionsReceived();
            long fastest = stats.stream().filter(s -> s.id() != 1).mapToLong(WorkerStats::connectionsReceived).max().orElseThrow();
            assertTrue(slow * 2 < fastest, "the slow worker got " + slow + ", the busiest fast one " + fastest + ": " + stats);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void listenZeroSharesOnePort(ThreadKind kind) throws Exception {
        var ports = ConcurrentHashMap.<Integer>newKeySet();
        try (WorkerPool pool = WorkerPool.builder(ctx -> ports.add(ctx.listen(anyPort(), c -> Echo.HANDLER).address().getPort()))
                .size(3).threads(kind).build()) {
            InetSocketAddress address = Listening.start(pool, 3);
            assertEquals(Set.of(address.getPort()), ports);
            assertTrue(address.getPort() > 0);
            Echo.assertEcho(address, "hello");
        }
    }

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void bindErrorReachesTheWorkerAsAnException(ThreadKind kind) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, LOOPBACK)) {
            var failures = new CopyOnWriteArrayList<Throwable>();
            try (WorkerPool pool = WorkerPool.builder(ctx -> {
                        try {
                            ctx.listen(new InetSocketAddress(LOOPBACK, taken.getLocalPort()), c -> Echo.HANDLER);
                        } catch (IOException e) {
                            failures.add(e);
                            ctx.send("caught");
                        }
                    }).size(1).threads(kind).build()) {
                var messages = new CopyOnWriteArrayList<Object>();
                pool.onMessage((w, m) -> messages.add(m));
                pool.start();
                await("the worker to report", () -> !messages.isEmpty());
                assertInstanceOf(BindException.class, failures.getFirst());
                assertTrue(pool.workers().get(1).isConnected(), "the worker survives a failed listen");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void disconnectWhileClientsAreConnectedLosesNothing(ThreadKind kind) throws Exception {
        try (WorkerPool pool = WorkerPool.builder(ctx -> ctx.listen(anyPort(), c -> Echo.HANDLER))
                .size(2).threads(kind).build()) {
            InetSocketAddress address = Listening.start(pool, 2);
            // open connections on both workers, each mid-conversation
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < 10; i++) {
                    Socket s = new Socket(LOOPBACK, address.getPort());
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write("a".getBytes());
                    assertEquals('a', s.getInputStream().read());
                    sockets.add(s);
                }
                Worker first = pool.workers().get(1);
                var exited = first.disconnect();
                await("worker 1 to stop listening", () -> pool.workers().get(1) == null);
                // new connections all go to worker 2, while worker 1 still serves its open ones
                for (int i = 0; i < 20; i++) {
                    Echo.assertEcho(address, "new " + i);
                }
                for (Socket s : sockets) {
                    s.getOutputStream().write("b".getBytes());
                    assertEquals('b', s.getInputStream().read(), "an open connection keeps being served");
                }
                assertTrue(!exited.isDone(), "the worker waits for its connections");
                for (Socket s : sockets) {
                    s.shutdownOutput();
                    assertEquals(-1, s.getInputStream().read());
                }
                exited.get(10, TimeUnit.SECONDS);
                assertTrue(first.exitedAfterDisconnect());
                assertEquals(0, first.exitStatus().orElseThrow().code());
            } finally {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void killingAWorkerWithQueuedConnectionsLosesNone(ThreadKind kind) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (WorkerPool pool = WorkerPool.builder(ctx -> {
                    ctx.listen(anyPort(), c -> Echo.HANDLER);
                    if (ctx.id() == 1) {
                        // worker 1's loop is busy, so channels queue up for it without being taken
                        ctx.execute(() -> awaitQuietly(release));
                    }
                }).size(2).threads(kind).killTimeout(Duration.ofSeconds(5)).build()) {
            InetSocketAddress address = Listening.start(pool, 2);
            int clients = 20;
            ExecutorService exec = Executors.newFixedThreadPool(clients);
            try {
                List<Future<?>> results = new ArrayList<>();
                for (int i = 0; i < clients; i++) {
                    int n = i;
                    results.add(exec.submit(() -> {
                        Echo.assertEcho(address, "client " + n);
                        return null;
                    }));
                }
                // about half are queued to the blocked worker 1
                await("the others to be served", () -> results.stream().filter(Future::isDone).count() >= clients / 2 - 1);
                pool.workers().get(1).kill();
                release.countDown();
                for (Future<?> f : results) {
                    f.get(30, TimeUnit.SECONDS);
                }
            } finally {
                exec.shutdownNow();
            }
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void moreVirtualWorkersThanCarriersAllServeConnections() throws Exception {
        int workers = 16; // surefire runs with 2 carrier threads
        var served = ConcurrentHashMap.<Integer>newKeySet();
        try (WorkerPool pool = WorkerPool.builder(ctx -> ctx.listen(anyPort(), c -> new ConnectionHandler() {
                    @Override
                    public void onData(Connection connection, ByteBuffer data) {
                        served.add(ctx.id());
                        connection.write(data);
                    }
                })).size(workers).threads(ThreadKind.VIRTUAL).build()) {
            InetSocketAddress address = Listening.start(pool, workers);
            // hold one open connection per worker at once: every loop is blocked in select meanwhile
            List<Socket> open = new ArrayList<>();
            try {
                for (int i = 0; i < workers; i++) {
                    Socket s = new Socket(LOOPBACK, address.getPort());
                    s.setSoTimeout(10_000);
                    open.add(s);
                }
                for (Socket s : open) {
                    s.getOutputStream().write(7);
                    InputStream in = s.getInputStream();
                    assertEquals(7, in.read());
                }
            } finally {
                for (Socket s : open) {
                    s.close();
                }
            }
            assertEquals(workers, served.size(), "every worker served a connection: " + served);
        }
    }

    @Test
    void socketClosesWhenTheLastWorkerLeaves() throws Exception {
        try (WorkerPool pool = WorkerPool.builder(ctx -> ctx.listen(anyPort(), c -> Echo.HANDLER)).size(2).build()) {
            InetSocketAddress address = Listening.start(pool, 2);
            pool.disconnect().get(10, TimeUnit.SECONDS);
            await("the port to be released", () -> {
                try (Socket s = new Socket(LOOPBACK, address.getPort())) {
                    return false;
                } catch (IOException refused) {
                    return true;
                }
            });
            assertEquals(Map.of(), pool.workers());
        }
    }
}
