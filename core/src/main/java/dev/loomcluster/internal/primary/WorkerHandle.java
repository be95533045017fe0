package dev.loomcluster.internal.primary;

import dev.loomcluster.ExitStatus;
import dev.loomcluster.Registration;
import dev.loomcluster.Worker;
import dev.loomcluster.WorkerStats;
import dev.loomcluster.internal.loop.EventLoop;
import dev.loomcluster.internal.loop.Listeners;
import dev.loomcluster.internal.loop.Mailboxes;
import dev.loomcluster.internal.message.Messages;
import dev.loomcluster.internal.observe.Lifecycle;
import dev.loomcluster.internal.worker.Signal;
import dev.loomcluster.internal.worker.Uplink;
import dev.loomcluster.internal.worker.WorkerSpec;
import org.jctools.queues.MessagePassingQueue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The primary's handle on one worker, and the worker's {@link Uplink} to the primary. Public methods may
 * be called from any thread; events are fired on the pool's primary loop. What the worker sends (messages
 * and {@link Signal}s) goes into this handle's MPSC outbox, from the worker's thread or, for a child JVM,
 * from the thread reading its IPC channel; the first entry after the outbox was drained schedules one drain
 * task on the primary loop, so a stream of messages costs no allocation and one wake-up per batch.
 */
final class WorkerHandle implements Worker, Uplink {
    private static final Object NULL = new Object();
    private static final int DRAIN_BATCH = 1024;

    /** The worker as the primary sees it; moved forward only, on the primary loop except {@code disconnect}. */
    enum State { FORKED, ONLINE, DISCONNECTED, DEAD }

    // ---- immutable
    private final PoolImpl pool;
    private final int id;
    private final Map<String, String> env;
    final int restarts;
    final int consecutiveCrashes;
    final long forkedAtNanos = System.nanoTime();
    final WorkerLink link;

    // ---- any thread
    private final MessagePassingQueue<Object> outbox = Mailboxes.mpsc();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final EventLoop.Task drainTask = new EventLoop.Task() {
        @Override
        public void run() {
            drain();
        }
    };
    private final CompletableFuture<Void> exited = new CompletableFuture<>();
    private volatile State state = State.FORKED;
    private volatile boolean exitedAfterDisconnect;
    private volatile boolean killed;
    private volatile ExitStatus exitStatus;
    final Listeners<Runnable> onOnline = new Listeners<>();
    final Listeners<Consumer<InetSocketAddress>> onListening = new Listeners<>();
    final Listeners<Consumer<Object>> onMessage = new Listeners<>();
    final Listeners<Runnable> onDisconnect = new Listeners<>();
    final Listeners<Consumer<ExitStatus>> onExit = new Listeners<>();
    final Listeners<Consumer<Throwable>> onError = new Listeners<>();

    WorkerHandle(PoolImpl pool, int id, Map<String, String> env, int restarts, int consecutiveCrashes) {
        this.pool = pool;
        this.id = id;
        this.env = Map.copyOf(env);
        this.restarts = restarts;
        this.consecutiveCrashes = consecutiveCrashes;
        this.link = pool.newLink(new WorkerSpec(id, this.env, pool.name(), pool.options().mains(),
                pool.options().drainGrace()), this);
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public Map<String, String> env() {
        return env;
    }

    @Override
    public boolean send(Object message) {
        Object isolated = Messages.isolate(message);
        return isConnected() && link.deliver(isolated);
    }

    @Override
    public boolean send(Object message, dev.loomcluster.SentConnection connection) {
        java.util.Objects.requireNonNull(connection, "connection");
        if (!(connection instanceof SentConnectionImpl sent)) {
            throw new IllegalArgumentException("not a connection sent by a worker of this JVM: " + connection);
        }
        Object isolated = Messages.isolate(message);
        var transfer = sent.take();
        if (isConnected() && link.deliverConnection(isolated, transfer)) {
            sent.forwarded();
            return true;
        }
        sent.restore(transfer);
        return false;
    }

    /** Delivers an already isolated message; false if the worker is gone. */
    boolean sendIsolated(Object isolated) {
        return isConnected() && link.deliver(isolated);
    }

    @Override
    public void kill() {
        if (state == State.DEAD || killed) {
            return;
        }
        killed = true;
        link.kill();
        pool.scheduleKillCheck(this);
    }

    boolean wasKilled() {
        return killed;
    }

    @Override
    public CompletableFuture<Void> disconnect() {
        if (isConnected() && !exitedAfterDisconnect) {
            exitedAfterDisconnect = true;
            pool.removeFromWorkers(this);
            link.requestDisconnect();
        }
        return exited.copy();
    }

    CompletableFuture<Void> exitFuture() {
        return exited;
    }

    @Override
    public boolean isDead() {
        return state == State.DEAD;
    }

    @Override
    public boolean isConnected() {
        State s = state;
        return s == State.FORKED || s == State.ONLINE;
    }

    @Override
    public boolean exitedAfterDisconnect() {
        return exitedAfterDisconnect;
    }

    @Override
    public Optional<ExitStatus> exitStatus() {
        return Optional.ofNullable(exitStatus);
    }

    @Override
    public Optional<ProcessHandle> process() {
        return link.process();
    }

    @Override
    public WorkerStats stats() {
        WorkerLink.Counters c = link.counters();
        return WorkerStats.builder(id).messagesIn(c.messagesIn()).messagesOut(c.messagesOut())
                .mailboxDepth(c.mailboxDepth()).uptime(Duration.ofNanos(System.nanoTime() - forkedAtNanos))
                .loopUtilization(c.utilization()).restarts(restarts).connectionsReceived(c.connectionsReceived())
                .connectionsOpen(c.connectionsOpen())
                .loopLag(Duration.ofNanos(c.loopLagP50()), Duration.ofNanos(c.loopLagP99()), c.loopLagSamples())
                .requestsServed(c.requestsServed()).build();
    }

    @Override
    public Registration onOnline(Runnable listener) {
        return onOnline.add(listener);
    }

    @Override
    public Registration onListening(Consumer<InetSocketAddress> listener) {
        return onListening.add(listener);
    }

    @Override
    public Registration onMessage(Consumer<Object> listener) {
        return onMessage.add(listener);
    }

    @Override
    public Registration onDisconnect(Runnable listener) {
        return onDisconnect.add(listener);
    }

    @Override
    public Registration onExit(Consumer<ExitStatus> listener) {
        return onExit.add(listener);
    }

    @Override
    public Registration onError(Consumer<Throwable> listener) {
        return onError.add(listener);
    }

    @Override
    public String toString() {
        return "Worker[" + id + "]";
    }

    // ---- Uplink: any thread of the worker

    @Override
    public boolean carriesConnections() {
        return true;
    }

    @Override
    public void requestDisconnect() {
        disconnect(); // as Node's worker-side disconnect: the primary marks exitedAfterDisconnect too
    }

    @Override
    public void post(Object entry) {
        Mailboxes.offer(outbox, entry == null ? NULL : entry, this);
        if (!drainScheduled.get() && drainScheduled.compareAndSet(false, true)) {
            pool.primary().execute(drainTask);
        }
    }

    // ---- primary loop

    private void drain() {
        drainScheduled.set(false);
        for (int n = 0; n < DRAIN_BATCH; n++) {
            // poll(), not relaxedPoll(): a producer that has claimed a slot but not yet stored its entry
            // may have seen drainScheduled still true (its lazy store can pass its read of the flag), so
            // returning here on a null would strand that entry until the next post. poll() sees the
            // claimed slot through the producer index and waits for the entry.
            Object entry = outbox.poll();
            if (entry == null) {
                return;
            }
            if (state == State.DEAD) {
                continue; // reported dead already (abandoned thread): drop what it still says
            }
            if (entry instanceof Signal signal) {
                onSignal(signal);
            } else {
                Object message = entry == NULL ? null : entry;
                Object[] listeners = onMessage.snapshot();
                for (int i = 0; i < listeners.length; i++) {
                    Consumer<Object> l = onMessage.at(listeners, i);
                    try {
                        l.accept(message);
                    } catch (Throwable t) {
                        Listeners.logFailure(l, t);
                    }
                }
                pool.fireMessage(this, message);
            }
        }
        if (!outbox.isEmpty() && drainScheduled.compareAndSet(false, true)) {
            pool.primary().execute(drainTask);
        }
    }

    private void onSignal(Signal signal) {
        switch (signal) {
            case Signal.Online ignored -> {
                if (state == State.FORKED) {
                    state = State.ONLINE;
                }
                onOnline.fire(Runnable::run);
                pool.fireOnline(this);
            }
            case Signal.Listening(InetSocketAddress address) -> {
                onListening.fire(l -> l.accept(address));
                pool.fireListening(this, address);
            }
            case Signal.Failed(Throwable error) -> {
                Lifecycle.failed(pool.name(), id, error);
                onError.fire(l -> l.accept(error));
                pool.fireError(this, error);
            }
            case Signal.Sent(Object message, var transfer) -> pool.fireConnection(this, message, transfer);
            case Signal.Disconnected ignored -> markDisconnected();
            case Signal.Exited(ExitStatus status) -> finish(status);
        }
    }

    private void markDisconnected() {
        if (isConnected()) {
            pool.removeFromWorkers(this);
            state = State.DISCONNECTED;
            onDisconnect.fire(Runnable::run);
            pool.fireDisconnect(this);
        }
    }

    /** Reports the worker dead: disconnect (if not yet), then exit, then the restart policy. */
    void finish(ExitStatus status) {
        if (state == State.DEAD) {
            return;
        }
        markDisconnected();
        exitStatus = status;
        state = State.DEAD;
        onExit.fire(l -> l.accept(status));
        pool.onWorkerExit(this, status);
        exited.complete(null);
    }
}
