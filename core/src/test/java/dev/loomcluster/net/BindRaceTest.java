package dev.loomcluster.net;

import dev.loomcluster.ThreadKind;
import dev.loomcluster.Worker;
import dev.loomcluster.WorkerPool;
import dev.loomcluster.testing.Await;
import dev.loomcluster.testing.FreePorts;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The last worker on an address disconnects and its replacement is forked at once, 1,000 times: each
 * {@code listen} either shares the socket still open or binds anew, and never fails with
 * {@code BindException}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BindRaceTest {
    private static final int ROUNDS = 1_000;

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void disconnectThenForkNeverFailsToBind(ThreadKind kind) throws Exception {
        InetSocketAddress address = FreePorts.loopbackAddress();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        var listening = new LinkedBlockingQueue<Worker>();
        try (WorkerPool pool = WorkerPool.builder(ctx -> ctx.listen(address, c -> Echo.HANDLER))
                .name("bindrace" + kind).threads(kind).size(0).build()) {
            pool.onError((w, t) -> errors.add(t));
            pool.onListening((w, a) -> listening.add(w));
            Worker w = pool.fork();
            for (int i = 0; i < ROUNDS && errors.isEmpty(); i++) {
                Worker up = listening.poll(10, TimeUnit.SECONDS);
                assertEquals(w, up, "round " + i + ": " + errors);
                w.disconnect();
                w = pool.fork();
            }
            Await.until("the last worker listens", () -> !listening.isEmpty() || !errors.isEmpty(), Duration.ofSeconds(10));
            assertEquals(List.of(), errors);
            Echo.assertEcho(address, "still serving");
        }
    }
}
