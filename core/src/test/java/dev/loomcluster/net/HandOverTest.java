package dev.loomcluster.net;

import dev.loomcluster.Connection;
import dev.loomcluster.ConnectionHandler;
import dev.loomcluster.ThreadKind;
import dev.loomcluster.Worker;
import dev.loomcluster.WorkerMain;
import dev.loomcluster.WorkerPool;
import dev.loomcluster.testing.Await;
import dev.loomcluster.testing.FreePorts;
import dev.loomcluster.testing.KeepAliveClient;
import dev.loomcluster.testing.RawClient;
import dev.loomcluster.testing.Threads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Connections move between workers of one JVM without the client noticing: reload, scale and disconnect
 * under a keep-alive load lose, duplicate and close nothing; a connection can be sent to another worker
 * with a message and the input not consumed yet.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HandOverTest {
    private static final AtomicInteger SEQ = new AtomicInteger();

    private static WorkerPool linePool(ThreadKind kind, int size, InetSocketAddress address, Duration delay) {
        WorkerMain main = ctx -> ctx.listen(address, c -> new LineService(ctx, delay));
        return WorkerPool.builder(main).name("handover" + SEQ.incrementAndGet() + "x").threads(kind).size(size)
                .shutdownTimeout(Duration.ofSeconds(10)).killTimeout(Duration.ofSeconds(1))
                .drainGrace(Duration.ofMillis(200)).build();
    }

    private static void assertClean(KeepAliveClient.Result r) {
        assertTrue(r.clean(), r.toString());
        assertEquals(0, r.reconnects(), "no connection was closed: " + r);
        assertTrue(r.answered() > 0, r.toString());
    }

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void reloadUnderLoadLosesAndClosesNothing(ThreadKind kind) throws Exception {
        InetSocketAddress address = FreePorts.loopbackAddress();
        WorkerPool pool = linePool(kind, 2, address, Duration.ZERO);
        try {
            Listening.start(pool, 2);
            KeepAliveClient client = KeepAliveClient.start(address, 16, KeepAliveClient.Protocol.LINE);
            assertTrue(client.awaitMoreAnswers(500, Duration.ofSeconds(20)));
            for (int i = 0; i < 3; i++) {
                Await.result("reload " + i, pool.reload(), Duration.ofSeconds(30));
                assertTrue(client.awaitMoreAnswers(200, Duration.ofSeconds(20)), "served after reload " + i);
            }
            KeepAliveClient.Result r = client.stop();
            assertClean(r);
            assertEquals(2, pool.workers().size());
            assertTrue(pool.workers().keySet().stream().allMatch(id -> id > 6), "every worker replaced: " + pool.workers().keySet());
        } finally {
            pool.close();
        }
        Threads.awaitNone("threads of " + pool.name(), t -> t.startsWith(pool.name() + "-"), true, Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void scaleUnderLoadWithWorkInFlight(ThreadKind kind) throws Exception {
        InetSocketAddress address = FreePorts.loopbackAddress();
        WorkerPool pool = linePool(kind, 4, address, Duration.ofMillis(2));
        try {
            Listening.start(pool, 4);
            KeepAliveClient client = KeepAliveClient.start(address, 16, KeepAliveClient.Protocol.LINE);
            assertTrue(client.awaitMoreAnswers(200, Duration.ofSeconds(20)));
            // the 16 connections are spread over the 4 workers: each step down moves some
            for (int n : new int[]{2, 1, 3}) {
                Await.result("scale " + n, pool.scale(n), Duration.ofSeconds(30));
                assertEquals(n, pool.workers().size());
                assertTrue(client.awaitMoreAnswers(200, Duration.ofSeconds(20)), "served at " + n);
            }
            assertClean(client.stop());
        } finally {
            pool.close();
        }
        Threads.awaitNone("threads of " + pool.name(), t -> t.startsWith(pool.name() + "-"), true, Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void disconnectWithRequestsInFlight(ThreadKind kind) throws Exception {
        InetSocketAddress address = FreePorts.loopbackAddress();
        WorkerPool pool = linePool(kind, 3, address, Duration.ofMillis(20));
        try {
            Listening.start(pool, 3);
            KeepAliveClient client = KeepAliveClient.start(address, 24, KeepAliveClient.Protocol.LINE);
            assertTrue(client.awaitMoreAnswers(100, Duration.ofSeconds(20)));
            // every connection of worker 1 has a request in flight (20 ms each, sent back to back)
            Await.result("worker 1 exits", pool.workers().get(1).disconnect(), Duration.ofSeconds(20));
            assertTrue(client.awaitMoreAnswers(100, Duration.ofSeconds(20)));
            Await.result("worker 2 exits", pool.workers().get(2).disconnect(), Duration.ofSeconds(20));
            assertTrue(client.awaitMoreAnswers(100, Duration.ofSeconds(20)));
            assertClean(client.stop());
        } finally {
            pool.close();
        }
        Threads.awaitNone("threads of " + pool.name(), t -> t.startsWith(pool.name() + "-"), true, Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void lastWorkerServesForTheGraceThenCloses(ThreadKind kind) throws Exception {
        InetSocketAddress address = FreePorts.loopbackAddress();
        WorkerPool pool = linePool(kind, 1, address, Duration.ZERO);
        try {
            Listening.start(pool, 1);
            try (RawClient c = RawClient.connect(address)) {
                c.write("1\n");
                assertEquals("1 1\n", c.readUntil("\n"));
                CompletableFuture<Void> exited = pool.workers().get(1).disconnect();
                c.write("2\n"); // within the grace: still answered
                assertEquals("2 1\n", c.readUntil("\n"));
                assertTrue(c.isPeerClosed(Duration.ofSeconds(5)), "closed once the grace is over");
                Await.result("worker exits", exited, Duration.ofSeconds(5));
            }
        } finally {
            pool.close();
        }
    }

    @Test
    void handOverIsRefusedWithNoSiblingOrWithQueuedOutputAndOffLoop() throws Exception {
        InetSocketAddress address = FreePorts.loopbackAddress();
        var results = new LinkedBlockingQueue<String>();
        WorkerMain main = ctx -> ctx.listen(address, conn -> new ConnectionHandler() {
            @Override
            public void onData(Connection c, ByteBuffer data) {
                data.position(data.limit());
                results.add("alone:" + c.handOver(ByteBuffer.allocate(0)));
                Thread.ofPlatform().start(() -> {
                    try {
                        c.handOver(ByteBuffer.allocate(0));
                        results.add("offloop:accepted");
                    } catch (IllegalStateException e) {
                        results.add("offloop:refused");
                    }
                });
            }
        });
        try (WorkerPool pool = WorkerPool.builder(main).name("handover" + SEQ.incrementAndGet() + "x").size(1).build()) {
            Listening.start(pool, 1);
            try (RawClient c = RawClient.connect(address)) {
                c.write("x");
                assertEquals("alone:false", results.poll(10, TimeUnit.SECONDS));
                assertEquals("offloop:refused", results.poll(10, TimeUnit.SECONDS));
                assertFalse(c.isPeerClosed(Duration.ofMillis(100)), "a refused hand-over changes nothing");
            }
        }
    }

    /** Node's sendHandle: worker 1 answers one line, sends the connection with the rest; worker 2 answers it. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void connectionSentWithAMessageCarriesUnreadInput(ThreadKind kind) throws Exception {
        InetSocketAddress address = FreePorts.loopbackAddress();
        AtomicReference<String> received = new AtomicReference<>();
        WorkerMain main = ctx -> {
            if (ctx.id() == 1) {
                ctx.listen(address, conn -> new ConnectionHandler() {
                    @Override
                    public void onData(Connection c, ByteBuffer data) {
                        int eol = 0;
                        while (data.get(data.position() + eol) != '\n') {
                            eol++;
                        }
                        byte[] line = new byte[eol + 1];
                        data.get(line);
                        c.write(("worker 1: " + new String(line, 0, eol) + "\n").getBytes(), 0, 10 + eol + 1);
                        ctx.execute(() -> { // once the answer is out
                            assertTrue(ctx.send(new Moved("from 1", 7), c, data));
                            assertFalse(c.isOpen(), "gone from worker 1");
                        });
                    }
                });
            } else {
                ctx.onConnection((message, conn) -> {
                    received.set(message.toString());
                    return new ConnectionHandler() {
                        @Override
                        public void onData(Connection c, ByteBuffer data) {
                            byte[] b = new byte[data.remaining()];
                            data.get(b);
                            c.write(("worker 2: " + new String(b)).getBytes(), 0, 10 + b.length);
                        }
                    };
                });
                ctx.send("ready");
            }
        };
        try (WorkerPool pool = WorkerPool.builder(main).name("sendhandle" + SEQ.incrementAndGet() + "x")
                .threads(kind).size(2).build()) {
            var ready = new CompletableFuture<Void>();
            pool.onMessage((w, m) -> ready.complete(null));
            pool.onConnection((from, sent) -> {
                assertEquals(1, from.id());
                assertTrue(sent.isHeld());
                Worker target = pool.workers().get(2);
                assertTrue(target.send(sent.message(), sent));
                assertFalse(sent.isHeld());
            });
            Listening.start(pool, 1);
            Await.result("worker 2 ready", ready);
            try (RawClient c = RawClient.connect(address)) {
                c.write("first\nsecond\n"); // one write: worker 1 reads both lines at once
                assertEquals("worker 1: first\n", c.readUntil("\n"));
                assertEquals("worker 2: second\n", c.readUntil("\n"));
                c.write("third\n");
                assertEquals("worker 2: third\n", c.readUntil("\n"));
            }
            assertEquals("Moved[text=from 1, n=7]", received.get());
        }
    }

    record Moved(String text, int n) {
    }
}
