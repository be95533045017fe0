package dev.loomcluster.http;

import dev.loomcluster.testing.Await;
import dev.loomcluster.testing.FreePorts;
import dev.loomcluster.testing.RawClient;
import dev.loomcluster.testing.http.RawHttp;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients that pipeline requests for 1 MiB answers and never read them, against a server in a child JVM
 * with a 256 MiB heap: each connection stops being served (and read) once one answer is queued, the
 * clients' writes stall, the heap stays small, and other clients are served meanwhile.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HttpBoundedMemoryTest {
    private static final int GREEDY = 8;

    @ParameterizedTest
    @ValueSource(strings = {"loop", "executor"})
    void nonReadingPipeliningClientsCannotGrowTheHeap(String where) throws Exception {
        int port = FreePorts.loopbackPort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = Files.createTempFile("big-answer", ".log");
        Process p = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                BigAnswerServer.class.getName(), String.valueOf(port), where)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        List<Socket> greedy = new ArrayList<>();
        try {
            Await.until("the child listens", () -> read(log).contains("ready"), Duration.ofSeconds(30));
            InetSocketAddress address = FreePorts.loopback(port);
            byte[] request = RawHttp.get("/big").getBytes(StandardCharsets.US_ASCII);
            AtomicLong sent = new AtomicLong();
            for (int i = 0; i < GREEDY; i++) {
                Socket s = new Socket();
                s.setReceiveBufferSize(16 * 1024);
                s.connect(address, 5_000);
                greedy.add(s);
                Thread.ofPlatform().daemon(true).start(() -> {
                    try {
                        OutputStream out = s.getOutputStream();
                        while (true) {
                            out.write(request);
                            sent.incrementAndGet();
                        }
                    } catch (Exception closed) {
                        // the test closes the socket
                    }
                });
            }
            long last = -1;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (sent.get() != last && System.nanoTime() < deadline) {
                last = sent.get();
                Thread.sleep(500);
            }
            assertEquals(last, sent.get(), "the greedy clients' writes stalled");
            assertTrue(p.isAlive(), "the server survives: " + read(log));
            try (RawClient c = RawClient.connect(address, Duration.ofSeconds(20))) {
                c.write(RawHttp.get("/"));
                assertEquals("small", RawHttp.read(c).text());
                c.write(RawHttp.get("/heap"));
                long used = Long.parseLong(RawHttp.read(c).text());
                // 8 connections x one 1 MiB answer (plus its copy off the loop) is far below this
                assertTrue(used < 96L << 20, "heap in use after " + sent.get() + " requests sent: " + used);
            }
            assertTrue(!read(log).contains("OutOfMemoryError"), read(log));
        } finally {
            for (Socket s : greedy) {
                s.close();
            }
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
            p.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
