package dev.loomcluster.internal.process;

import dev.loomcluster.internal.process.NativeSockets.ListeningSocket;
import dev.loomcluster.testing.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Child JVMs that inherit a listening socket passed over a Unix socket: one child serving it through
 * {@link System#inheritedChannel()}, and two children sharing it by accept turns the parent hands out.
 */
class ChildJvmTest {

    private static final Duration START = Duration.ofSeconds(30);
    private static final Duration EXIT = Duration.ofSeconds(20);

    @TempDir
    Path logs;

    private final List<Integer> fds = new ArrayList<>();
    private final List<ChildJvm> children = new ArrayList<>();
    private PrivateSocketDir dir;

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(NativeSockets.isSupported(), "descriptor passing needs Linux");
        dir = PrivateSocketDir.create("lc-child-");
    }

    @AfterEach
    void tearDown() throws IOException, InterruptedException {
        for (ChildJvm child : children) {
            child.close();
        }
        for (int fd : fds) {
            NativeSockets.closeQuietly(fd);
        }
        dir.close();
    }

    private int track(int fd) {
        fds.add(fd);
        return fd;
    }

    /**
     * Starts a child with its own Unix socket, accepts its connection (checking that the peer is that child,
     * run by this user), unlinks the socket's name and sends it {@code listeningFd} with {@code payload}.
     *
     * @return the parent's end of the child's Unix socket
     */
    private int startChild(Class<?> main, String name, int listeningFd, byte[] payload) throws IOException {
        Path socket = dir.socketPath(name + ".sock");
        int udsListener = track(NativeSockets.listenUnix(socket, 1));
        ChildJvm child = ChildJvm.start(main, logs.resolve(name + ".log"), Map.of(ChildJvm.SOCKET_ENV, socket.toString()));
        children.add(child);
        long deadline = System.nanoTime() + START.toNanos();
        while (NativeSockets.poll(udsListener, NativeSockets.POLLIN, 100) == 0) {
            if (!child.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("child " + name + " did not connect; alive=" + child.isAlive()
                        + "; its output:\n" + child.output());
            }
        }
        int ipc = track(NativeSockets.accept(udsListener));
        dir.unlink(socket);
        NativeSockets.PeerCredentials peer = NativeSockets.peerCredentials(ipc);
        assertEquals(child.pid(), peer.pid(), "the peer is the child we started");
        assertEquals(NativeSockets.currentUid(), peer.uid());
        NativeSockets.sendFd(ipc, listeningFd, payload);
        return ipc;
    }

    private ChildJvm child(int index) {
        return children.get(index);
    }

    @Test
    void childServesInheritedListeningSocket() throws Exception {
        ListeningSocket listening = NativeSockets.listenTcp(new InetSocketAddress(FreePorts.LOOPBACK, 0), 16);
        track(listening.fd());
        startChild(EchoChild.class, "echo", listening.fd(), new byte[] {'E'});
        assertFalse(Files.exists(dir.socketPath("echo.sock")), "socket name unlinked after connect");
        // The child's descriptor alone keeps the socket listening from here on.
        NativeSockets.close(listening.fd());
        fds.remove((Integer) listening.fd());

        InetSocketAddress address = listening.localAddress();
        for (int i = 0; i < EchoChild.CONNECTIONS; i++) {
            try (Socket client = new Socket(address.getAddress(), address.getPort())) {
                client.setSoTimeout(20_000);
                String line = "ping " + i + " from " + ProcessHandle.current().pid() + "\n";
                OutputStream out = client.getOutputStream();
                out.write(line.getBytes(StandardCharsets.UTF_8));
                out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
                assertEquals(line.strip(), in.readLine(), () -> "echo; child output:\n" + child(0).output());
                client.shutdownOutput();
                assertEquals(-1, in.read(), "the child closes after echoing");
            }
        }
        assertEquals(0, child(0).awaitExit(EXIT), () -> child(0).output());
    }

    @Test
    void twoChildrenShareOneListeningSocketByAcceptTurns() throws Exception {
        int connections = 20;
        ListeningSocket listening = NativeSockets.listenTcp(new InetSocketAddress(FreePorts.LOOPBACK, 0), 64);
        int listener = track(listening.fd());
        NativeSockets.setNonBlocking(listener, true);
        int[] ipc = {
            startChild(TurnChild.class, "a", listener, new byte[] {'A'}),
            startChild(TurnChild.class, "b", listener, new byte[] {'B'}),
        };

        List<SocketChannel> clients = new ArrayList<>();
        try {
            for (int i = 0; i < connections; i++) {
                clients.add(SocketChannel.open(listening.localAddress()));     // completed by the kernel's backlog
            }
            int[] accepted = new int[2];
            byte[] turn = {TurnChild.TURN};
            byte[] answer = new byte[1];
            for (int i = 0; i < connections; i++) {
                int revents = NativeSockets.poll(listener, NativeSockets.POLLIN, 20_000);
                assertEquals(NativeSockets.POLLIN, revents & NativeSockets.POLLIN, "connection " + i + " queued");
                int next = i % 2;
                NativeSockets.sendFully(ipc[next], turn, 0, 1);
                assertEquals(1, NativeSockets.receive(ipc[next], answer, 0, 1), () -> child(next).output());
                assertEquals(TurnChild.ACCEPTED, answer[0], "child " + next + " accepted on its turn");
                accepted[next]++;
            }
            assertEquals(0, NativeSockets.poll(listener, NativeSockets.POLLIN, 0), "nothing left in the queue");
            assertEquals(10, accepted[0]);
            assertEquals(10, accepted[1]);

            int servedByA = 0;
            int servedByB = 0;
            for (SocketChannel client : clients) {
                ByteBuffer name = ByteBuffer.allocate(2);
                while (client.read(name) >= 0) {
                    assertTrue(name.position() <= 1, "one byte per connection");
                }
                assertEquals(1, name.position());
                switch (name.get(0)) {
                    case 'A' -> servedByA++;
                    case 'B' -> servedByB++;
                    default -> throw new AssertionError("unexpected name " + name.get(0));
                }
            }
            assertEquals(10, servedByA, "connections served by child A");
            assertEquals(10, servedByB, "connections served by child B");
        } finally {
            for (SocketChannel client : clients) {
                client.close();
            }
        }
        // Closing the Unix sockets is the children's signal to exit.
        for (int fd : ipc) {
            NativeSockets.close(fd);
            fds.remove((Integer) fd);
        }
        assertEquals(0, child(0).awaitExit(EXIT), () -> child(0).output());
        assertEquals(0, child(1).awaitExit(EXIT), () -> child(1).output());
    }
}
