package dev.loomcluster.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * A tiny blocking echo server for the fixtures' own tests: one acceptor platform thread, one virtual
 * thread per connection, which echoes what it reads (through {@code transform}) and closes when the peer
 * half-closes.
 */
final class EchoServer implements AutoCloseable {
    private final ServerSocket server;
    private final Thread acceptor;
    private final ExecutorService connections = Executors.newVirtualThreadPerTaskExecutor();
    final AtomicLong accepted = new AtomicLong();

    EchoServer() throws IOException {
        this(UnaryOperator.identity());
    }

    EchoServer(UnaryOperator<byte[]> transform) throws IOException {
        server = new ServerSocket();
        server.bind(new InetSocketAddress(FreePorts.LOOPBACK, 0), 512);
        acceptor = Thread.ofPlatform().name("test-echo-acceptor").start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    accepted.incrementAndGet();
                    connections.execute(() -> echo(s, transform));
                } catch (IOException e) {
                    return; // closed
                }
            }
        });
    }

    InetSocketAddress address() {
        return new InetSocketAddress(FreePorts.LOOPBACK, server.getLocalPort());
    }

    private static void echo(Socket s, UnaryOperator<byte[]> transform) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[4096];
            int n;
            while ((n = in.read(buf)) > 0) {
                byte[] chunk = new byte[n];
                System.arraycopy(buf, 0, chunk, 0, n);
                out.write(transform.apply(chunk));
            }
        } catch (IOException ignored) {
            // the client went away
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        try {
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connections.shutdownNow();
        connections.close();
    }
}
