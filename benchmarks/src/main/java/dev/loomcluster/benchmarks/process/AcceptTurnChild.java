package dev.loomcluster.benchmarks.process;

import dev.loomcluster.internal.process.NativeSockets;
import dev.loomcluster.internal.process.NativeSockets.ReceivedFd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * Child JVM main of {@link AcceptTurnBenchmark}: connects to the Unix socket named by
 * {@value #SOCKET_ENV}, receives the listening descriptor, {@code dup2}s it onto fd 0 and takes
 * {@link System#inheritedChannel()} (non-blocking). For each turn byte it accepts at most one connection,
 * writes one byte to it and closes it, then answers {@code '1'} (accepted) or {@code '0'} (nothing queued).
 * Exits when the Unix socket reaches end of stream; a watchdog ends it after 10 minutes regardless.
 * Runs on its main thread.
 */
public final class AcceptTurnChild {
    static final String SOCKET_ENV = "LOOMCLUSTER_FD_SOCKET";

    private AcceptTurnChild() {
    }

    public static void main(String[] args) throws IOException {
        Thread.ofPlatform().daemon(true).start(() -> {
            try {
                Thread.sleep(600_000);
            } catch (InterruptedException e) {
                return;
            }
            Runtime.getRuntime().halt(3);
        });
        int ipc = NativeSockets.connectUnix(Path.of(System.getenv(SOCKET_ENV)));
        ReceivedFd received = NativeSockets.receiveFd(ipc);
        NativeSockets.dup2(received.fd(), 0);
        NativeSockets.close(received.fd());
        if (!(System.inheritedChannel() instanceof ServerSocketChannel listener)) {
            System.err.println("inheritedChannel() is not a ServerSocketChannel");
            System.exit(2);
            return;
        }
        listener.configureBlocking(false);
        ByteBuffer hello = ByteBuffer.allocate(1).put(0, (byte) 'C');
        byte[] turn = new byte[1];
        byte[] answer = new byte[1];
        while (NativeSockets.receive(ipc, turn, 0, 1) > 0) {
            answer[0] = '0';
            try (SocketChannel conn = listener.accept()) {
                if (conn != null) {
                    conn.write(hello.clear());
                    answer[0] = '1';
                }
            }
            NativeSockets.sendFully(ipc, answer, 0, 1);
        }
        System.exit(0);
    }
}
