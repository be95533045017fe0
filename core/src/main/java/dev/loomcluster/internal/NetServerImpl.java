package dev.loomcluster.internal;

import dev.loomcluster.Connection;
import dev.loomcluster.ConnectionHandler;
import dev.loomcluster.NetServer;
import dev.loomcluster.SchedulingPolicy;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.atomic.MpmcAtomicArrayQueue;

import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * One worker's share of a {@link SharedServer}. The acceptor thread offers channels ({@link #offer}); the
 * worker's loop takes them ({@link #drain}, {@link #pollShared}); {@link #close} may run on any thread and
 * takes back what is still queued. The queue is MPMC because a closer may drain it while the acceptor
 * offers and the loop polls: after publishing {@code open = false} the closer drains, and an acceptor that
 * offered and then sees {@code open == false} drains too (a full fence orders both), so a channel is never
 * stranded in a closed share.
 */
final class NetServerImpl implements NetServer {
    // ---- immutable
    private final WorkerRuntime worker;
    private final SharedServer server;
    private final Function<Connection, ConnectionHandler> handlers;

    // ---- any thread
    private final MessagePassingQueue<SocketChannel> queue;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final AtomicBoolean idleRegistered = new AtomicBoolean();
    private final EventLoop.Task drainTask = new EventLoop.Task() {
        @Override
        public void run() {
            drain();
        }
    };
    private volatile boolean open = true;
    private volatile int openConnections;  // written by the worker's loop only

    NetServerImpl(WorkerRuntime worker, SharedServer server, Function<Connection, ConnectionHandler> handlers) {
        this.worker = worker;
        this.server = server;
        this.handlers = handlers;
        this.queue = new MpmcAtomicArrayQueue<>(Math.max(64, 2 * server.backlog()));
    }

    SharedServer server() {
        return server;
    }

    Function<Connection, ConnectionHandler> handlers() {
        return handlers;
    }

    @Override
    public InetSocketAddress address() {
        return server.address();
    }

    @Override
    public int openConnections() {
        return openConnections;
    }

    // ---------------------------------------------------------------- acceptor side (round robin)

    /** Queues a channel for this worker unless closed or holding {@code bound} channels already. */
    boolean offer(SocketChannel ch, int bound) {
        if (!open || queue.size() >= bound || !queue.offer(ch)) {
            return false;
        }
        VarHandle.fullFence();
        if (!open) {
            rescue();
            return true;
        }
        if (!drainScheduled.get() && drainScheduled.compareAndSet(false, true)) {
            worker.loop().execute(drainTask);
        }
        return true;
    }

    /** Worker loop: registers every queued channel. */
    private void drain() {
        drainScheduled.set(false);
        SocketChannel ch;
        while (open && (ch = queue.poll()) != null) {
            worker.adopt(ch, this);
        }
        if (server.policy() == SchedulingPolicy.SHARED) {
            pollShared();
        }
    }

    // ---------------------------------------------------------------- shared policy (worker loop)

    /**
     * Takes one channel from the shared queue; when there is none, asks to be woken for the next one and
     * checks again (so an offer made meanwhile is not missed). Returns whether a channel was taken.
     */
    boolean pollShared() {
        if (!open || server.policy() != SchedulingPolicy.SHARED) {
            return false;
        }
        var shared = server.sharedQueue();
        SocketChannel ch = shared.poll();
        if (ch == null) {
            if (idleRegistered.compareAndSet(false, true)) {
                server.registerIdle(this);
            }
            VarHandle.fullFence();
            ch = shared.poll();
            if (ch == null) {
                return false;
            }
        }
        worker.adopt(ch, this);
        return true;
    }

    /** Acceptor: this share was idle; schedule a poll on its loop. Returns false if the share is closed. */
    boolean wakeForShared() {
        idleRegistered.set(false);
        if (!open) {
            return false;
        }
        if (!drainScheduled.get() && drainScheduled.compareAndSet(false, true)) {
            worker.loop().execute(drainTask);
        }
        return true;
    }

    // ---------------------------------------------------------------- connection counts (worker loop)

    void connectionOpened() {
        openConnections++;
    }

    void connectionClosed() {
        openConnections--;
    }

    // ---------------------------------------------------------------- any thread

    @Override
    public void close() {
        if (!open) {
            return;
        }
        open = false;
        server.registry().release(server, this);
        VarHandle.fullFence();
        rescue();
    }

    private void rescue() {
        SocketChannel ch;
        while ((ch = queue.poll()) != null) {
            server.redispatch(ch, this);
        }
    }
}
