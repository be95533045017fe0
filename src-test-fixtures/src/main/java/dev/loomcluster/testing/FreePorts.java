package dev.loomcluster.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Free TCP ports on the loopback interface.
 *
 * <p>A port is found by binding {@code 127.0.0.1:0} and closing the socket at once, so another process
 * could take it before the caller binds it: prefer {@code listen(0)} and reading the bound port when the
 * code under test allows it. Stateless; any thread.
 */
public final class FreePorts {

    /** {@code 127.0.0.1}. */
    public static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private FreePorts() {
    }

    /** A TCP port that was free on 127.0.0.1 a moment ago. */
    public static int loopbackPort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(LOOPBACK, 0), 1);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free loopback port", e);
        }
    }

    /** {@code 127.0.0.1} at a port that was free a moment ago. */
    public static InetSocketAddress loopbackAddress() {
        return new InetSocketAddress(LOOPBACK, loopbackPort());
    }

    /** {@code 127.0.0.1} at {@code port}. */
    public static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(LOOPBACK, port);
    }
}
