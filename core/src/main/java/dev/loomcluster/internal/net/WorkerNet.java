package dev.loomcluster.internal.net;

import dev.loomcluster.Connection;
import dev.loomcluster.ConnectionHandler;
import dev.loomcluster.NetServer;
import dev.loomcluster.internal.loop.EventLoop;
import dev.loomcluster.internal.observe.Log;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
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
    /** Connections sent to this worker with a message, waiting for its loop (MPMC: any sender, loop or closer). */
    private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
    private volatile BiFunction<Object, Connection, ConnectionHandler> receiver;

    // ---- loop
    private ByteBuffer readBuffer;
    private ByteBuffer writeBuffer;
    private boolean disconnecting;

    /** A connection sent to this worker, with the message it came with. */
    private record Received(Object message, Transfer transfer) {
    }

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
        disconnecting = true;
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
        Received r;
        while ((r = received.poll()) != null) {
            r.transfer().close();
        }
    }

    /** Loop: registers a channel accepted for {@code server} with this loop and opens its handler. */
    void adopt(SocketChannel channel, NetServerImpl server) {
        assert loop.inLoop();
        if (!accepting) {
            server.share().giveBack(channel);
            return;
        }
        try {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        } catch (IOException e) {
            Log.peerFailure("setting up an accepted connection", channel, e);
            SharedServer.closeQuietly(channel);
            return;
        }
        open(channel, server, null, server.handlers());
    }

    /**
     * Loop: adopts a connection another worker of this address handed over: a new connection object and
     * a new handler from {@code server}'s factory, then the carried input, then reads.
     */
    void adoptTransfer(Transfer transfer, NetServerImpl server) {
        assert loop.inLoop();
        if (!accepting) {
            if (!server.share().handOver(transfer)) {
                transfer.close(); // this worker is ending and no other listens: nobody can serve it
            }
            return;
        }
        open(transfer.channel(), server, transfer.carried(), server.handlers());
    }

    /**
     * Takes a connection sent to this worker with a message ({@code worker.send(message, connection)});
     * the worker's receiver is asked for its handler on the loop. Any thread. Returns {@code false}, and
     * leaves the connection to the caller, if this worker is ending.
     */
    public boolean receive(Object message, Transfer transfer) {
        if (!accepting) {
            return false;
        }
        received.offer(new Received(message, transfer));
        if (!accepting && received.remove(new Received(message, transfer))) {
            return false;
        }
        loop.execute(this::drainReceived);
        return true;
    }

    /**
     * Sets what makes handlers for connections sent to this worker ({@code null} clears it: they are
     * closed). Any thread.
     */
    public void receiver(BiFunction<Object, Connection, ConnectionHandler> receiver) {
        this.receiver = receiver;
    }

    /**
     * Loop: takes one of this worker's connections off its loop with its unconsumed input, if
     * {@code offer} takes the transfer; false if it is not this worker's, or cannot leave now (see
     * {@code Connection.handOver}).
     */
    public boolean detach(Connection connection, ByteBuffer unconsumed, java.util.function.Predicate<Transfer> offer) {
        assert loop.inLoop();
        return connection instanceof ConnectionImpl c && connections.contains(c) && c.detach(unconsumed, offer);
    }

    private void drainReceived() {
        Received r;
        while (accepting && (r = received.poll()) != null) {
            var factory = receiver;
            if (factory == null) {
                r.transfer().close();
                continue;
            }
            Object message = r.message();
            open(r.transfer().channel(), null, r.transfer().carried(), c -> factory.apply(message, c));
        }
    }

    private void open(SocketChannel channel, NetServerImpl server, ByteBuffer carried,
                      Function<Connection, ConnectionHandler> handlers) {
        ConnectionImpl c;
        try {
            c = new ConnectionImpl(this, channel, server, carried);
            c.register(loop.selector());
        } catch (IOException | RuntimeException e) {
            SharedServer.closeQuietly(channel);
            return;
        }
        connectionsReceived++;
        connections.add(c);
        if (server != null) {
            server.connectionOpened();
        }
        c.open(handlers);
        if (disconnecting) {
            c.onWorkerDisconnect();
        }
    }

    /** Loop: a connection closed. */
    void connectionClosed(ConnectionImpl c) {
        if (connections.remove(c) && c.server() != null) {
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
