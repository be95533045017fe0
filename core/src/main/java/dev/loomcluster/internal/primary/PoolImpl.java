package dev.loomcluster.internal.primary;

import dev.loomcluster.Cancellable;
import dev.loomcluster.Isolation;
import dev.loomcluster.ExitStatus;
import dev.loomcluster.PoolStats;
import dev.loomcluster.Registration;
import dev.loomcluster.RestartPolicy;
import dev.loomcluster.ThreadKind;
import dev.loomcluster.Worker;
import dev.loomcluster.WorkerPool;
import dev.loomcluster.WorkerStats;
import dev.loomcluster.internal.loop.EventLoop;
import dev.loomcluster.internal.loop.Listeners;
import dev.loomcluster.internal.message.Messages;
import dev.loomcluster.internal.net.ListenService;
import dev.loomcluster.internal.net.SharedServers;
import dev.loomcluster.internal.observe.Lifecycle;
import dev.loomcluster.internal.observe.Log;
import dev.loomcluster.internal.observe.LoopWatchdog;
import dev.loomcluster.internal.observe.PoolJmx;
import dev.loomcluster.internal.process.ProcessWorkers;
import dev.loomcluster.internal.worker.Uplink;
import dev.loomcluster.internal.worker.WorkerRuntime;
import dev.loomcluster.internal.worker.WorkerSpec;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The pool: forks workers, keeps the live set, runs the primary loop on which every listener fires,
 * applies the restart policy and shuts down. Workers are reached only through their {@link WorkerLink}. Public methods may be called from any thread; methods marked
 * "primary loop" run on the pool's primary loop thread, alive until {@link #close()}, as Node's primary
 * stays alive while it has workers. The primary loop runs on the same kind of thread as the workers: for
 * {@code VIRTUAL} workers a virtual thread, so that a hand-off between the primary and a worker is a
 * continuation switch rather than an OS wake-up; a virtual thread does not keep the JVM alive, so such a
 * pool also starts a non-daemon platform thread that only waits for the primary loop to end.
 */
public final class PoolImpl implements WorkerPool {
    private static final System.Logger LOG = Log.POOL;
    private static final long KEEP_ALIVE_STACK = 64 * 1024;

    // ---- immutable
    private final PoolOptions options;
    private final EventLoop primary;
    private final Thread primaryThread;
    private final Thread keepAlive; // VIRTUAL: holds the JVM alive until the primary loop ends; else null
    private final ListenService servers;
    private final ProcessWorkers processes; // null unless the pool is in Isolation.PROCESS

    // ---- any thread
    private final ConcurrentSkipListMap<Integer, Worker> workers = new ConcurrentSkipListMap<>();
    private final Map<Integer, Worker> workersView = Collections.unmodifiableMap(workers);
    private final ConcurrentHashMap<Integer, WorkerHandle> live = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final AtomicLong forked = new AtomicLong();
    private final AtomicInteger leakedThreads = new AtomicInteger();
    private final AtomicLong restarted = new AtomicLong();
    private volatile PoolJmx jmx;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closeStarted = new AtomicBoolean();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private volatile boolean closing;
    private final Object lifecycleLock = new Object(); // orders fork() against the start of close()
    private final Listeners<Consumer<Worker>> onFork = new Listeners<>();
    private final Listeners<Consumer<Worker>> onOnline = new Listeners<>();
    private final Listeners<BiConsumer<Worker, InetSocketAddress>> onListening = new Listeners<>();
    private final Listeners<BiConsumer<Worker, Object>> onMessage = new Listeners<>();
    private final Listeners<Consumer<Worker>> onDisconnect = new Listeners<>();
    private final Listeners<BiConsumer<Worker, ExitStatus>> onExit = new Listeners<>();
    private final Listeners<BiConsumer<Worker, Throwable>> onError = new Listeners<>();
    private final Listeners<BiConsumer<Worker, dev.loomcluster.SentConnection>> onConnection = new Listeners<>();
    private final java.util.Set<SentConnectionImpl> heldConnections = ConcurrentHashMap.newKeySet();
    private final Reloader reloader = new Reloader(this);

    // ---- primary loop
    private final ArrayDeque<Long> restartTimes = new ArrayDeque<>();
    private boolean restartsGivenUp;
    /**
     * Threads of exited workers that may still be finishing (a worker reports its exit just before its
     * thread ends); {@link #close()} joins them once the primary loop has ended. Pruned as they end.
     */
    private final ArrayList<Thread> exitingThreads = new ArrayList<>();
    private int pruneExitingAt = 64;

    private PoolImpl(PoolOptions options) {
        this.options = options;
        this.servers = new SharedServers(options.name(), options.scheduling(), options.connectionBacklog());
        this.processes = options.isolation() == Isolation.PROCESS ? ProcessWorkers.create(options) : null;
        this.primary = new EventLoop(options.name() + "-primary");
        this.primary.idleStrategy(options.idle());
        if (options.threads() == ThreadKind.VIRTUAL) {
            this.primaryThread = Thread.ofVirtual().name(options.name() + "-primary").unstarted(this::runPrimary);
            this.keepAlive = Thread.ofPlatform().name(options.name() + "-keepalive").daemon(false)
                    .stackSize(KEEP_ALIVE_STACK).unstarted(terminated::join);
        } else {
            this.primaryThread = Thread.ofPlatform().name(options.name() + "-primary").daemon(false)
                    .unstarted(this::runPrimary);
            this.keepAlive = null;
        }
    }

    /** Builds a pool and starts its primary loop. */
    public static WorkerPool create(PoolOptions options) {
        PoolImpl pool = new PoolImpl(options);
        if (pool.keepAlive != null) {
            pool.keepAlive.start();
        }
        LoopWatchdog.watch(pool.primary.probe(), options.blockedLoopThreshold().toNanos(), options.name(), 0);
        pool.primaryThread.start();
        pool.jmx = PoolJmx.register(options.name(), pool::stats);
        return pool;
    }

    private void runPrimary() {
        try {
            // A task that throws (a thread that cannot be created, a failing close) is logged and the loop
            // goes on: the primary loop must outlive any one failure, or close() could never finish.
            while (!primary.isStopRequested()) {
                try {
                    primary.run(message -> {
                        throw new IllegalStateException("unexpected message on the primary loop: " + message);
                    });
                } catch (Throwable t) {
                    LOG.log(System.Logger.Level.ERROR, "a task on the primary loop of " + options.name() + " failed", t);
                }
            }
        } finally {
            primary.close();
            PoolJmx bean = jmx;
            if (bean != null) {
                bean.unregister();
            }
            Lifecycle.closed(options.name());
            terminated.complete(null);
        }
    }

    PoolOptions options() {
        return options;
    }

    EventLoop primary() {
        return primary;
    }

    /** The link that runs a new worker: a thread of this JVM, or a child JVM. */
    WorkerLink newLink(WorkerSpec spec, Uplink uplink) {
        if (processes != null) {
            return processes.newLink(spec, uplink, primary);
        }
        ThreadLink link = new ThreadLink(spec, options.threads(), uplink, servers);
        link.idleStrategy(options.idle());
        return link;
    }

    @Override
    public String name() {
        return options.name();
    }

    // ---------------------------------------------------------------- forking

    @Override
    public WorkerPool start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("pool " + name() + " is already started");
        }
        for (int i = 0; i < options.size(); i++) {
            fork();
        }
        return this;
    }

    @Override
    public Worker fork() {
        return fork(Map.of());
    }

    @Override
    public Worker fork(Map<String, String> env) {
        Objects.requireNonNull(env, "env");
        return fork(env, 0, 0);
    }

    private WorkerHandle fork(Map<String, String> env, int restarts, int consecutiveCrashes) {
        Map<String, String> merged = new HashMap<>(options.env());
        merged.putAll(env);
        // Under the lock that close() takes to start the shutdown: a fork that passes the check is in
        // live, and its start is queued, before the shutdown task, which therefore disconnects it.
        synchronized (lifecycleLock) {
            if (closing) {
                throw new IllegalStateException("pool " + name() + " is closed");
            }
            WorkerHandle handle = new WorkerHandle(this, nextId.getAndIncrement(), merged, restarts, consecutiveCrashes);
            live.put(handle.id(), handle);
            workers.put(handle.id(), handle);
            forked.incrementAndGet();
            primary.execute(() -> {
                Lifecycle.forked(name(), handle.id(), restarts);
                onFork.fire(l -> l.accept(handle));
                try {
                    handle.link.start();
                    handle.link.loopProbe().ifPresent(p ->
                            LoopWatchdog.watch(p, options.blockedLoopThreshold().toNanos(), name(), handle.id()));
                } catch (Throwable t) { // e.g. no native thread could be created
                    Lifecycle.failed(name(), handle.id(), t);
                    fireError(handle, t);
                    handle.finish(ExitStatus.exited(1));
                }
            });
            return handle;
        }
    }

    @Override
    public Map<Integer, Worker> workers() {
        return workersView;
    }

    void removeFromWorkers(WorkerHandle handle) {
        workers.remove(handle.id(), handle);
    }

    // ---------------------------------------------------------------- messages

    @Override
    public boolean send(int workerId, Object message) {
        Object isolated = Messages.isolate(message);
        WorkerHandle h = live.get(workerId);
        return h != null && h.sendIsolated(isolated);
    }

    @Override
    public int broadcast(Object message) {
        Object first = Messages.isolate(message); // refuses before sending to anyone
        boolean immutable = first == message;     // nothing had to be copied: every receiver may share it
        boolean firstUsed = false;
        int n = 0;
        for (WorkerHandle h : live.values()) {
            if (!h.isConnected()) {
                continue;
            }
            Object copy = immutable || !firstUsed ? first : Messages.isolate(message);
            firstUsed = true;
            if (h.sendIsolated(copy)) {
                n++;
            }
        }
        return n;
    }

    // ---------------------------------------------------------------- events (primary loop)

    void fireOnline(WorkerHandle w) {
        Lifecycle.online(name(), w.id(), System.nanoTime() - w.forkedAtNanos);
        onOnline.fire(l -> l.accept(w));
    }

    void fireListening(WorkerHandle w, InetSocketAddress address) {
        onListening.fire(l -> l.accept(w, address));
    }

    void fireMessage(WorkerHandle w, Object message) {
        Object[] listeners = onMessage.snapshot();
        for (int i = 0; i < listeners.length; i++) {
            BiConsumer<Worker, Object> l = onMessage.at(listeners, i);
            try {
                l.accept(w, message);
            } catch (Throwable t) {
                Listeners.logFailure(l, t);
            }
        }
    }

    void fireError(WorkerHandle w, Throwable error) {
        onError.fire(l -> l.accept(w, error));
    }

    /** A worker sent a connection: the listeners forward or close it; with none, it is closed. */
    void fireConnection(WorkerHandle w, Object message, dev.loomcluster.internal.net.Transfer transfer) {
        SentConnectionImpl sent = new SentConnectionImpl(message, w, transfer, heldConnections);
        if (onConnection.snapshot().length == 0 || closing) {
            sent.close();
            return;
        }
        onConnection.fire(l -> l.accept(w, sent));
    }

    void fireDisconnect(WorkerHandle w) {
        onDisconnect.fire(l -> l.accept(w));
    }

    /** A worker is dead: fire {@code exit}, then apply the restart policy. */
    void onWorkerExit(WorkerHandle w, ExitStatus status) {
        live.remove(w.id(), w);
        var exiting = w.link.exitingThread();
        if (exiting.isPresent() && !status.equals(ExitStatus.SIGKILL)) { // SIGKILL: abandoned, never joined
            exitingThreads.add(exiting.get());
            if (exitingThreads.size() >= pruneExitingAt) {
                exitingThreads.removeIf(t -> !t.isAlive());
                pruneExitingAt = Math.max(64, 2 * exitingThreads.size());
            }
        }
        Lifecycle.exited(name(), w.id(), status, w.exitedAfterDisconnect(), System.nanoTime() - w.forkedAtNanos);
        onExit.fire(l -> l.accept(w, status));
        maybeRestart(w, status);
    }

    private void maybeRestart(WorkerHandle w, ExitStatus status) {
        RestartPolicy policy = options.restart();
        if (!policy.enabled() || closing || restartsGivenUp || w.exitedAfterDisconnect() || w.wasKilled()
                || status.code() == 0) {
            return;
        }
        long now = System.nanoTime();
        long window = policy.window().toNanos();
        while (!restartTimes.isEmpty() && now - restartTimes.peekFirst() > window) {
            restartTimes.pollFirst();
        }
        boolean exceeded = restartTimes.size() >= policy.maxRestarts();
        if (exceeded) {
            boolean keep = policy.whenExceeded() == RestartPolicy.Exceeded.KEEP_RESTARTING;
            restartsGivenUp = !keep;
            String text = "restart intensity exceeded: more than " + policy.maxRestarts() + " restarts within "
                    + policy.window() + "; pool " + name() + (keep
                    ? " restarts worker " + w.id() + "'s slot after the maximum backoff " + policy.maxBackoff()
                    : " stops restarting workers (with no worker left, its servers are down)");
            if (keep) {
                LOG.log(System.Logger.Level.WARNING, text);
            } else {
                Lifecycle.restartsGivenUp(name(), w.id(), policy.maxRestarts(), policy.window());
            }
            fireError(w, new IllegalStateException(text));
            if (!keep) {
                return;
            }
        }
        restartTimes.addLast(now);
        boolean stable = now - w.forkedAtNanos >= policy.resetAfter().toNanos();
        int crashes = stable ? 1 : w.consecutiveCrashes + 1;
        long delay = exceeded ? policy.maxBackoff().toNanos() : policy.backoff(crashes).toNanos();
        Map<String, String> env = w.env();
        Lifecycle.restartScheduled(name(), w.id(), status.code(), w.restarts + 1, delay);
        primary.schedule(delay, 0, () -> {
            if (!closing) {
                try {
                    fork(env, w.restarts + 1, crashes);
                    restarted.incrementAndGet();
                } catch (IllegalStateException closedMeanwhile) {
                    // close() began after the check: no restart. Thrown out of this timer, it would end
                    // the primary loop before its shutdown task ran, leaving the workers running.
                }
            }
        });
    }

    /** After a kill, abandons the worker's thread if it has not ended within the kill timeout. */
    void scheduleKillCheck(WorkerHandle w) {
        primary.schedule(options.killTimeout().toNanos(), 0, () -> {
            if (!w.isDead()) {
                if (w.link.forceEnd()) {
                    leakedThreads.incrementAndGet();
                    LOG.log(System.Logger.Level.WARNING, "worker " + w.id() + " of " + name()
                            + " did not stop within " + options.killTimeout() + "; its thread is abandoned");
                }
                w.finish(ExitStatus.SIGKILL);
            }
        });
    }

    // ---------------------------------------------------------------- shutdown

    @Override
    public CompletableFuture<Void> disconnect() {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (WorkerHandle h : live.values()) {
            all.add(h.disconnect());
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    @Override
    public void close() {
        if (closeStarted.compareAndSet(false, true)) {
            synchronized (lifecycleLock) {
                closing = true;
                primary.execute(this::shutdown);
            }
        }
        if (!primary.inLoop() && !isStuckWorkerThread()) {
            terminated.join();
            try {
                primaryThread.join();
                if (keepAlive != null) {
                    keepAlive.join();
                }
                // The primary loop has ended (happens-before): its list is ours now. Every worker has
                // reported its exit, but its thread may not have returned yet.
                long deadline = System.nanoTime() + options.killTimeout().toNanos();
                for (Thread t : exitingThreads) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || !t.join(java.time.Duration.ofNanos(left))) {
                        break;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private boolean isStuckWorkerThread() {
        WorkerRuntime current = WorkerRuntime.current();
        if (current == null) {
            return false;
        }
        WorkerHandle h = live.get(current.id()); // ids are per pool: it must be this pool's worker
        return h != null && h.link.isCurrentThread();
    }

    /** Primary loop: disconnect all, kill what is left after the shutdown timeout, then stop. */
    private void shutdown() {
        List<CompletableFuture<Void>> exits = new ArrayList<>();
        Lifecycle.shutdownStarted(name(), live.size(), options.shutdownTimeout());
        for (WorkerHandle h : live.values()) {
            h.disconnect();
            exits.add(h.exitFuture());
        }
        Cancellable killer = primary.schedule(options.shutdownTimeout().toNanos(), 0, () -> {
            if (!live.isEmpty()) {
                Lifecycle.shutdownTimedOut(name(), live.size());
            }
            for (WorkerHandle h : live.values()) {
                h.kill();
            }
        });
        CompletableFuture.allOf(exits.toArray(CompletableFuture[]::new)).whenComplete((v, e) ->
                primary.execute(() -> {
                    killer.cancel();
                    for (SentConnectionImpl c : heldConnections) {
                        c.close();
                    }
                    servers.closeAll();
                    if (processes != null) {
                        processes.close();
                    }
                    primary.stop();
                }));
    }

    // ---------------------------------------------------------------- stats and listeners

    @Override
    public PoolStats stats() {
        List<WorkerStats> list = new ArrayList<>();
        new java.util.TreeMap<>(live).values().forEach(h -> list.add(h.stats()));
        return PoolStats.builder().workers(list).forked(forked.get()).leakedThreads(leakedThreads.get())
                .restarts(restarted.get()).build();
    }

    @Override
    public Registration onFork(Consumer<Worker> listener) {
        return onFork.add(listener);
    }

    @Override
    public Registration onOnline(Consumer<Worker> listener) {
        return onOnline.add(listener);
    }

    @Override
    public Registration onListening(BiConsumer<Worker, InetSocketAddress> listener) {
        return onListening.add(listener);
    }

    @Override
    public Registration onMessage(BiConsumer<Worker, Object> listener) {
        return onMessage.add(listener);
    }

    @Override
    public Registration onDisconnect(Consumer<Worker> listener) {
        return onDisconnect.add(listener);
    }

    @Override
    public Registration onExit(BiConsumer<Worker, ExitStatus> listener) {
        return onExit.add(listener);
    }

    @Override
    public Registration onError(BiConsumer<Worker, Throwable> listener) {
        return onError.add(listener);
    }

    @Override
    public Registration onConnection(BiConsumer<Worker, dev.loomcluster.SentConnection> listener) {
        return onConnection.add(listener);
    }

    @Override
    public CompletableFuture<Void> reload() {
        return reloader.reload();
    }

    @Override
    public CompletableFuture<Void> scale(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("scale must not be negative: " + n);
        }
        return reloader.scale(n);
    }

    @Override
    public String toString() {
        return "WorkerPool[" + name() + ", " + live.size() + " workers]";
    }
}
