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
 * so a channel is never stranded in a closed share.
 *
 * <p>Connections handed over by other workers ({@link Transfer}s) wait in a second, unbounded MPMC queue:
 * they are few, and a hand-over must not fail because accepted channels filled the first. A transfer is
 * a connection some worker already serves, so it is never closed for want of a taker: only this share's
 * loop takes one from the queue ({@link #drain}, {@link #rescueTransfers} after the close), and passes it
 * to another share or, with none left, to its worker, which serves it while it drains. A worker that
 * offers a transfer and then sees the share closed takes it back if it is still queued
 * ({@link #offerTransfer} returns false, and that worker keeps serving it); if it is gone, this share's
 * loop has it. Only once the loop is ending (its worker exits, or is killed) does a closer on another
 * thread close what is left.
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

    /**
     * Queues a channel for this worker unless closed or holding {@code bound} channels already. If
     * {@link #close} ran meanwhile (each side fences between its write and its read, so one of them sees
     * the other), the channels still queued go to other shares from here.
     */
    boolean offer(SocketChannel ch, int bound) {
        if (!open || queue.size() >= bound || !queue.offer(ch)) {
            return false;
        }
        VarHandle.fullFence();
        if (!open) {
            rescueChannels();
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

    /**
     * Queues a connection handed over by another worker. False, with the transfer still the caller's, if
     * this share is closed, or closed while the transfer was queued and it could be taken back; true if
     * this share's loop has it or will take it. Any thread (the offering worker's loop).
     */
    boolean offerTransfer(Transfer t) {
        if (!open) {
            return false;
        }
        transfers.offer(t);
        VarHandle.fullFence();
        if (!open && transfers.remove(t)) {
            return false; // closed meanwhile: the closer's rescue has not taken it, and now will not
        }
        scheduleDrain(); // closed and already taken: the drain finds the share closed and does nothing
        return true;
    }

    @Override
    public boolean canHandOver() {
        return server.hasOtherShare(this);
    }

    @Override
    public boolean handOver(Transfer transfer) {
        return server.offerToOther(transfer, this);
    }

    /**
     * Stops handing connections to this worker: queued channels go to other shares, queued transfers too
     * or back to this worker ({@link #rescueTransfers}). Any thread; calling it again rescues what is still
     * queued (the worker's end does, once its loop has stopped).
     */
    @Override
    public void close() {
        if (open) {
            open = false;
            server.registry().release(server, this);
        }
        VarHandle.fullFence();
        rescueChannels();
        rescueTransfers();
    }

    /** Hands every queued channel to another share, or closes it if none is left. Any thread. */
    private void rescueChannels() {
        SocketChannel ch;
        while ((ch = queue.poll()) != null) {
            server.redispatch(ch, this);
        }
    }

    /**
     * After {@link #close}: every queued transfer goes to another share or, with none left (the whole pool
     * is disconnecting), to this share's worker, which stops listening but still serves, rather than being
     * closed under a client whose request may be on its way. On the loop; from another thread it is left
     * to the loop, unless the loop is ending (its worker exits or was killed): then what is queued is
     * closed, as that worker's own connections are.
     */
    private void rescueTransfers() {
        if (transfers.isEmpty()) {
            return;
        }
        EventLoop loop = owner.loop();
        boolean onLoop = loop.inLoop();
        if (!onLoop && !loop.isStopRequested()) {
            // If the loop stops before it runs this, the worker's end closes the share again, on its thread.
            loop.execute(this::rescueTransfers);
            return;
        }
        Transfer t;
        while ((t = transfers.poll()) != null) {
            if (server.offerToOther(t, this)) {
                continue;
            }
            if (onLoop) {
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
