package dev.loomcluster.http;

import dev.loomcluster.ThreadKind;
import dev.loomcluster.WorkerContext;
import dev.loomcluster.WorkerStats;
import dev.loomcluster.testing.Await;
import dev.loomcluster.testing.RawClient;
import dev.loomcluster.testing.http.RawHttp;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code WorkerStats.requestsServed()}: each worker counts the exchanges its HTTP servers ended. */
@Timeout(60)
class HttpStatsTest {

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void eachWorkerCountsTheRequestsItServed(ThreadKind kind) throws Exception {
        try (TestServer server = TestServer.start(kind, 2, HttpOptions.defaults(), s -> s.createContext("/",
                ex -> HttpApiTest.text(ex, String.valueOf(WorkerContext.current().orElseThrow().id()))))) {
            Map<Integer, Integer> served = new TreeMap<>();
            for (int i = 0; i < 6; i++) {           // one request per connection: round robin over both
                try (RawClient c = server.connect()) {
                    c.write(RawHttp.get("/"));
                    served.merge(Integer.parseInt(RawHttp.read(c).text()), 1, Integer::sum);
                }
            }
            try (RawClient c = server.connect()) {  // keep-alive: five requests, one connection
                for (int i = 0; i < 5; i++) {
                    c.write(RawHttp.get("/again"));
                    served.merge(Integer.parseInt(RawHttp.read(c).text()), 1, Integer::sum);
                }
            }
            assertEquals(11, served.values().stream().mapToInt(Integer::intValue).sum());
            // counted on the worker's loop once the exchange has ended, which may follow the client's read
            Await.until("the counts", () -> counts(server).equals(served), Duration.ofSeconds(10));
        }
    }

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void requestsHandledOnAnExecutorAreCountedToo(ThreadKind kind) throws Exception {
        var executor = Executors.newFixedThreadPool(2);
        try (TestServer server = TestServer.start(kind, 1, HttpOptions.defaults(), s -> {
            s.setExecutor(executor);
            s.createContext("/", ex -> HttpApiTest.text(ex, "ok"));
        })) {
            try (RawClient c = server.connect()) {
                for (int i = 0; i < 3; i++) {
                    c.write(RawHttp.get("/"));
                    assertEquals("ok", RawHttp.read(c).text());
                }
            }
            Await.until("three requests counted", () -> counts(server).equals(Map.of(1, 3)), Duration.ofSeconds(10));
        } finally {
            executor.shutdownNow();
        }
    }

    private static Map<Integer, Integer> counts(TestServer server) {
        return server.pool.stats().workers().stream().filter(w -> w.requestsServed() > 0)
                .collect(Collectors.toMap(WorkerStats::id, w -> (int) w.requestsServed(), (a, b) -> a, TreeMap::new));
    }
}
