package dev.loomcluster.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class EchoLoadTest {

    @Test
    void countBoundedRunCompletesEveryConnection() throws Exception {
        try (EchoServer server = new EchoServer()) {
            EchoLoad.Result r = EchoLoad.to(server.address()).threads(3).payloadBytes(100).roundTrips(2)
                    .connections(300).run();
            assertEquals(0, r.errors(), r::toString);
            assertEquals(300, r.connections());
            assertEquals(300, r.samples());
            assertEquals(300, server.accepted.get());
            assertTrue(r.p50Nanos() > 0 && r.p50Nanos() <= r.p99Nanos() && r.p99Nanos() <= r.maxNanos(), r::toString);
            assertTrue(r.connectionsPerSecond() > 0);
        }
    }

    @Test
    void durationBoundedRunStopsInTime() throws Exception {
        try (EchoServer server = new EchoServer()) {
            EchoLoad.Result r = EchoLoad.to(server.address()).threads(2).duration(Duration.ofMillis(300)).run();
            assertEquals(0, r.errors(), r::toString);
            assertTrue(r.connections() > 0, r::toString);
            assertTrue(r.elapsed().toMillis() < 5_000, r::toString);
            assertEquals(r.connections(), server.accepted.get());
        }
    }

    @Test
    void closeWithoutAwaitingTheServer() throws Exception {
        try (EchoServer server = new EchoServer()) {
            EchoLoad.Result r = EchoLoad.to(server.address()).awaitServerClose(false).connections(50).run();
            assertEquals(0, r.errors(), r::toString);
            assertEquals(50, r.connections());
        }
    }

    @Test
    void wrongEchoCountsAsError() throws Exception {
        try (EchoServer server = new EchoServer(bytes -> {
            byte[] copy = bytes.clone();
            copy[0] ^= 1;
            return copy;
        })) {
            EchoLoad.Result r = EchoLoad.to(server.address()).payloadBytes(8).connections(5).run();
            assertEquals(0, r.connections());
            assertEquals(5, r.errors());
            assertTrue(r.errorSamples().getFirst().contains("differs"), r.errorSamples()::toString);
        }
    }

    @Test
    void refusedConnectionsAreErrorsAndMaxErrorsStops() {
        InetSocketAddress nobody = FreePorts.loopbackAddress();
        EchoLoad.Result r = EchoLoad.to(nobody).threads(2).timeout(Duration.ofSeconds(1)).connections(1_000)
                .maxErrors(10).run();
        assertEquals(0, r.connections());
        assertTrue(r.errors() >= 10 && r.errors() < 1_000, r::toString);
        assertTrue(r.errorSamples().size() <= EchoLoad.Result.MAX_SAMPLES);
        assertEquals(0, r.p50Nanos());
    }

    @Test
    void unboundedLoadIsRefused() {
        assertThrows(IllegalStateException.class, () -> EchoLoad.to(1).run());
    }

    @Test
    void loadThreadsAreGoneAfterRun() throws Exception {
        try (EchoServer server = new EchoServer()) {
            EchoLoad.to(server.address()).threads(4).connections(20).run();
            assertTrue(Threads.platform().stream().noneMatch(n -> n.startsWith("echo-load-")), Threads.platform()::toString);
        }
    }
}
