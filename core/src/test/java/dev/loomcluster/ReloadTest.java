package dev.loomcluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code reload()} and {@code scale(n)} without sockets: order, env, failure and serialization. */
@Timeout(60)
class ReloadTest {

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void reloadReplacesEachWorkerOneAtATimeKeepingItsEnv(ThreadKind kind) throws Exception {
        WorkerPool pool = TestPools.builder("reload", kind, ctx -> ctx.onMessage(ctx::send)).size(0).build();
        try (pool) {
            Events events = Events.of(pool);
            pool.fork(Map.of("SLOT", "a"));
            pool.fork(Map.of("SLOT", "b"));
            events.await("online 2");
            pool.reload().get(20, TimeUnit.SECONDS);
            assertEquals(List.of(3, 4), List.copyOf(pool.workers().keySet()));
            assertEquals("a", pool.workers().get(3).env().get("SLOT"));
            assertEquals("b", pool.workers().get(4).env().get("SLOT"));
            // one at a time: the successor is online before its predecessor leaves
            List<String> seen = events.all().stream().filter(e -> e.startsWith("online ") || e.startsWith("exit ")).toList();
            assertTrue(seen.indexOf("online 3") < seen.indexOf("exit 1 0"), seen.toString());
            assertTrue(seen.indexOf("exit 1 0") < seen.indexOf("online 4"), seen.toString());
            assertTrue(pool.workers().get(4).send("still here"));
        }
        Threads.assertNoneAlive(pool.name());
    }

    /** The old worker listens; its replacement fails before listening: the reload fails, the old one stays. */
    @Test
    void aReplacementThatFailsStopsTheReloadAndTheOldWorkerStays() throws Exception {
        AtomicBoolean fail = new AtomicBoolean();
        var address = new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0);
        WorkerPool pool = TestPools.builder("reloadfail", ThreadKind.PLATFORM, ctx -> {
            if (fail.get()) {
                throw new IllegalStateException("bad deploy"); // before it listens: never ready
            }
            ctx.listen(address, c -> (connection, data) -> connection.write(data));
        }).size(1).build();
        try (pool) {
            var listening = new java.util.concurrent.CountDownLatch(1);
            pool.onListening((w, a) -> listening.countDown());
            pool.start();
            assertTrue(listening.await(10, TimeUnit.SECONDS));
            fail.set(true);
            ExecutionException e = assertThrows(ExecutionException.class, () -> pool.reload().get(20, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("before it was ready"), e.getCause().getMessage());
            assertEquals(List.of(1), List.copyOf(pool.workers().keySet()), "the old worker keeps serving");
            fail.set(false);
            pool.reload().get(20, TimeUnit.SECONDS); // a later reload runs normally
            assertEquals(List.of(3), List.copyOf(pool.workers().keySet()));
        }
    }

    @Test
    void scaleGrowsAndShrinksNewestFirstAndOperationsRunInOrder() throws Exception {
        WorkerPool pool = TestPools.builder("scale", ThreadKind.VIRTUAL, ctx -> { }).size(1).build();
        try (pool) {
            Events events = Events.of(pool);
            pool.start();
            events.await("online 1");
            CompletableFuture<Void> up = pool.scale(4);
            CompletableFuture<Void> down = pool.scale(2); // runs after the first
            CompletableFuture.allOf(up, down).get(20, TimeUnit.SECONDS);
            assertEquals(List.of(1, 2), List.copyOf(pool.workers().keySet()), "newest out first");
            pool.scale(0).get(20, TimeUnit.SECONDS);
            assertTrue(pool.workers().isEmpty());
            assertThrows(IllegalArgumentException.class, () -> pool.scale(-1));
        }
    }
}
