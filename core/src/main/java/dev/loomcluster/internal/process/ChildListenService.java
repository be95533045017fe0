package dev.loomcluster.internal.process;

import dev.loomcluster.internal.loop.EventLoop;
import dev.loomcluster.internal.net.ListenService;
import dev.loomcluster.internal.net.Share;
import dev.loomcluster.internal.net.ShareOwner;
import dev.loomcluster.internal.worker.WorkerRuntime;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.channels.Channel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The listening sockets of a child JVM: it asks its primary, which binds the socket (once per address, for
 * every child) and passes the descriptor; the child {@code dup2}s it onto fd 0 and serves it through
 * {@link System#inheritedChannel()} with ordinary NIO on the worker's loop.
 *
 * <p>{@code SHARED}: the socket is registered with the loop's selector and the loop accepts whenever it is
 * free, from the one kernel queue every child shares. {@code ROUND_ROBIN}: the loop accepts one connection
 * per turn the primary grants, and answers with its load.
 *
 * <p>Limit: {@code inheritedChannel()} wraps fd 0 once per JVM, so a child serves <em>one</em> listening
 * address (it may close its server and listen again on the same address); a second address is refused
 * with an {@link IllegalStateException} that says so.
 *
 * <p>Threads: {@link #listen} on the worker's thread (or any), {@link #reply} and {@link #turn} on whichever
 * thread reads the IPC socket (the reader thread while the worker starts, then the worker's loop);
 * accepting on the worker's loop.
 */
final class ChildListenService implements ListenService {
    private static final long REPLY_TIMEOUT_SECONDS = 30;

    // ---- immutable
    private final ChildMain child;
    private final boolean roundRobin;

    // ---- any thread
    private volatile CompletableFuture<Object> pendingReply;
    private volatile ChildShare active;

    private volatile int fdChannel = -1;    // set by the reader thread, used by listen()

    // ---- under this object's monitor
    private ServerSocketChannel inherited;
    private InetSocketAddress requested;
    private InetSocketAddress bound;

    ChildListenService(ChildMain child, boolean roundRobin) {
        this.child = child;
        this.roundRobin = roundRobin;
    }

    @Override
    public synchronized Share listen(InetSocketAddress address, ShareOwner owner) throws IOException {
        if (active != null) {
            throw new IllegalStateException("a worker in Isolation.PROCESS serves one listening address and already"
                    + " listens on " + bound + "; close that server before listening on " + address);
        }
        if (inherited != null && !sameAddress(address)) {
            throw new IllegalStateException("a worker in Isolation.PROCESS serves one listening address per child JVM"
                    + " (System.inheritedChannel() wraps one socket): it listened on " + bound
                    + " and cannot listen on " + address);
        }
        InetSocketAddress resolved = Ipc.resolvedForRequest(address);
        boolean hasFd = inherited != null;
        CompletableFuture<Object> reply = new CompletableFuture<>();
        pendingReply = reply;
        List<Object> request = new java.util.ArrayList<>(Ipc.address(resolved));
        request.add(hasFd);
        if (!child.sendControl(Ipc.LISTEN, request)) {
            throw new IOException("the channel to the primary is closed");
        }
        Object value;
        try {
            value = child.awaitReply(reply, REPLY_TIMEOUT_SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while the primary binds " + address);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("the primary did not answer the listen request for " + address, e);
        } finally {
            pendingReply = null;
        }
        List<?> l = Ipc.list(Ipc.LISTEN_REPLY, value, 2);
        if (l.get(1) instanceof String message) { // [exception class, message]
            String type = Ipc.field(Ipc.LISTEN_REPLY, l.get(0), "class", String.class);
            if (type.endsWith("BindException")) {
                throw new BindException(message);
            }
            if (type.endsWith("UnsupportedOperationException")) {
                throw new UnsupportedOperationException(message);
            }
            throw new IOException(type + ": " + message);
        }
        InetSocketAddress actual = Ipc.address(Ipc.LISTEN_REPLY, l.get(0), l.get(1));
        if (!hasFd) {
            if (fdChannel < 0) {
                throw new ProtocolException("LISTEN_REPLY frame before the descriptor socket was named");
            }
            NativeSockets.ReceivedFd received = NativeSockets.receiveFd(fdChannel);
            NativeSockets.dup2(received.fd(), 0);
            NativeSockets.close(received.fd());
            Channel ch = System.inheritedChannel();
            if (!(ch instanceof ServerSocketChannel ssc)) {
                throw new IOException("the descriptor from the primary is not a listening socket: " + ch);
            }
            ssc.configureBlocking(false);
            inherited = ssc;
            requested = address;
            bound = actual;
        }
        ChildShare share = new ChildShare(owner, inherited, bound);
        active = share;
        return share;
    }

    private boolean sameAddress(InetSocketAddress a) {
        if (a.equals(requested) || a.equals(bound)) {
            return true;
        }
        return a.getPort() == 0 && requested != null && requested.getPort() == 0
                && a.getHostString().equals(requested.getHostString());
    }

    @Override
    public void closeAll() {
        ChildShare s = active;
        if (s != null) {
            s.close();
        }
    }

    /** The primary answered the listen request. IPC-reading thread. */
    void reply(Object value) throws ProtocolException {
        CompletableFuture<Object> r = pendingReply;
        if (r == null) {
            throw new ProtocolException("LISTEN_REPLY frame with no listen request pending");
        }
        r.complete(value);
    }

    /** The primary names the socket on which it passes the descriptor: connect to it. IPC-reading thread. */
    void connectFdSocket(Object value) throws IOException {
        if (fdChannel >= 0) {
            throw new ProtocolException("a second FD_SOCKET frame");
        }
        String path = Ipc.field(Ipc.FD_SOCKET, Ipc.list(Ipc.FD_SOCKET, value, 1).get(0), "path", String.class);
        fdChannel = NativeSockets.connectUnix(Path.of(path));
    }

    /** The primary grants an accept turn. IPC-reading thread. */
    void turn(long seq) {
        ChildShare s = active;
        if (s == null || !s.takeTurn(seq)) {
            ack(seq, false);
        }
    }

    private void ack(long seq, boolean accepted) {
        WorkerRuntime rt = child.runtime();
        child.sendControl(Ipc.ACK, List.of(seq, accepted, (int) rt.connectionsOpen(), rt.mailboxDepth()));
    }

    /** One server's share of the inherited socket. */
    private final class ChildShare implements Share, EventLoop.IoHandle {
        // ---- immutable
        private final ShareOwner owner;
        private final ServerSocketChannel socket;
        private final InetSocketAddress address;

        // ---- any thread
        private volatile boolean open = true;

        // ---- written on the loop, read by close() on any thread
        private volatile SelectionKey key;

        ChildShare(ShareOwner owner, ServerSocketChannel socket, InetSocketAddress address) {
            this.owner = owner;
            this.socket = socket;
            this.address = address;
            if (!roundRobin) {
                owner.loop().execute(this::register);
            }
        }

        private void register() {
            assert owner.loop().inLoop();
            if (open) {
                try {
                    key = socket.register(owner.loop().selector(), SelectionKey.OP_ACCEPT, this);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException("cannot watch the shared socket " + address, e);
                }
            }
        }

        @Override
        public InetSocketAddress address() {
            return address;
        }

        /** SHARED: connections are queued in the kernel; the loop takes a few each time it is free. */
        @Override
        public void onReady(SelectionKey k) {
            for (int i = 0; i < 16 && open; i++) {
                SocketChannel ch = acceptOne();
                if (ch == null) {
                    return;
                }
                owner.adopt(ch);
            }
        }

        /** ROUND_ROBIN: accepts at most one connection on the loop and answers the turn. Reader thread. */
        boolean takeTurn(long seq) {
            if (!open) {
                return false;
            }
            owner.loop().execute(() -> {
                SocketChannel ch = open ? acceptOne() : null;
                if (ch != null) {
                    owner.adopt(ch);
                }
                ack(seq, ch != null);
            });
            return true;
        }

        private SocketChannel acceptOne() {
            try {
                return socket.accept(); // non-blocking: null when another child took it
            } catch (IOException e) {
                System.getLogger("dev.loomcluster").log(System.Logger.Level.WARNING,
                        "accept on " + address + " failed: " + e);
                return null;
            }
        }

        @Override
        public boolean pollIdle() {
            return false;
        }

        /** The worker is leaving: another process cannot take the connection, so it is closed. */
        @Override
        public void giveBack(SocketChannel channel) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // discarding it
            }
        }

        @Override
        public void close() {
            if (!open) {
                return;
            }
            open = false;
            SelectionKey k = key;
            if (k != null) {
                k.cancel();
            }
            synchronized (ChildListenService.this) {
                if (active == this) {
                    active = null;
                }
            }
            child.sendControl(Ipc.UNLISTEN, null);
        }
    }
}
