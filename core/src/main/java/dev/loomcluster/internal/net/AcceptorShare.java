package dev.loomcluster.internal.net;

import dev.loomcluster.SchedulingPolicy;
import dev.loomcluster.internal.loop.EventLoop;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.atomic.MpmcAtomicArrayQueue;

import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One worker's share of a {@link SharedServer} in this JVM. The acceptor thread offers channels
 * ({@link #offer}); the worker's loop takes them ({@link #drain}, {@link #pollIdle}); {@link #close} may
 * run on any thread and takes back what is still queued. The queue is MPMC because a closer may drain it
 * while the acceptor offers and the loop polls: after publishing {@code open = false} the closer drains,
 * and an acceptor that offered and then sees {@code open == false} drains too (a full fence orders both),
 * so a channel is never stranded in a closed share. Connections handed over by other workers
 * ({@link Transfer}s) take the same path through a second, unbounded MPMC queue: they are few, and a
 * hand-over must not fail because accepted channels filled the first.
 */
final class AcceptorShare implements Share {
    // ---- immutable
    private final SharedServer server;
    private final ShareOwner owner;

    // ---- any thread
    private final MessagePassingQueue<SocketChannel> queue;
    private final ConcurrentLinkedQueue<Transfer> transfers = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final AtomicBoolean idleRegistered = new AtomicBoolean();
    private final EventLoop.Task drainTask = new EventLoop.Task() {
        @Override
        public void run() {
            drain();
        }
    };
    private volatile boolean open = true;

    AcceptorShare(SharedServer server, ShareOwner owner) {
        this.server = server;
        this.owner = owner;
        this.queue = new MpmcAtomicArrayQueue<>(Math.max(64, 2 * server.backlog()));
    }

    @Override
    public InetSocketAddress address() {
        return server.address();
    }

    // ---------------------------------------------------------------- acceptor side (round robin)

    /** Queues a channel for this worker unless closed or holding {@code bound} channels already. */
    boolean offer(SocketChannel ch, int bound) {
        if (!open || queue.size() >= bound || !queue.offer(ch)) {
            return false;
        }
        return queued();
    }

    /**
     * After an offer was queued: schedules the drain, or, if {@link #close} ran meanwhile (each side fences
     * between its write and its read, so one of them sees the other), moves what is queued on itself.
     * Always true: what was queued is drained or rescued.
     */
    private boolean queued() {
        VarHandle.fullFence();
        if (!open) {
            rescue();
            return true;
        }
        scheduleDrain();
        return true;
    }

    private void scheduleDrain() {
        if (!drainScheduled.get() && drainScheduled.compareAndSet(false, true)) {
            owner.loop().execute(drainTask);
        }
    }

    /** Worker loop: hands every queued channel to the owner. */
    private void drain() {
        assert owner.loop().inLoop();
        drainScheduled.set(false);
        SocketChannel ch;
        while (open && (ch = queue.poll()) != null) {
            owner.adopt(ch);
        }
        Transfer t;
        while (open && (t = transfers.poll()) != null) {
            owner.adoptTransfer(t);
        }
        if (server.policy() == SchedulingPolicy.SHARED) {
            pollIdle();
        }
    }

    // ---------------------------------------------------------------- shared policy (worker loop)

    /**
     * Takes one channel from the shared queue; when there is none, asks to be woken for the next one and
     * checks again (so an offer made meanwhile is not missed).
     */
    @Override
    public boolean pollIdle() {
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
        owner.adopt(ch);
        return true;
    }

    /** Acceptor: this share was idle; schedule a poll on its loop. Returns false if the share is closed. */
    boolean wakeForShared() {
        idleRegistered.set(false);
        if (!open) {
            return false;
        }
        scheduleDrain();
        return true;
    }

    // ---------------------------------------------------------------- any thread

    @Override
    public void giveBack(SocketChannel channel) {
        server.redispatch(channel, this);
    }

    /** Queues a connection handed over by another worker; false if this share is closed. */
    boolean offerTransfer(Transfer t) {
        if (!open) {
            return false;
        }
        transfers.offer(t);
        return queued();
    }

    @Override
    public boolean canHandOver() {
        return server.hasOtherShare(this);
    }

    @Override
    public boolean handOver(Transfer transfer) {
        return server.offerToOther(transfer, this);
    }

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
        Transfer t;
        while ((t = transfers.poll()) != null) {
            if (server.offerToOther(t, this)) {
                continue;
            }
            // No other share is left (the whole pool is disconnecting): this share's worker, which stops
            // listening but still serves, keeps the connection rather than closing it under a client.
            if (owner.loop().inLoop()) {
                owner.adoptTransfer(t);
            } else {
                t.close();
            }
        }
    }

    boolean isOpen() {
        return open;
    }
}
