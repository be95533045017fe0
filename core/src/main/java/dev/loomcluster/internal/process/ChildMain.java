package dev.loomcluster.internal.process;

import dev.loomcluster.ExitStatus;
import dev.loomcluster.IdleStrategy;
import dev.loomcluster.ThreadKind;
import dev.loomcluster.WorkerMain;
import dev.loomcluster.internal.loop.EventLoop;
import dev.loomcluster.internal.message.WireCodec;
import dev.loomcluster.internal.message.WireLimits;
import dev.loomcluster.internal.primary.PoolOptions;
import dev.loomcluster.internal.worker.Signal;
import dev.loomcluster.internal.worker.Uplink;
import dev.loomcluster.internal.worker.WorkerRuntime;
import dev.loomcluster.internal.worker.WorkerSpec;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The main class of a child JVM in {@link dev.loomcluster.Isolation#PROCESS}. It reads its spec from the
 * environment, connects to the Unix socket its primary named there (on a thread of its own, meanwhile
 * building the worker), presents its token as its first frame, and runs the worker
 * in a {@link WorkerRuntime} (the same class as a thread worker) whose {@link Uplink} is the IPC channel
 * and whose listening sockets come from the primary ({@link ChildListenService}). The JVM exits with the
 * worker's exit code; it halts at once if the primary's end of the channel closes (the primary died,
 * even by SIGKILL), so no child outlives its primary.
 *
 * <p>Threads: the main thread runs the worker (or waits for the virtual thread that does), which may start
 * before the connection is made (its frames wait in the channel's buffer); the connector thread connects,
 * writes what is buffered and starts the channel's writer and reader threads. The reader thread handles
 * the primary's frames while the worker starts; the worker's loop, in a task the connector posts, stops it
 * at a frame boundary and reads the socket itself (an
 * {@link EventLoop.IoHandle} on its selector), handing messages straight to the runtime. Messages the
 * reader queued in the mailbox go first: until a marker task posted after them has run, the loop queues
 * too. A watchdog thread halts the child if the primary process dies while the loop is busy.
 */
public final class ChildMain implements Uplink {
    /** Exit code of a child that was not started by a pool, or whose primary broke the protocol. */
    static final int BAD_START = 2;
    private static final long STATS_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /** How long an exiting child waits for its connection, and then for its frames to be written. */
    private static final long EXIT_FLUSH_MILLIS = 2_000;
    private static volatile ChildMain current;

    /** How the child stands with its primary. */
    private enum State { RUNNING, EXITING }

    // ---- immutable
    private final IpcChannel ipc;

    // ---- any thread
    private volatile State state = State.RUNNING;
    private volatile boolean connected = true;
    private volatile WorkerRuntime runtime;
    private volatile ChildListenService listen;
    /** The worker's loop reads the socket (the reader thread has ended). Set on the loop. */
    private volatile boolean loopReads;
    /** The pool's loops in other processes, as last counted here (by whichever thread reads the channel). */
    private volatile int loopsElsewhere;

    // ---- loop thread
    /** Messages go through the mailbox until this marker task has run (null: straight to the runtime). */
    private Runnable deferUntil;
    private final IpcChannel.Receiver receiver = IpcChannel.Receiver.of(this::onFrame, this::onClosed);

    private ChildMain(IpcChannel ipc) {
        this.ipc = ipc;
    }

    public static void main(String[] args) {
        String socket = System.getenv(Ipc.ENV_SOCKET);
        String token = System.getenv(Ipc.ENV_TOKEN);
        String specText = System.getenv(Ipc.ENV_SPEC);
        if (socket == null || token == null || specText == null) {
            System.err.println("dev.loomcluster.internal.process.ChildMain runs the workers of a WorkerPool in"
                    + " Isolation.PROCESS; it is started by the pool, not by hand");
            System.exit(BAD_START);
        }
        // The JDK's first Unix-domain channel initialises a SecureRandom and the SUN security provider (about
        // 15 ms of a cold JVM, with an AOT cache too): the socket is opened and connected on a thread of its
        // own while this one decodes the spec, builds the worker and starts it.
        Connector connector = new Connector(socket);
        connector.start();
        ChildMain child;
        Map<?, ?> spec;
        try {
            WireCodec codec = WireCodec.create(WireLimits.DEFAULTS, ClassLoader.getSystemClassLoader());
            spec = Ipc.decodeSpec(codec, specText);
            IpcChannel ipc = new IpcChannel("child", codec);
            child = new ChildMain(ipc);
            current = child;
            ipc.send(Ipc.HELLO, List.of(token)); // first on the wire, whatever follows it
        } catch (IOException | RuntimeException e) {
            System.err.println("loomcluster child: bad spec from the primary: " + e);
            Runtime.getRuntime().halt(BAD_START);
            return;
        }
        int code;
        try {
            code = child.run(spec, connector);
        } catch (ProtocolException e) {
            System.err.println("loomcluster child: " + e.getMessage());
            code = BAD_START;
        }
        child.state = State.EXITING;
        child.ipc.closeAfterFlush(5_000);
        System.exit(code);
    }

    /**
     * Builds the runtime from the spec and runs the worker while the connector connects (HELLO leaves first;
     * the primary checks it before it reads anything else, so the worker waits for no answer); returns its
     * exit code once what it sent has a channel. Main thread.
     */
    private int run(Map<?, ?> spec, Connector connector) throws ProtocolException {
        byte k = Ipc.SPEC;
        int id = Ipc.intField(k, spec.get("id"), "id");
        List<?> envKeys = Ipc.field(k, spec.get("env"), "env", List.class);
        Map<String, String> env = new LinkedHashMap<>();
        for (Object key : envKeys) { // the worker's env: its names in the spec, its values in the environment
            String name = Ipc.field(k, key, "env key", String.class);
            String value = System.getenv(name);
            if (value == null) {
                throw new ProtocolException("SPEC: env key " + name + " is not in the child's environment");
            }
            env.put(name, value);
        }
        String pool = Ipc.field(k, spec.get("pool"), "pool", String.class);
        String mainClass = Ipc.field(k, spec.get("main"), "main", String.class);
        ThreadKind threads = ThreadKind.valueOf(Ipc.field(k, spec.get("threads"), "threads", String.class));
        String scheduling = Ipc.field(k, spec.get("scheduling"), "scheduling", String.class);
        java.time.Duration drainGrace = java.time.Duration.ofMillis(Ipc.longField(k, spec.get("drainGraceMillis"), "drainGraceMillis"));
        IdleStrategy idle = idleStrategy(Ipc.list(k, spec.get("idle"), 3));
        loopsChanged(Ipc.intField(k, spec.get("loops"), "loops"));

        Supplier<WorkerMain> mains = () -> instantiate(mainClass); // fails inside run: error event, exit 1
        listen = new ChildListenService(this, "ROUND_ROBIN".equals(scheduling));
        WorkerSpec workerSpec = new WorkerSpec(id, env, pool, mains, drainGrace);
        WorkerRuntime rt = new WorkerRuntime(workerSpec, this, listen);
        rt.idleStrategy(idle);
        runtime = rt;
        connector.built(this); // from its connection on, it attaches the channel and hands reading to the loop
        // System.exit in the worker, even before the connection is made: what it sent (ONLINE, messages)
        // still leaves, as it would have from a thread worker.
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("loomcluster-exit-flush").unstarted(() -> {
            state = State.EXITING; // the primary closing its end now is no reason to halt
            connector.awaitEnd(EXIT_FLUSH_MILLIS);
            ipc.closeAfterFlush(EXIT_FLUSH_MILLIS);
        }));
        startWatchdog();
        ExitStatus[] status = new ExitStatus[1];
        if (threads == ThreadKind.VIRTUAL) {
            Thread t = Thread.ofVirtual().name(workerSpec.loopName())
                    .start(() -> status[0] = rt.run());
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
        } else {
            Thread.currentThread().setName(workerSpec.loopName());
            status[0] = rt.run();
        }
        connector.awaitEnd(0); // what the worker sent, its exit included, waits for the channel
        return status[0].code();
    }

    /**
     * The channel is connected and the worker built: HELLO and whatever the worker has sent meanwhile leave
     * at once, on this thread, before the channel's threads start; then the reader thread handles the
     * primary's frames until the worker's loop takes over. Connector thread.
     */
    private void connected(SocketChannel ch) throws IOException {
        ipc.attach(ch, "loomcluster-ipc-out", true, STATS_NANOS, this::sendStats);
        ipc.startReading("loomcluster-ipc-in", true, receiver);
        runtime.loop().execute(this::takeOverReading);
    }

    /**
     * Opens and connects the IPC socket on a thread of its own, started first in {@link #main}, and attaches
     * it once the main thread has built the worker (which then runs, its frames waiting in the channel's
     * buffer until the connection is there). A child that cannot connect halts.
     */
    private static final class Connector extends Thread {
        private final String path;
        private final CompletableFuture<ChildMain> built = new CompletableFuture<>();

        Connector(String path) {
            super("loomcluster-ipc-connect");
            this.path = path;
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                ch.connect(UnixDomainSocketAddress.of(path));
                built.join().connected(ch);
            } catch (Throwable e) { // an Error too (a bad SelectorProvider): the worker may never end by itself
                System.err.println("loomcluster child: cannot connect to the primary: " + e);
                Runtime.getRuntime().halt(BAD_START);
            }
        }

        /** The worker is built: attach the channel to {@code child} once connected. Main thread. */
        void built(ChildMain child) {
            built.complete(child);
        }

        /**
         * Waits until the channel is attached (or the JVM halts because it cannot be), at most {@code millis}
         * (0: no limit). Main thread, or the shutdown hook.
         */
        void awaitEnd(long millis) {
            try {
                join(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Halts this JVM within about 200 ms of its primary's death, even while the worker's loop (which sees
     * the channel's end) is busy or not yet running.
     */
    private static void startWatchdog() {
        Thread.ofPlatform().name("loomcluster-primary-watch").daemon(true).start(() -> {
            // resolved here, not on the main thread: the first ProcessHandle lookup costs a few milliseconds
            ProcessHandle parent = ProcessHandle.current().parent().orElse(null);
            if (parent == null) {
                return;
            }
            while (parent.isAlive()) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            }
            Runtime.getRuntime().halt(1);
        });
    }

    // ---------------------------------------------------------------- loop thread

    /**
     * Posted by the connector once the channel is attached: stops the reader thread and reads the socket on
     * the loop from now on.
     */
    private void takeOverReading() {
        WorkerRuntime rt = runtime;
        EventLoop loop = rt.loop();
        assert loop.inLoop();
        try {
            if (!ipc.stopReader()) {
                return; // the reader ended the channel (and halted)
            }
            ipc.registerForReading(loop.selector(), (EventLoop.IoHandle) this::onReadable);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (IOException e) {
            onClosed(null);
            return;
        }
        loopReads = true;
        ipc.flushOn(loop); // what the worker sends on its loop leaves once per batch, written by the loop
        deferMessages();
        ipc.readAvailable(receiver); // bytes the reader read but did not decode
        endDeferral();
    }

    private void onReadable(SelectionKey key) {
        if (ipc.readAvailable(receiver) < 0) {
            key.cancel(); // the channel ended (the child halts unless it is exiting anyway)
        }
    }

    /** From now on messages are queued behind those already in the mailbox. Loop thread. */
    private void deferMessages() {
        deferUntil = () -> {
        };
    }

    /** Posts the marker: once the loop runs it, messages go straight to the runtime again. Loop thread. */
    private void endDeferral() {
        Runnable marker = new Runnable() {
            @Override
            public void run() {
                if (deferUntil == this) {
                    deferUntil = null;
                }
            }
        };
        deferUntil = marker;
        runtime.loop().execute(marker);
    }

    /**
     * Waits for the primary's answer to a listen request. On the worker's loop once it reads the socket,
     * this thread reads the frames itself meanwhile (messages are queued, in order). Any thread.
     */
    Object awaitReply(CompletableFuture<Object> reply, long timeoutSeconds)
            throws InterruptedException, ExecutionException, TimeoutException {
        WorkerRuntime rt = runtime;
        if (!loopReads || rt == null || !rt.loop().inLoop()) {
            return reply.get(timeoutSeconds, TimeUnit.SECONDS);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        ipc.flushNow(); // the request leaves now: this loop task waits for the answer
        deferMessages();
        try {
            while (!reply.isDone()) {
                if (ipc.readAvailable(receiver) < 0 || System.nanoTime() - deadline > 0) {
                    break;
                }
                if (!reply.isDone()) {
                    LockSupport.parkNanos(20_000);
                }
            }
        } finally {
            endDeferral();
        }
        if (!reply.isDone()) {
            throw new TimeoutException("no LISTEN_REPLY within " + timeoutSeconds + " s");
        }
        return reply.get();
    }

    private static WorkerMain instantiate(String name) {
        Class<?> type;
        try {
            type = Class.forName(name, false, ClassLoader.getSystemClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("worker main class " + name + " not found in the child JVM's class path", e);
        }
        if (!WorkerMain.class.isAssignableFrom(type)) {
            throw new IllegalStateException(name + " is not a WorkerMain");
        }
        return PoolOptions.instantiate(PoolOptions.constructorOf(type.asSubclass(WorkerMain.class)));
    }

    // ---------------------------------------------------------------- reader thread, then loop thread

    private void onFrame(byte kind, Object value) throws IOException {
        switch (kind) {
            case Ipc.MESSAGE -> {
                if (loopReads && deferUntil == null) {
                    if (!runtime.loop().isStopRequested()) { // as the mailbox is not run once the loop stops
                        runtime.onMessage(value);
                    }
                } else {
                    runtime.deliver(value);
                }
            }
            case Ipc.DISCONNECT -> runtime.requestDisconnect();
            case Ipc.LISTEN_REPLY -> listen.reply(value);
            case Ipc.FD_SOCKET -> listen.connectFdSocket(value);
            case Ipc.TURN -> listen.turn(Ipc.longField(kind, Ipc.list(kind, value, 1).get(0), "seq"));
            case Ipc.LOOPS -> loopsChanged(Ipc.intField(kind, value, "loops"));
            default -> throw new ProtocolException("unexpected " + Ipc.name(kind) + " frame from the primary");
        }
    }

    /**
     * The pool runs {@code loops} event loops on this machine (its primary loop and one per child), this
     * child's included: the others are counted for {@link IdleStrategy#auto()}. Main thread, then whichever
     * thread reads the channel.
     */
    private void loopsChanged(int loops) throws ProtocolException {
        if (loops < 1) {
            throw new ProtocolException("LOOPS: the pool's loop count must be at least 1, got " + loops);
        }
        int others = loops - 1;
        EventLoop.addLoopsElsewhere(others - loopsElsewhere); // the JVM-wide count may hold a pool of the worker's
        loopsElsewhere = others;
    }

    /** The pool's idle strategy from the spec's [spin ns, yield ns, auto]. */
    private static IdleStrategy idleStrategy(List<?> idle) throws ProtocolException {
        byte k = Ipc.SPEC;
        long spin = Ipc.longField(k, idle.get(0), "idle spin");
        long yield = Ipc.longField(k, idle.get(1), "idle yield");
        if (Ipc.field(k, idle.get(2), "idle auto", Boolean.class)) {
            return IdleStrategy.auto();
        }
        try {
            return IdleStrategy.backoff(java.time.Duration.ofNanos(spin), java.time.Duration.ofNanos(yield));
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("SPEC: idle: " + e.getMessage(), e);
        }
    }

    private void onClosed(Throwable error) {
        connected = false;
        if (state == State.EXITING) {
            return;
        }
        if (error != null) {
            System.err.println("loomcluster child: bad IPC data from the primary: " + error.getMessage());
        }
        // the primary is gone (or broke the protocol): nobody is left to report to
        Runtime.getRuntime().halt(error == null ? 1 : BAD_START);
    }

    // ---------------------------------------------------------------- Uplink (worker thread)

    @Override
    public void post(Object entry) {
        switch (entry) {
            case Signal.Online ignored -> ipc.send(Ipc.ONLINE, null);
            case Signal.Listening(var address) -> ipc.send(Ipc.LISTENING, Ipc.address(address));
            case Signal.Failed(Throwable error) -> ipc.send(Ipc.FAILED, Ipc.failure(error));
            case Signal.Disconnected ignored -> {
                // the primary sees the channel close when this JVM exits
            }
            case Signal.Exited ignored -> {
                // the primary reads the real exit code from the process
            }
            case null, default -> ipc.send(Ipc.MESSAGE, entry);
        }
    }

    @Override
    public boolean isConnected() {
        return connected;
    }

    @Override
    public void requestDisconnect() {
        ipc.send(Ipc.REQUEST_DISCONNECT, null);
    }

    boolean sendControl(byte kind, Object value) {
        return ipc.send(kind, value);
    }

    private void sendStats(IpcChannel ch) {
        WorkerRuntime rt = runtime;
        if (rt != null) {
            ch.send(Ipc.STATS, List.of(rt.messagesIn(), rt.mailboxDepth(), rt.utilization(),
                    rt.connectionsReceived(), rt.connectionsOpen(), rt.metrics().requestsServed()));
        }
    }

    /** The runtime of this child, for its listen service. */
    WorkerRuntime runtime() {
        return runtime;
    }

    /**
     * Test hook: writes raw bytes to the primary on this child's IPC socket, bypassing the codec, so a
     * test can check what the primary does with bytes that are not valid frames. Any thread.
     */
    public static void writeRawForTest(byte[] bytes) throws IOException {
        ChildMain c = current;
        if (c == null) {
            throw new IllegalStateException("not in a child JVM");
        }
        c.ipc.writeRaw(java.nio.ByteBuffer.wrap(bytes));
    }
}
