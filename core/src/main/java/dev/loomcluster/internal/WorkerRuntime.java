package dev.loomcluster.internal;

import dev.loomcluster.Cancellable;
import dev.loomcluster.Connection;
import dev.loomcluster.ConnectionHandler;
import dev.loomcluster.ExitStatus;
import dev.loomcluster.NetServer;
import dev.loomcluster.Registration;
import dev.loomcluster.ThreadKind;
import dev.loomcluster.WorkerContext;
import dev.loomcluster.WorkerMain;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One worker as it runs: its event loop, handlers, shares of listening sockets and connections
 * ({@link WorkerContext} for user code). {@link #run()} runs on the worker's own thread (platform or
 * virtual, per {@link ThreadKind}); the public methods may be called from any thread and hand their work
 * to the loop.
 */
public final class WorkerRuntime implements WorkerContext, EventLoop.Handler {
    private static final ThreadLocal<WorkerRuntime> CURRENT = new ThreadLocal<>();
    private static final int READ_BUFFER_SIZE = 64 * 1024;

    /** The runtime whose loop runs the calling thread, or {@code null}. */
    public static WorkerRuntime current() {
        return CURRENT.get();
    }

    // ---- immutable
    private final PoolImpl pool;
    private final WorkerHandle handle;
    private final EventLoop loop;

    // ---- any thread
    private final Listeners<Consumer<Object>> messageHandlers = new Listeners<>();
    private final Listeners<Runnable> disconnectHooks = new Listeners<>();
    private final CopyOnWriteArrayList<NetServerImpl> servers = new CopyOnWriteArrayList<>();
    private final Set<ConnectionImpl> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong messagesOut = new AtomicLong();
    private volatile boolean accepting = true;   // false once the loop ends: messages are refused
    private volatile boolean killed;
    private volatile boolean disconnecting;
    private volatile long messagesIn;            // written by the loop thread only
    private volatile long connectionsReceived;   // written by the loop thread only
    private volatile Thread thread;

    // ---- loop thread
    private int exitCode;
    private boolean exitRequested;
    private ByteBuffer readBuffer;

    WorkerRuntime(PoolImpl pool, WorkerHandle handle) {
        this.pool = pool;
        this.handle = handle;
        this.loop = new EventLoop(pool.name() + "-worker-" + handle.id());
    }

    // ---------------------------------------------------------------- lifecycle (worker thread)

    /** Starts the worker's thread. Primary loop. */
    void startThread() {
        Runnable body = this::run;
        String name = loop.name();
        thread = pool.options().threads() == ThreadKind.VIRTUAL
                ? Thread.ofVirtual().name(name).unstarted(body)
                : Thread.ofPlatform().name(name).daemon(true).unstarted(body);
        thread.start();
    }

    private void run() {
        CURRENT.set(this);
        ExitStatus status;
        try {
            handle.post(Signal.ONLINE);
            if (!killed) {
                WorkerMain main = pool.options().mains().get();
                main.start(this);
                loop.run(this);
            }
            status = killed ? ExitStatus.SIGTERM : ExitStatus.exited(exitCode);
        } catch (Throwable t) {
            if (killed) {
                status = ExitStatus.SIGTERM;
            } else {
                handle.post(new Signal.Failed(t));
                status = ExitStatus.exited(1);
            }
        }
        accepting = false;
        releaseResources(!killed);
        handle.post(Signal.DISCONNECTED);
        handle.post(new Signal.Exited(status));
        CURRENT.remove();
    }

    /**
     * Closes the worker's shares (queued connections go to other workers) and its connections, and the
     * loop's selector. Worker thread at exit, or the primary loop when the thread is abandoned.
     */
    void releaseResources(boolean notifyHandlers) {
        for (NetServerImpl server : servers) {
            server.close();
        }
        servers.clear();
        for (ConnectionImpl c : connections) {
            c.closeFromOwnerExit(notifyHandlers);
        }
        connections.clear();
        loop.close();
    }

    /** Ends the worker now. Any thread. */
    void kill() {
        killed = true;
        accepting = false;
        loop.stop();
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    /** The worker's thread if it is still alive. */
    Thread liveThread() {
        Thread t = thread;
        return t != null && t.isAlive() ? t : null;
    }

    /** Starts a graceful disconnect on the loop. Any thread. */
    void requestDisconnect() {
        loop.execute(this::beginDisconnect);
    }

    private void beginDisconnect() {
        if (disconnecting) {
            return;
        }
        disconnecting = true;
        for (NetServerImpl server : servers) {
            server.close();
        }
        Object[] hooks = disconnectHooks.snapshot();
        for (int i = 0; i < hooks.length; i++) {
            disconnectHooks.at(hooks, i).run();
        }
        for (ConnectionImpl c : connections) {
            c.onWorkerDisconnect();
        }
        exitIfDrained();
    }

    private void exitIfDrained() {
        if (disconnecting && connections.isEmpty() && !exitRequested) {
            exitRequested = true;
            exitCode = 0;
            loop.stop();
        }
    }

    // ---------------------------------------------------------------- messages

    /** Queues an isolated message for this worker's handlers; false once the worker's loop has ended. */
    boolean deliver(Object isolated) {
        if (!accepting) {
            return false;
        }
        loop.post(isolated);
        return true;
    }

    @Override
    public void onMessage(Object message) {
        messagesIn++;
        Object[] handlers = messageHandlers.snapshot();
        for (int i = 0; i < handlers.length; i++) {
            messageHandlers.at(handlers, i).accept(message);
        }
    }

    @Override
    public boolean beforeBlock() {
        boolean found = false;
        for (NetServerImpl server : servers) {
            found |= server.pollShared();
        }
        return found;
    }

    long messagesIn() {
        return messagesIn;
    }

    long messagesOut() {
        return messagesOut.get();
    }

    int mailboxDepth() {
        return loop.pending();
    }

    double utilization() {
        return loop.utilization();
    }

    long connectionsReceived() {
        return connectionsReceived;
    }

    long connectionsOpen() {
        return connections.size();
    }

    EventLoop loop() {
        return loop;
    }

    // ---------------------------------------------------------------- WorkerContext

    @Override
    public int id() {
        return handle.id();
    }

    @Override
    public Map<String, String> env() {
        return handle.env();
    }

    @Override
    public boolean send(Object message) {
        Object isolated = Messages.isolate(message);
        if (!accepting || !handle.isConnected()) {
            return false;
        }
        messagesOut.incrementAndGet();
        handle.post(isolated);
        return true;
    }

    @Override
    public Registration onMessage(Consumer<Object> handler) {
        return messageHandlers.add(handler);
    }

    @Override
    public Registration onDisconnect(Runnable hook) {
        return disconnectHooks.add(hook);
    }

    @Override
    public void execute(Runnable task) {
        loop.execute(Objects.requireNonNull(task, "task"));
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        Objects.requireNonNull(task, "task");
        return loop.schedule(Objects.requireNonNull(delay, "delay").toNanos(), 0, task);
    }

    @Override
    public Cancellable scheduleAtFixedRate(Duration initialDelay, Duration period, Runnable task) {
        Objects.requireNonNull(task, "task");
        long p = PoolOptions.positive(period, "period").toNanos();
        return loop.schedule(Objects.requireNonNull(initialDelay, "initialDelay").toNanos(), p, task);
    }

    @Override
    public NetServer listen(InetSocketAddress address, Function<Connection, ConnectionHandler> handlers)
            throws IOException {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(handlers, "handlers");
        if (disconnecting || !accepting) {
            throw new IllegalStateException("worker " + id() + " is disconnecting and takes no new connections");
        }
        NetServerImpl share = pool.servers().listen(address, this, handlers);
        servers.add(share);
        handle.post(new Signal.Listening(share.address()));
        return share;
    }

    @Override
    public boolean isDisconnecting() {
        return disconnecting || !accepting;
    }

    @Override
    public void disconnect() {
        handle.disconnect(); // as Node's worker-side disconnect: the primary marks exitedAfterDisconnect too
    }

    @Override
    public void exit(int code) {
        if (CURRENT.get() == this) { // the worker's thread: on its loop, or still in start() (loop not running)
            exitRequested = true;
            exitCode = code;
            loop.stop();
        } else {
            loop.execute(() -> exit(code));
        }
    }

    // ---------------------------------------------------------------- connections (loop thread)

    /** Registers an accepted channel with this loop. Loop thread. */
    void adopt(SocketChannel channel, NetServerImpl share) {
        if (!accepting) {
            share.server().redispatch(channel, share);
            return;
        }
        ConnectionImpl c;
        try {
            channel.configureBlocking(false);
            channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            c = new ConnectionImpl(this, channel, share);
            c.register(loop.selector());
        } catch (IOException e) {
            SharedServer.closeQuietly(channel);
            return;
        }
        connectionsReceived++;
        connections.add(c);
        share.connectionOpened();
        c.open(share.handlers());
    }

    /** A connection closed. Loop thread. */
    void connectionClosed(ConnectionImpl c) {
        if (connections.remove(c)) {
            c.share().connectionClosed();
        }
        exitIfDrained();
    }

    /** The loop's read buffer, shared by its connections: valid during one {@code onData} call. */
    ByteBuffer readBuffer() {
        ByteBuffer b = readBuffer;
        if (b == null) {
            b = readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_SIZE);
        }
        return b;
    }

    boolean inLoop() {
        return loop.inLoop();
    }
}
