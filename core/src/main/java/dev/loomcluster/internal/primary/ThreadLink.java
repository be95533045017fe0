package dev.loomcluster.internal.primary;

import dev.loomcluster.IdleStrategy;
import dev.loomcluster.ThreadKind;
import dev.loomcluster.internal.net.ListenService;
import dev.loomcluster.internal.observe.LagHistogram;
import dev.loomcluster.internal.observe.LoopProbe;
import dev.loomcluster.internal.worker.Uplink;
import dev.loomcluster.internal.worker.WorkerRuntime;
import dev.loomcluster.internal.worker.WorkerSpec;

import java.util.Optional;

/**
 * A worker that is a thread of this JVM: a {@link WorkerRuntime} on a platform or virtual thread. Any
 * thread unless a method says otherwise.
 */
final class ThreadLink implements WorkerLink {
    // ---- immutable
    private final WorkerRuntime runtime;
    private final ThreadKind kind;
    private final String name;

    // ---- any thread
    private volatile Thread thread;

    ThreadLink(WorkerSpec spec, ThreadKind kind, Uplink uplink, ListenService listen) {
        this.runtime = new WorkerRuntime(spec, uplink, listen);
        this.kind = kind;
        this.name = runtime.loopName(); // one string for the loop and its thread
    }

    /** Before {@link #start()}: what the worker's loop does when idle. */
    void idleStrategy(IdleStrategy idle) {
        runtime.idleStrategy(idle);
    }

    @Override
    public void start() {
        Runnable body = runtime::run;
        Thread t = kind == ThreadKind.VIRTUAL
                ? Thread.ofVirtual().name(name).unstarted(body)
                : Thread.ofPlatform().name(name).daemon(true).unstarted(body);
        thread = t;
        t.start();
    }

    @Override
    public boolean deliver(Object isolated) {
        return runtime.deliver(isolated);
    }

    @Override
    public boolean deliverConnection(Object isolated, dev.loomcluster.internal.net.Transfer transfer) {
        return runtime.deliverConnection(isolated, transfer);
    }

    @Override
    public void requestDisconnect() {
        runtime.requestDisconnect();
    }

    @Override
    public void kill() {
        runtime.kill();
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    @Override
    public boolean forceEnd() {
        boolean leaked = liveThread() != null;
        runtime.releaseResources(false);
        return leaked;
    }

    @Override
    public Optional<Thread> exitingThread() {
        return Optional.ofNullable(liveThread());
    }

    private Thread liveThread() {
        Thread t = thread;
        return t != null && t.isAlive() ? t : null;
    }

    @Override
    public boolean isCurrentThread() {
        return WorkerRuntime.current() == runtime;
    }

    @Override
    public Optional<ProcessHandle> process() {
        return Optional.empty();
    }

    @Override
    public Counters counters() {
        LagHistogram lag = runtime.loopProbe().lag();
        return new Counters(runtime.messagesIn(), runtime.messagesOut(), runtime.mailboxDepth(),
                runtime.utilization(), runtime.connectionsReceived(), runtime.connectionsOpen(),
                lag.percentile(0.5), lag.percentile(0.99), lag.count(), runtime.metrics().requestsServed());
    }

    @Override
    public Optional<LoopProbe> loopProbe() {
        return Optional.of(runtime.loopProbe());
    }
}
