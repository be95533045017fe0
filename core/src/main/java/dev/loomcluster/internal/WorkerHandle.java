package dev.loomcluster.internal;

import dev.loomcluster.ExitStatus;
import dev.loomcluster.Registration;
import dev.loomcluster.Worker;
import dev.loomcluster.WorkerStats;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The primary's handle on one worker. Public methods may be called from any thread; events are fired on
 * the pool's primary loop. What the worker sends (messages and {@link Signal}s) goes into this handle's
 * MPSC outbox; the first entry after the outbox was drained schedules one drain task on the primary loop,
 * so a stream of messages costs no allocation and one wake-up per batch.
 */
final class WorkerHandle implements Worker {
    private static final Object NULL = new Object();
    private static final int DRAIN_BATCH = 1024;

    static final int FORKED = 0;
    static final int ONLINE = 1;
    static final int DISCONNECTED = 2;
    static final int DEAD = 3;

    // ---- immutable
    private final PoolImpl pool;
    private final int id;
    private final Map<String, String> env;
    final int restarts;
    final int consecutiveCrashes;
    final long forkedAtNanos = System.nanoTime();
    final WorkerRuntime runtime;

    // ---- any thread
    private final MessagePassingQueue<Object> outbox = new MpscUnboundedAtomicArrayQueue<>(256);
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final EventLoop.Task drainTask = new EventLoop.Task() {
        @Override
        public void run() {
            drain();
        }
    };
    private final CompletableFuture<Void> exited = new CompletableFuture<>();
    private volatile int state = FORKED;
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
        this.runtime = new WorkerRuntime(pool, this);
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
        return isConnected() && runtime.deliver(isolated);
    }

    /** Delivers an already isolated message; false if the worker is gone. */
    boolean sendIsolated(Object isolated) {
        return isConnected() && runtime.deliver(isolated);
    }

    @Override
    public void kill() {
        if (state == DEAD || killed) {
            return;
        }
        killed = true;
        runtime.kill();
        pool.scheduleKillCheck(this);
    }

    boolean wasKilled() {
        return killed;
    }

    @Override
    public CompletableFuture<Void> disconnect() {
        if (state < DISCONNECTED && !exitedAfterDisconnect) {
            exitedAfterDisconnect = true;
            pool.removeFromWorkers(this);
            runtime.requestDisconnect();
        }
        return exited.copy();
    }

    CompletableFuture<Void> exitFuture() {
        return exited;
    }

    @Override
    public boolean isDead() {
        return state == DEAD;
    }

    @Override
    public boolean isConnected() {
        return state < DISCONNECTED;
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
    public WorkerStats stats() {
        return new WorkerStats(id, runtime.messagesIn(), runtime.messagesOut(), runtime.mailboxDepth(),
                Duration.ofNanos(System.nanoTime() - forkedAtNanos), runtime.utilization(), restarts,
                runtime.connectionsReceived(), runtime.connectionsOpen());
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

    // ---- worker side: any thread of the worker

    /** Queues a message or signal for the primary loop. */
    void post(Object entry) {
        outbox.offer(entry == null ? NULL : entry);
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
            if (state == DEAD) {
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
                if (state == FORKED) {
                    state = ONLINE;
                }
                onOnline.fire(Runnable::run);
                pool.fireOnline(this);
            }
            case Signal.Listening(InetSocketAddress address) -> {
                onListening.fire(l -> l.accept(address));
                pool.fireListening(this, address);
            }
            case Signal.Failed(Throwable error) -> {
                onError.fire(l -> l.accept(error));
                pool.fireError(this, error);
            }
            case Signal.Disconnected ignored -> markDisconnected();
            case Signal.Exited(ExitStatus status) -> finish(status);
        }
    }

    private void markDisconnected() {
        if (state < DISCONNECTED) {
            pool.removeFromWorkers(this);
            state = DISCONNECTED;
            onDisconnect.fire(Runnable::run);
            pool.fireDisconnect(this);
        }
    }

    /** Reports the worker dead: disconnect (if not yet), then exit, then the restart policy. */
    void finish(ExitStatus status) {
        if (state == DEAD) {
            return;
        }
        markDisconnected();
        exitStatus = status;
        state = DEAD;
        onExit.fire(l -> l.accept(status));
        pool.onWorkerExit(this, status);
        exited.complete(null);
    }
}
