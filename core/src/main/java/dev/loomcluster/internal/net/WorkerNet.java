package dev.loomcluster.internal.net;

import dev.loomcluster.Connection;
import dev.loomcluster.ConnectionHandler;
import dev.loomcluster.NetServer;
import dev.loomcluster.internal.loop.EventLoop;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * The networking of one worker: its servers (shares of listening sockets) and its open connections, all
 * owned by the worker's loop. {@link #listen} and {@link #stopListening} may be called from any thread;
 * methods marked "loop" run on the worker's loop; {@link #close} runs where the worker ends (its loop
 * thread, or the primary loop when that thread is abandoned).
 */
public final class WorkerNet {
    private static final int READ_BUFFER_SIZE = 64 * 1024;
    /** Heap bytes up to this size are copied into {@link #writeBuffer()} to be written. */
    static final int WRITE_BUFFER_SIZE = 64 * 1024;

    // ---- immutable
    private final EventLoop loop;
    private final ListenService service;
    private final Runnable onDrained;

    // ---- any thread
    private final CopyOnWriteArrayList<NetServerImpl> servers = new CopyOnWriteArrayList<>();
    private final Set<ConnectionImpl> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean accepting = true;
    private volatile long connectionsReceived;   // written by the loop only

    // ---- loop
    private ByteBuffer readBuffer;
    private ByteBuffer writeBuffer;

    /**
     * @param loop      the worker's loop
     * @param service   where listening sockets come from
     * @param onDrained run on the loop each time a connection closes (a disconnecting worker exits when
     *                  none is left)
     */
    public WorkerNet(EventLoop loop, ListenService service, Runnable onDrained) {
        this.loop = loop;
        this.service = service;
        this.onDrained = onDrained;
    }

    EventLoop loop() {
        return loop;
    }

    /** Joins the socket on {@code address}. Any thread. */
    public NetServer listen(InetSocketAddress address, Function<Connection, ConnectionHandler> handlers)
            throws IOException {
        NetServerImpl server = NetServerImpl.listen(this, service, address, handlers);
        servers.add(server);
        return server;
    }

    /** Loop, about to wait: takes a connection from a shared accept queue; {@code true} if one came. */
    public boolean pollIdle() {
        boolean found = false;
        for (NetServerImpl server : servers) {
            found |= server.share().pollIdle();
        }
        return found;
    }

    /** Stops taking new connections: every share closes, and what it still queued goes to other workers. */
    public void stopListening() {
        for (NetServerImpl server : servers) {
            server.close();
        }
    }

    /** Loop: tells every open connection's handler that the worker is disconnecting. */
    public void notifyDisconnect() {
        assert loop.inLoop();
        for (ConnectionImpl c : connections) {
            c.onWorkerDisconnect();
        }
    }

    /** Whether any connection is still open. */
    public boolean hasConnections() {
        return !connections.isEmpty();
    }

    public long connectionsReceived() {
        return connectionsReceived;
    }

    public long connectionsOpen() {
        return connections.size();
    }

    /**
     * The worker is ending: takes no more connections, closes its shares (queued connections go to other
     * workers) and its connections, telling their handlers only if {@code notifyHandlers} and on the loop.
     */
    public void close(boolean notifyHandlers) {
        accepting = false;
        stopListening();
        servers.clear();
        for (ConnectionImpl c : connections) {
            c.closeFromOwnerExit(notifyHandlers);
        }
        connections.clear();
    }

    /** Loop: registers a channel accepted for {@code server} with this loop and opens its handler. */
    void adopt(SocketChannel channel, NetServerImpl server) {
        assert loop.inLoop();
        if (!accepting) {
            server.share().giveBack(channel);
            return;
        }
        ConnectionImpl c;
        try {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            c = new ConnectionImpl(this, channel, server);
            c.register(loop.selector());
        } catch (IOException e) {
            SharedServer.closeQuietly(channel);
            return;
        }
        connectionsReceived++;
        connections.add(c);
        server.connectionOpened();
        c.open(server.handlers());
    }

    /** Loop: a connection closed. */
    void connectionClosed(ConnectionImpl c) {
        if (connections.remove(c)) {
            c.server().connectionClosed();
        }
        onDrained.run();
    }

    /** Loop: the read buffer shared by this loop's connections, valid during one {@code onData} call. */
    ByteBuffer readBuffer() {
        ByteBuffer b = readBuffer;
        if (b == null) {
            b = readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_SIZE);
        }
        return b;
    }

    /**
     * Loop: the direct buffer this loop's connections copy heap bytes into for one {@code write} call, so
     * that the JDK does not look up and copy into a temporary direct buffer of its own per write.
     */
    ByteBuffer writeBuffer() {
        ByteBuffer b = writeBuffer;
        if (b == null) {
            b = writeBuffer = ByteBuffer.allocateDirect(WRITE_BUFFER_SIZE);
        }
        return b;
    }
}
