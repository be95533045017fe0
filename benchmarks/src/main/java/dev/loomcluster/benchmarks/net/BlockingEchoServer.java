package dev.loomcluster.benchmarks.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;

/**
 * A second, simpler baseline: one blocking {@link ServerSocket} and one platform thread that serves one
 * connection at a time, start to finish (accept, echo each read until end of stream, close). Other
 * clients wait in the kernel's backlog meanwhile.
 *
 * <p>Threads: the loop runs on its own platform thread named {@code blocking-echo}; {@link #close()}
 * (any thread) closes the socket and waits for it to end.
 */
final class BlockingEchoServer implements EchoServer {

    private final ServerSocket server;
    private final Thread loop;

    BlockingEchoServer(InetSocketAddress bind, int backlog) throws IOException {
        server = new ServerSocket();
        server.bind(bind, backlog);
        loop = Thread.ofPlatform().name("blocking-echo").start(this::run);
    }

    @Override
    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    private void run() {
        byte[] buffer = new byte[64 * 1024];
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                s.setTcpNoDelay(true);
                s.setSoTimeout(10_000);
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                int n;
                while ((n = in.read(buffer)) > 0) {
                    out.write(buffer, 0, n);
                }
            } catch (SocketException e) {
                if (server.isClosed()) {
                    return;
                }
            } catch (IOException e) {
                // one client failed; serve the next
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        EchoServer.joinQuietly(loop, 15_000);
    }
}
