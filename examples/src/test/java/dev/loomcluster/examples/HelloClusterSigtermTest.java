package dev.loomcluster.examples;

import dev.loomcluster.testing.Await;
import dev.loomcluster.testing.FreePorts;
import dev.loomcluster.testing.KeepAliveClient;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM of the main job under a keep-alive load: every request that reached it is answered (the ones
 * in flight, and those that arrive during the drain grace, with {@code Connection: close}), none is cut
 * off, and the JVM exits 0. The client does not reconnect once a response said {@code Connection: close}:
 * new connections are refused once the job stopped listening, and one that races the close of the
 * listening socket may be reset before it is accepted; in production a load balancer (readiness,
 * preStop) or nginx's retry on the next upstream takes care of those.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HelloClusterSigtermTest {

    @ParameterizedTest
    @ValueSource(strings = {"platform", "virtual"})
    void sigtermUnderLoadLosesNoRequest(String threads) throws Exception {
        int port = FreePorts.loopbackPort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = Files.createTempFile("hello-sigterm", ".log");
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                HelloCluster.class.getName(), "--host", "127.0.0.1", "--port", String.valueOf(port),
                "--workers", "2", "--threads", threads)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Await.until("both workers started", () -> count(log, "started") >= 2, Duration.ofSeconds(30));
            KeepAliveClient client = KeepAliveClient.start(FreePorts.loopback(port), 32,
                    KeepAliveClient.Protocol.HTTP_ANY_200, false);
            assertTrue(client.awaitMoreAnswers(2_000, Duration.ofSeconds(30)), "load runs");
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "exits after SIGTERM");
            assertEquals(0, p.exitValue(), Files.readString(log));
            KeepAliveClient.Result r = client.stop();
            assertEquals(0, r.lost(), r.toString());
            assertEquals(0, r.connectFailures(), r.toString());
            assertEquals(0, r.wrong(), r.toString());
            assertEquals(r.sent(), r.answered(), r.toString());
            assertTrue(Files.readString(log).contains("draining"), Files.readString(log));
        } finally {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
            Files.deleteIfExists(log);
        }
    }

    private static long count(Path log, String word) {
        try {
            return Files.readAllLines(log).stream().filter(l -> l.contains(word)).count();
        } catch (java.io.IOException e) {
            return 0;
        }
    }
}
