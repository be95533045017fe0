package dev.loomcluster.examples;

import dev.loomcluster.testing.FreePorts;
import dev.loomcluster.testing.RawClient;
import dev.loomcluster.testing.http.RawHttp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.loomcluster.testing.Await;

import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The main job as a user runs it: a separate JVM started with {@code HelloCluster}, its Node-style lines,
 * {@code GET /} from every worker, and SIGTERM draining to exit status 0.
 */
class HelloClusterTest {

    private static List<String> lines(Path log) {
        try {
            return Files.readAllLines(log, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** An unknown {@code --idle} value is refused, by name, before anything starts. */
    @Test
    void anUnknownIdleStrategyIsRefusedByName() {
        var e = assertThrows(IllegalArgumentException.class, () -> HelloCluster.main(
                new String[] {"--host", "127.0.0.1", "--port", "0", "--workers", "1", "--idle", "spin"}));
        assertEquals("--idle takes park, auto or backoff, not spin", e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"platform, thread", "virtual, thread", "platform, process"})
    void runsPrintsServesAndExitsZeroOnSigterm(String threads, String isolation) throws Exception {
        int port = FreePorts.loopbackPort();
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = Files.createTempFile("hello-cluster", ".log");
        ProcessBuilder pb = new ProcessBuilder(javaBin, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), "dev.loomcluster.examples.HelloCluster", "--host", "127.0.0.1",
                "--workers", "2", "--threads", threads, "--isolation", isolation)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("PORT", String.valueOf(port));
        Process p = pb.start();
        try {
            // The child's output goes to a file: a pipe read while the child exits may lose its last lines.
            Await.until("the primary and both workers started", () -> lines(log).size() >= 3, Duration.ofSeconds(30));
            List<String> first = lines(log);
            assertEquals("Primary " + p.pid() + " is running", first.get(0));
            assertEquals(Set.of("Worker 1 started", "Worker 2 started"), new HashSet<>(first.subList(1, 3)));
            Set<String> bodies = new HashSet<>();
            for (int i = 0; i < 20 && bodies.size() < 2; i++) {
                try (RawClient c = RawClient.connect(port)) {
                    c.write(RawHttp.get("/"));
                    RawHttp.Response r = RawHttp.read(c);
                    assertEquals(200, r.status());
                    assertEquals("application/json", r.header("content-type"));
                    bodies.add(r.text());
                }
            }
            assertEquals(Set.of("{\"message\":\"Hello from worker 1\"}", "{\"message\":\"Hello from worker 2\"}"), bodies);
            try (RawClient keptAlive = RawClient.connect(port)) {
                keptAlive.write(RawHttp.get("/"));
                RawHttp.read(keptAlive);
                p.destroy(); // SIGTERM
                assertTrue(p.waitFor(20, TimeUnit.SECONDS), "exits after SIGTERM");
                assertEquals(0, p.exitValue(), lines(log).toString());
                assertTrue(keptAlive.isPeerClosed(Duration.ofSeconds(1)));
            }
            assertTrue(lines(log).contains("Primary " + p.pid() + " draining"), lines(log).toString());
        } finally {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
            Files.deleteIfExists(log);
        }
    }
}
