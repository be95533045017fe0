package dev.loomcluster.internal.process;

import dev.loomcluster.internal.process.NativeSockets.ListeningSocket;
import dev.loomcluster.internal.process.NativeSockets.PeerCredentials;
import dev.loomcluster.internal.process.NativeSockets.ReceivedFd;
import dev.loomcluster.testing.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** NativeSockets and PrivateSocketDir inside one JVM: descriptor passing over a Unix socket pair, and error paths. */
class NativeSocketsTest {

    private final List<Integer> fds = new ArrayList<>();
    private PrivateSocketDir dir;

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(NativeSockets.isSupported(), "descriptor passing needs Linux");
        dir = PrivateSocketDir.create("lc-test-");
    }

    @AfterEach
    void tearDown() throws IOException {
        for (int fd : fds) {
            NativeSockets.closeQuietly(fd);
        }
        if (dir != null) {
            dir.close();
        }
    }

    private int track(int fd) {
        fds.add(fd);
        return fd;
    }

    /** A connected Unix socket pair made with listenUnix/connectUnix/accept: {client, server}. */
    private int[] unixPair(String name) throws IOException {
        Path path = dir.socketPath(name);
        int listener = track(NativeSockets.listenUnix(path, 4));
        int client = track(NativeSockets.connectUnix(path));
        int server = track(NativeSockets.accept(listener));
        dir.unlink(path);
        assertFalse(Files.exists(path));
        return new int[] {client, server};
    }

    @Test
    void isSupportedOnLinux() {
        assertEquals(System.getProperty("os.name").equals("Linux"), NativeSockets.isSupported());
        NativeSockets.requireSupported("test");
    }

    @Test
    void passedListeningSocketAcceptsConnections() throws IOException {
        ListeningSocket listening = NativeSockets.listenTcp(new InetSocketAddress(FreePorts.LOOPBACK, 0), 16);
        track(listening.fd());
        assertEquals(FreePorts.LOOPBACK, listening.localAddress().getAddress());
        assertTrue(listening.localAddress().getPort() > 0);
        int[] pair = unixPair("pass");

        NativeSockets.sendFd(pair[0], listening.fd(), "127.0.0.1:x".getBytes(StandardCharsets.UTF_8));
        ReceivedFd received = NativeSockets.receiveFd(pair[1]);
        int fd = track(received.fd());
        assertNotEquals(listening.fd(), fd);
        assertEquals("127.0.0.1:x", new String(received.payload(), StandardCharsets.UTF_8));
        // The original can go: the received descriptor keeps the socket open.
        NativeSockets.close(listening.fd());
        fds.remove((Integer) listening.fd());
        assertEquals(listening.localAddress(), NativeSockets.localAddress(fd));

        try (Socket client = new Socket(listening.localAddress().getAddress(), listening.localAddress().getPort())) {
            client.setSoTimeout(10_000);
            assertEquals(NativeSockets.POLLIN, NativeSockets.poll(fd, NativeSockets.POLLIN, 10_000) & NativeSockets.POLLIN);
            int conn = track(NativeSockets.accept(fd));
            byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
            NativeSockets.sendFully(conn, hello, 0, hello.length);
            assertArrayEquals(hello, client.getInputStream().readNBytes(hello.length));
            client.getOutputStream().write("back".getBytes(StandardCharsets.US_ASCII));
            byte[] buf = new byte[16];
            int n = 0;
            while (n < 4) {
                int r = NativeSockets.receive(conn, buf, n, buf.length - n);
                assertTrue(r > 0, "data before EOF");
                n += r;
            }
            assertEquals("back", new String(buf, 0, n, StandardCharsets.US_ASCII));
            client.shutdownOutput();
            assertEquals(-1, NativeSockets.receive(conn, buf, 0, buf.length));
        }
    }

    @Test
    void nonBlockingAcceptAndPollTimeout() throws IOException {
        ListeningSocket listening = NativeSockets.listenTcp(new InetSocketAddress(FreePorts.LOOPBACK, 0), 4);
        int fd = track(listening.fd());
        assertEquals(0, NativeSockets.poll(fd, NativeSockets.POLLIN, 0));
        assertEquals(0, NativeSockets.poll(fd, NativeSockets.POLLIN, 20));
        NativeSockets.setNonBlocking(fd, true);
        assertEquals(-1, NativeSockets.accept(fd), "nothing queued");
        try (Socket client = new Socket(listening.localAddress().getAddress(), listening.localAddress().getPort())) {
            assertTrue((NativeSockets.poll(fd, NativeSockets.POLLIN, 10_000) & NativeSockets.POLLIN) != 0);
            int conn = track(NativeSockets.accept(fd));
            assertTrue(conn >= 0);
            assertEquals(-1, NativeSockets.accept(fd), "one connection, accepted once");
            assertTrue(client.isConnected());
        }
        NativeSockets.setNonBlocking(fd, false);
    }

    @Test
    void listensOnIpv6Loopback() throws IOException {
        InetAddress v6 = InetAddress.getByName("::1");
        assumeTrue(v6 instanceof Inet6Address);
        ListeningSocket listening;
        try {
            listening = NativeSockets.listenTcp(new InetSocketAddress(v6, 0), 4);
        } catch (IOException e) {
            assumeTrue(false, "no IPv6 loopback here: " + e.getMessage());
            return;
        }
        int fd = track(listening.fd());
        assertEquals(v6, listening.localAddress().getAddress());
        try (Socket client = new Socket(v6, listening.localAddress().getPort())) {
            int conn = track(NativeSockets.accept(fd));
            NativeSockets.sendFully(conn, new byte[] {42}, 0, 1);
            client.setSoTimeout(10_000);
            assertEquals(42, client.getInputStream().read());
        }
    }

    @Test
    void sendFdOnClosedDescriptorNamesSendmsgAndErrno() throws IOException {
        int[] pair = unixPair("closed");
        NativeSockets.close(pair[0]);
        fds.remove((Integer) pair[0]);
        IOException e = assertThrows(IOException.class, () -> NativeSockets.sendFd(pair[0], pair[1], new byte[] {1}));
        assertTrue(e.getMessage().startsWith("sendmsg"), e.getMessage());
        assertTrue(e.getMessage().contains("Bad file descriptor (errno 9)"), e.getMessage());
    }

    @Test
    void errorsNameTheCallAndTheErrnoText() throws IOException {
        Path missing = dir.socketPath("missing");
        ConnectException refused = assertThrows(ConnectException.class, () -> NativeSockets.connectUnix(missing));
        assertTrue(refused.getMessage().contains("connect(" + missing + ")"), refused.getMessage());
        assertTrue(refused.getMessage().contains("No such file or directory"), refused.getMessage());

        try (ServerSocketChannel taken = ServerSocketChannel.open()) {
            taken.bind(new InetSocketAddress(FreePorts.LOOPBACK, 0));
            InetSocketAddress address = (InetSocketAddress) taken.getLocalAddress();
            BindException inUse = assertThrows(BindException.class, () -> NativeSockets.listenTcp(address, 4));
            assertTrue(inUse.getMessage().startsWith("bind(" + address + ")"), inUse.getMessage());
            assertTrue(inUse.getMessage().contains("Address already in use"), inUse.getMessage());
        }
        int[] pair = unixPair("gone");
        NativeSockets.close(pair[0]);
        fds.remove((Integer) pair[0]);
        IOException notOpen = assertThrows(IOException.class, () -> NativeSockets.poll(pair[0], NativeSockets.POLLIN, 0));
        assertTrue(notOpen.getMessage().startsWith("poll(fd " + pair[0] + ")"), notOpen.getMessage());
        assertTrue(notOpen.getMessage().contains("POLLNVAL"), notOpen.getMessage());
        IOException dup = assertThrows(IOException.class, () -> NativeSockets.dup2(pair[0], pair[1]));
        assertTrue(dup.getMessage().startsWith("dup2(" + pair[0] + ", " + pair[1] + ")"), dup.getMessage());
        assertTrue(dup.getMessage().contains("Bad file descriptor"), dup.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NativeSockets.poll(-1, NativeSockets.POLLIN, 0));
    }

    @Test
    void receiveFdRefusesFramesWithoutExactlyOneDescriptorAndClosesWhatArrived() throws IOException {
        // A refused frame leaves the stream out of step, so each case has its own socket pair.
        int[] pair = unixPair("refuse0");
        // No descriptor: a bare header.
        NativeSockets.sendFully(pair[0], new byte[] {0, 0, 0, 0}, 0, 4);
        IOException none = assertThrows(IOException.class, () -> NativeSockets.receiveFd(pair[1]));
        assertTrue(none.getMessage().contains("received 0"), none.getMessage());

        // Two descriptors of one listening socket: both must be closed by the refusal, so once the
        // original is closed too, nothing listens any more.
        ListeningSocket listening = NativeSockets.listenTcp(new InetSocketAddress(FreePorts.LOOPBACK, 0), 4);
        int[] pair2 = unixPair("refuse2");
        NativeSockets.sendFds(pair2[0], new int[] {listening.fd(), listening.fd()}, new byte[] {7});
        IOException two = assertThrows(IOException.class, () -> NativeSockets.receiveFd(pair2[1]));
        assertTrue(two.getMessage().contains("received 2"), two.getMessage());
        NativeSockets.close(listening.fd());
        assertThrows(java.net.ConnectException.class,
                () -> new Socket(listening.localAddress().getAddress(), listening.localAddress().getPort()).close());

        // The sender refuses a payload over the limit.
        ListeningSocket again = NativeSockets.listenTcp(new InetSocketAddress(FreePorts.LOOPBACK, 0), 4);
        track(again.fd());
        assertThrows(IllegalArgumentException.class,
                () -> NativeSockets.sendFd(pair[0], again.fd(), new byte[NativeSockets.MAX_PAYLOAD + 1]));

        // Peer closes before a frame: EOF.
        int[] pair3 = unixPair("eof");
        NativeSockets.close(pair3[0]);
        fds.remove((Integer) pair3[0]);
        EOFException eof = assertThrows(EOFException.class, () -> NativeSockets.receiveFd(pair3[1]));
        assertTrue(eof.getMessage().contains("peer closed"), eof.getMessage());
    }

    @Test
    void largestPayloadRoundTrips() throws IOException {
        int[] pair = unixPair("large");
        byte[] payload = new byte[NativeSockets.MAX_PAYLOAD];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31);
        }
        NativeSockets.sendFd(pair[0], pair[0], payload);
        ReceivedFd received = NativeSockets.receiveFd(pair[1]);
        track(received.fd());
        assertArrayEquals(payload, received.payload());
        // An empty payload still carries its descriptor (the header is the byte it rides on).
        NativeSockets.sendFd(pair[0], pair[0], new byte[0]);
        ReceivedFd empty = NativeSockets.receiveFd(pair[1]);
        track(empty.fd());
        assertEquals(0, empty.payload().length);
    }

    @Test
    void peerCredentialsNameThisProcess() throws IOException {
        int[] pair = unixPair("cred");
        PeerCredentials cred = NativeSockets.peerCredentials(pair[1]);
        assertEquals(ProcessHandle.current().pid(), cred.pid());
        int fileOwner = (Integer) Files.getAttribute(dir.directory(), "unix:uid");
        assertEquals(fileOwner, cred.uid());
        assertEquals(fileOwner, NativeSockets.currentUid());

        // A JDK Unix channel as the peer: the listener sees this process too.
        Path path = dir.socketPath("jdk");
        int listener = track(NativeSockets.listenUnix(path, 1));
        try (SocketChannel jdkClient = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            int accepted = track(NativeSockets.accept(listener));
            assertEquals(cred, NativeSockets.peerCredentials(accepted));
            jdkClient.write(ByteBuffer.wrap(new byte[] {9}));
            byte[] one = new byte[1];
            assertEquals(1, NativeSockets.receive(accepted, one, 0, 1));
            assertEquals(9, one[0]);
        }
    }

    @Test
    void privateSocketDirIsOwnerOnlyAndChecksPathLength() throws IOException {
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.directory())));
        assertThrows(IllegalArgumentException.class, () -> dir.socketPath("../escape"));
        assertThrows(IllegalArgumentException.class, () -> dir.unlink(Path.of("/tmp/elsewhere")));
        Path deep = dir.directory().resolve("d".repeat(80));
        Files.createDirectory(deep);
        try (PrivateSocketDir tooDeep = PrivateSocketDir.create(deep, "x")) {
            IOException e = assertThrows(IOException.class, () -> tooDeep.socketPath("s".repeat(40)));
            assertTrue(e.getMessage().contains("sun_path"), e.getMessage());
        }
        Path socket = dir.socketPath("left");
        track(NativeSockets.listenUnix(socket, 1));
        dir.close();
        assertFalse(Files.exists(dir.directory()));
        dir = null;
    }
}
