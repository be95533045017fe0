package dev.loomcluster.net;

import dev.loomcluster.Connection;
import dev.loomcluster.ConnectionHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** An echo handler for worker loops, and a blocking echo client for test threads. */
final class Echo implements ConnectionHandler {
    static final Echo HANDLER = new Echo();

    @Override
    public void onData(Connection connection, ByteBuffer data) {
        connection.write(data);
    }

    /** Connects, sends {@code payload}, reads it back whole, half-closes and waits for the server's close. */
    static byte[] roundTrip(InetSocketAddress address, byte[] payload) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", address.getPort()), 5_000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(payload);
            out.flush();
            InputStream in = s.getInputStream();
            byte[] got = in.readNBytes(payload.length);
            s.shutdownOutput();
            if (in.read() != -1) {
                throw new IOException("expected the server to close after echoing");
            }
            return got;
        }
    }

    static void assertEcho(InetSocketAddress address, String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] got = roundTrip(address, payload);
        if (!Arrays.equals(payload, got)) {
            throw new AssertionError("echo mismatch: sent " + payload.length + " bytes, got " + got.length);
        }
    }
}
