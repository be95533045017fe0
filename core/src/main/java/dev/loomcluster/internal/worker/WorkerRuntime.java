package dev.loomcluster.internal.worker;

import dev.loomcluster.Cancellable;
import dev.loomcluster.Connection;
import dev.loomcluster.ConnectionHandler;
import dev.loomcluster.ExitStatus;
import dev.loomcluster.IdleStrategy;
import dev.loomcluster.NetServer;
import dev.loomcluster.Registration;
import dev.loomcluster.WorkerContext;
import dev.loomcluster.WorkerMain;
import dev.loomcluster.internal.loop.EventLoop;
import dev.loomcluster.internal.loop.Listeners;
import dev.loomcluster.internal.message.Messages;
import dev.loomcluster.internal.net.ListenService;
import dev.loomcluster.internal.net.WorkerNet;
import dev.loomcluster.internal.observe.Lifecycle;
import dev.loomcluster.internal.observe.LoopProbe;
import dev.loomcluster.internal.observe.WorkerMetrics;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One worker as it runs: its event loop, handlers and networking ({@link WorkerContext} for user code).
 * The same class runs a worker thread of the primary's JVM and the worker of a child JVM; what differs is
 * its {@link Uplink} to the primary and its {@link ListenService}. {@link #run()} runs on the worker's own
 * thread; the public methods may be called from any thread and hand their work to the loop.
 *
 * <p>Its life is one {@link State} machine, moved only by {@link #moveTo}.
 */
public final class WorkerRuntime implements WorkerContext, EventLoop.Handler, WorkerMetrics.Source {
    private static final ThreadLocal<WorkerRuntime> CURRENT = new ThreadLocal<>();

    /** Where the worker is in its life. Transitions only go forward, except none leaves ENDED. */
    public enum State {
        /** Its {@link WorkerMain#start} runs. */
        STARTING,
        /** Its loop serves mailbox, timers and connections. */
        RUNNING,
        /** It takes no new connections and exits once the open ones are closed. */
        DISCONNECTING,
        /** It exits when the current task returns ({@code exit(code)}, or drained after a disconnect). */
        EXITING,
        /** The primary ended it; no hook runs. */
        KILLED,
        /** Its loop has ended; messages are refused. */
        ENDED
    }

    /** The runtime whose loop runs the calling thread, or {@code null}. */
    public static WorkerRuntime current() {
        return CURRENT.get();
    }

    // ---- immutable
    private final WorkerSpec spec;
    private final Uplink uplink;
    private final EventLoop loop;
    private final WorkerNet net;
    private final WorkerMetrics metrics = new WorkerMetrics();

    // ---- any thread
    private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);
    private final Listeners<Consumer<Object>> messageHandlers = new Listeners<>();
    private final Listeners<Runnable> disconnectHooks = new Listeners<>();
    private final AtomicLong messagesOut = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean receiverSet = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile long messagesIn;            // written by the loop thread only

    // ---- loop thread
    private int exitCode;

    public WorkerRuntime(WorkerSpec spec, Uplink uplink, ListenService listenService) {
        this.spec = spec;
        this.uplink = uplink;
        this.loop = new EventLoop(spec.loopName());
        this.net = new WorkerNet(loop, listenService, this::exitIfDrained);
    }

    public State state() {
        return state.get();
    }

    /** The name of the worker's loop (and of its thread). */
    public String loopName() {
        return loop.name();
    }

    /** Before {@link #run()}: what the worker's loop does when idle. */
    public void idleStrategy(IdleStrategy idle) {
        loop.idleStrategy(idle);
    }

    /**
     * The one place a state changes: from any state in {@code from} to {@code to}. Returns whether this
     * call made the change.
     */
    private boolean moveTo(State to, State... from) {
        while (true) {
            State now = state.get();
            boolean allowed = false;
            for (State f : from) {
                allowed |= f == now;
            }
            if (!allowed) {
                return false;
            }
            if (state.compareAndSet(now, to)) {
                return true;
            }
        }
    }

    // ---------------------------------------------------------------- lifecycle (worker thread)

    /**
     * Runs the worker on the calling thread until it ends: posts {@code online}, runs its main's
     * {@code start}, then its loop; at the end releases its resources and posts {@code disconnected} and
     * {@code exited}. Returns how it ended.
     */
    public ExitStatus run() {
        CURRENT.set(this);
        ExitStatus status;
        try {
            uplink.post(Signal.ONLINE);
            if (state() != State.KILLED) {
                WorkerMain main = spec.main().get();
                main.start(this);
                moveTo(State.RUNNING, State.STARTING);
                loop.run(this);
            }
            status = state() == State.KILLED ? ExitStatus.SIGTERM : ExitStatus.exited(exitCode);
        } catch (Throwable t) {
            if (state() == State.KILLED) {
                status = ExitStatus.SIGTERM;
            } else {
                uplink.post(new Signal.Failed(StartFailures.explain(t, spec.id())));
                status = ExitStatus.exited(1);
            }
        }
        boolean killed = state() == State.KILLED;
        state.set(State.ENDED);
        releaseResources(!killed);
        uplink.post(Signal.DISCONNECTED);
        uplink.post(new Signal.Exited(status));
        CURRENT.remove();
        return status;
    }

    /**
     * Closes the worker's shares (queued connections go to other workers), its connections and its
     * loop's selector. Worker thread at exit, or the primary loop when the thread is abandoned.
     */
    public void releaseResources(boolean notifyHandlers) {
        net.close(notifyHandlers);
        loop.close();
    }

    /** Ends the worker now, without hooks; the caller interrupts its thread. Any thread. */
    public void kill() {
        if (moveTo(State.KILLED, State.STARTING, State.RUNNING, State.DISCONNECTING, State.EXITING)) {
            loop.stop();
        }
    }

    /** Starts a graceful disconnect on the loop. Any thread. */
    public void requestDisconnect() {
        loop.execute(this::beginDisconnect);
    }

    private void beginDisconnect() {
        assert loop.inLoop();
        if (!moveTo(State.DISCONNECTING, State.STARTING, State.RUNNING)) {
            return;
        }
        Lifecycle.disconnecting(spec.poolName(), spec.id(), net.connectionsOpen());
        net.stopListening();
        Object[] hooks = disconnectHooks.snapshot();
        for (int i = 0; i < hooks.length; i++) {
            disconnectHooks.at(hooks, i).run();
        }
        net.notifyDisconnect();
        exitIfDrained();
    }

    private void exitIfDrained() {
        if (state() == State.DISCONNECTING && !net.hasConnections()) {
            Lifecycle.drained(spec.poolName(), spec.id());
            requestExit(0);
        }
    }

    /** Worker thread: ends the loop after the current task with {@code code}. */
    private void requestExit(int code) {
        if (moveTo(State.EXITING, State.STARTING, State.RUNNING, State.DISCONNECTING)) {
            exitCode = code;
            loop.stop();
        }
    }

    /** This worker's loop. */
    public EventLoop loop() {
        return loop;
    }

    // ---------------------------------------------------------------- messages

    /** Queues an isolated message for this worker's handlers; false once the worker's loop has ended. */
    public boolean deliver(Object isolated) {
        State s = state();
        if (s == State.ENDED || s == State.KILLED) {
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
        return net.pollIdle();
    }

    public long messagesIn() {
        return messagesIn;
    }

    public long messagesOut() {
        return messagesOut.get();
    }

    public int mailboxDepth() {
        return loop.pending();
    }

    public double utilization() {
        return loop.utilization();
    }

    public long connectionsReceived() {
        return net.connectionsReceived();
    }

    public long connectionsOpen() {
        return net.connectionsOpen();
    }

    /** The loop's probe: the blocked-loop watchdog samples it, loop-lag statistics come from it. */
    public LoopProbe loopProbe() {
        return loop.probe();
    }

    @Override
    public WorkerMetrics metrics() {
        return metrics;
    }

    // ---------------------------------------------------------------- WorkerContext

    @Override
    public int id() {
        return spec.id();
    }

    @Override
    public Map<String, String> env() {
        return spec.env();
    }

    @Override
    public boolean send(Object message) {
        Object isolated = Messages.isolate(message);
        State s = state();
        if (s == State.ENDED || s == State.KILLED || !uplink.isConnected()) {
            return false;
        }
        messagesOut.incrementAndGet();
        uplink.post(isolated);
        return true;
    }

    @Override
    public boolean send(Object message, Connection connection, java.nio.ByteBuffer unconsumed) {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(unconsumed, "unconsumed");
        if (!loop.inLoop()) {
            throw new IllegalStateException("a connection can be sent only from its worker's loop, not from "
                    + Thread.currentThread().getName());
        }
        Object isolated = Messages.isolate(message);
        State s = state();
        if (s == State.ENDED || s == State.KILLED || !uplink.isConnected() || !uplink.carriesConnections()) {
            return false;
        }
        boolean sent = net.detach(connection, unconsumed, transfer -> {
            uplink.post(new Signal.Sent(isolated, transfer));
            return true;
        });
        if (sent) {
            messagesOut.incrementAndGet();
        }
        return sent;
    }

    @Override
    public Registration onConnection(java.util.function.BiFunction<Object, Connection, ConnectionHandler> handlers) {
        Objects.requireNonNull(handlers, "handlers");
        if (!receiverSet.compareAndSet(false, true)) {
            throw new IllegalStateException("worker " + id() + " already has a receiver of sent connections");
        }
        net.receiver(handlers);
        return () -> {
            net.receiver(null);
            receiverSet.set(false);
        };
    }

    /** Takes a connection the primary forwards with an isolated message; false if this worker is ending. */
    public boolean deliverConnection(Object isolated, dev.loomcluster.internal.net.Transfer transfer) {
        State s = state();
        if (s == State.ENDED || s == State.KILLED) {
            return false;
        }
        return net.receive(isolated, transfer);
    }

    @Override
    public Duration drainGrace() {
        return spec.drainGrace();
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
        Objects.requireNonNull(period, "period");
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period must be positive: " + period);
        }
        return loop.schedule(Objects.requireNonNull(initialDelay, "initialDelay").toNanos(), period.toNanos(), task);
    }

    @Override
    public NetServer listen(InetSocketAddress address, Function<Connection, ConnectionHandler> handlers)
            throws IOException {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(handlers, "handlers");
        if (isDisconnecting()) {
            throw new IllegalStateException("worker " + id() + " is disconnecting and takes no new connections");
        }
        NetServer server = net.listen(address, handlers);
        uplink.post(new Signal.Listening(server.address()));
        return server;
    }

    @Override
    public boolean isDisconnecting() {
        State s = state();
        return s != State.STARTING && s != State.RUNNING;
    }

    @Override
    public void disconnect() {
        uplink.requestDisconnect();
    }

    @Override
    public void exit(int code) {
        if (CURRENT.get() == this) { // the worker's thread: on its loop, or still in start() (loop not running)
            requestExit(code);
        } else {
            loop.execute(() -> exit(code));
        }
    }

    /** Whether the calling thread runs this worker's loop. */
    public boolean inLoop() {
        return loop.inLoop();
    }

    @Override
    public String toString() {
        return "WorkerContext[" + id() + ", " + state() + "]";
    }
}
