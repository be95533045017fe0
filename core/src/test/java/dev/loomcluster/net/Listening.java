package dev.loomcluster.net;

import dev.loomcluster.WorkerPool;
import dev.loomcluster.testing.Await;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Starting a pool whose workers all listen on one shared address, for the socket tests. */
final class Listening {
    static final Duration TIMEOUT = Duration.ofSeconds(20);

    private Listening() {
    }

    /** Starts {@code pool}, waits until {@code n} workers listen, checks they share one address and returns it. */
    static InetSocketAddress start(WorkerPool pool, int n) {
        var addresses = new CopyOnWriteArrayList<InetSocketAddress>();
        pool.onListening((w, a) -> addresses.add(a));
        pool.start();
        Await.until(n + " workers listening", () -> addresses.size() == n, TIMEOUT);
        assertEquals(1, Set.copyOf(addresses).size(), "every worker shares one port: " + addresses);
        return addresses.getFirst();
    }
}
