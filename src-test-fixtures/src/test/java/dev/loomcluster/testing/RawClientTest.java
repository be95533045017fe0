package dev.loomcluster.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.EOFException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class RawClientTest {

    @Test
    void echoRoundTripAndDelimitedReads() throws Exception {
        try (EchoServer server = new EchoServer(); RawClient c = RawClient.connect(server.address())) {
            c.write("HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody!tail");
            assertEquals("HTTP/1.1 200 OK\r\nA: b\r\n\r\n", c.readUntil("\r\n\r\n"));
            assertEquals("body!", c.readString(5));
            c.write("xyz");
            assertArrayEquals("tailxyz".getBytes(StandardCharsets.US_ASCII), c.readExactly(7));
            assertFalse(c.isPeerClosed(Duration.ofMillis(50)), "open echo connection looks closed");
            c.shutdownOutput();
            assertTrue(c.isPeerClosed(Duration.ofSeconds(5)), "echo server did not close after our FIN");
            assertEquals(0, c.readToEof().length);
        }
    }

    @Test
    void delimiterSplitAcrossWritesAndOverlappingPrefix() throws Exception {
        try (EchoServer server = new EchoServer(); RawClient c = RawClient.connect(server.address())) {
            c.write("aa\r\n\r");
            c.write("\r\n\r\nrest");
            assertEquals("aa\r\n\r\r\n\r\n", c.readUntil("\r\n\r\n"));
            assertEquals("rest", c.readString(4));
        }
    }

    @Test
    void readToEofAndEarlyEof() throws Exception {
        try (ServerSocket ss = new ServerSocket()) {
            ss.bind(new InetSocketAddress(FreePorts.LOOPBACK, 0));
            Thread server = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 2; i++) {
                    try (Socket s = ss.accept(); OutputStream out = s.getOutputStream()) {
                        out.write("hello".getBytes(StandardCharsets.US_ASCII));
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            try (RawClient c = RawClient.connect(ss.getLocalPort())) {
                assertEquals("hello", c.readStringToEof());
                assertTrue(c.isPeerClosed(Duration.ofMillis(10)));
            }
            try (RawClient c = RawClient.connect(ss.getLocalPort())) {
                UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> c.readExactly(6));
                assertInstanceOf(EOFException.class, e.getCause());
            }
            server.join(5000);
        }
    }

    @Test
    void readTimesOutWithAMessage() throws Exception {
        try (EchoServer server = new EchoServer();
             RawClient c = RawClient.connect(server.address(), Duration.ofMillis(100))) {
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> c.readExactly(1));
            assertInstanceOf(SocketTimeoutException.class, e.getCause());
            assertTrue(e.getMessage().contains("reading 1 bytes"), e.getMessage());
        }
    }

    @Test
    void connectRefusedNamesTheAddress() {
        InetSocketAddress nobody = FreePorts.loopbackAddress();
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> RawClient.connect(nobody));
        assertTrue(e.getMessage().contains(String.valueOf(nobody.getPort())), e.getMessage());
    }
}
