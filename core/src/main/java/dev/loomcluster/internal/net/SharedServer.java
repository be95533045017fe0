package dev.loomcluster.internal.net;

import dev.loomcluster.SchedulingPolicy;
import dev.loomcluster.internal.observe.Log;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.atomic.MpmcAtomicArrayQueue;
import java.util.concurrent.ConcurrentLinkedQueue;

import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * One listening socket shared by the workers listening on its address, with its acceptor thread.
 *
 * <p>The acceptor (one platform thread per socket) blocks in {@code accept} and hands each channel on:
 * <ul>
 *   <li>{@link SchedulingPolicy#ROUND_ROBIN}: to the next share (worker) in turn, through the share's MPMC
 *   queue, skipping a share that is closed or holds {@code backlog} queued channels. When every share is
 *   full, the acceptor holds the channel and retries after a short pause, accepting nothing meanwhile: the
 *   kernel's backlog holds the rest.</li>
 *   <li>{@link SchedulingPolicy#SHARED}: into one MPMC queue; then it wakes one worker that said it is idle.
 *   Workers take from the queue whenever their loop is about to wait, so busy workers take less.</li>
 * </ul>
 * No accepted channel is lost: a channel queued to a share that closes (its worker disconnects, exits or is
 * killed) is taken back and handed to another share, or closed if none is left.
 */
final class SharedServer {
    private static final System.Logger LOG = Log.NET;
    private static final AcceptorShare[] NONE = {};

    // ---- immutable
    private final ServerSocketChannel channel;
    private final InetSocketAddress address;
    private final SchedulingPolicy policy;
    private final int backlog;
    private final SharedServers registry;
    private final Thread acceptor;

    // ---- any thread
    private final MessagePassingQueue<SocketChannel> shared;
    private final ConcurrentLinkedQueue<AcceptorShare> idle = new ConcurrentLinkedQueue<>();
    private volatile AcceptorShare[] shares = NONE;  // guarded for writes by the registry's monitor
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicInteger handOverCursor = new java.util.concurrent.atomic.AtomicInteger();

    // ---- acceptor thread (racy use by rescuers is harmless)
    private int cursor;

    private SharedServer(ServerSocketChannel channel, SharedServers registry) throws IOException {
        this.channel = channel;
        this.address = (InetSocketAddress) channel.getLocalAddress();
        this.policy = registry.policy();
        this.backlog = registry.backlog();
        this.registry = registry;
        this.shared = new MpmcAtomicArrayQueue<>(Math.max(4096, 8 * backlog));
        this.acceptor = Thread.ofPlatform().daemon(true)
                .name(registry.name() + "-acceptor-" + address.getPort())
                .unstarted(this::acceptLoop);
    }

    static SharedServer bind(InetSocketAddress requested, SharedServers registry) throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open();
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.bind(requested, 1024);
            SharedServer server = new SharedServer(ch, registry);
            server.acceptor.start();
            return server;
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    InetSocketAddress address() {
        return address;
    }

    int backlog() {
        return backlog;
    }

    SchedulingPolicy policy() {
        return policy;
    }

    SharedServers registry() {
        return registry;
    }

    MessagePassingQueue<SocketChannel> sharedQueue() {
        return shared;
    }

    /** Called under the registry's monitor. */
    void add(AcceptorShare share) {
        AcceptorShare[] a = Arrays.copyOf(shares, shares.length + 1);
        a[a.length - 1] = share;
        shares = a;
    }

    /** Called under the registry's monitor; returns whether no share is left. */
    boolean remove(AcceptorShare share) {
        AcceptorShare[] a = shares;
        AcceptorShare[] b = Arrays.stream(a).filter(s -> s != share).toArray(AcceptorShare[]::new);
        shares = b.length == 0 ? NONE : b;
        return b.length == 0;
    }

    // ---------------------------------------------------------------- acceptor thread

    private void acceptLoop() {
        while (!closed) {
            SocketChannel ch;
            try {
                ch = channel.accept();
            } catch (ClosedChannelException e) {
                break;
            } catch (IOException e) {
                // e.g. too many open files: back off, the kernel keeps the backlog
                LOG.log(System.Logger.Level.WARNING, "accept on " + address + " failed: " + e);
                LockSupport.parkNanos(10_000_000L);
                continue;
            }
            dispatch(ch);
        }
    }

    /** Hands {@code ch} to a worker; waits while every worker is full. Acceptor thread. */
    private void dispatch(SocketChannel ch) {
        long pause = 50_000L;
        while (true) {
            if (closed || shares.length == 0) {
                closeQuietly(ch);
                return;
            }
            if (policy == SchedulingPolicy.ROUND_ROBIN ? offerRoundRobin(ch, null, true) : offerShared(ch, true)) {
                return;
            }
            LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, 5_000_000L);
        }
    }

    private boolean offerRoundRobin(SocketChannel ch, AcceptorShare exclude, boolean bounded) {
        AcceptorShare[] a = shares;
        int n = a.length;
        for (int i = 0; i < n; i++) {
            AcceptorShare s = a[Math.floorMod(cursor++, n)];
            if (s != exclude && s.offer(ch, bounded ? backlog : Integer.MAX_VALUE)) {
                return true;
            }
        }
        return false;
    }

    private boolean offerShared(SocketChannel ch, boolean bounded) {
        if (bounded && shared.size() >= backlog * Math.max(1, shares.length)) {
            return false;
        }
        if (!shared.offer(ch)) {
            return false;
        }
        VarHandle.fullFence();
        if (closed) {
            drainShared();
            return true;
        }
        wakeIdle();
        return true;
    }

    /** Wakes one share whose worker said it is idle. */
    private void wakeIdle() {
        AcceptorShare s;
        while ((s = idle.poll()) != null) {
            if (s.wakeForShared()) {
                return;
            }
        }
    }

    /** A worker's share is about to wait: it asks to be woken for the next shared channel. */
    void registerIdle(AcceptorShare share) {
        idle.offer(share);
    }

    // ---------------------------------------------------------------- any thread

    /**
     * Hands a channel taken back from a closed share to another share, ignoring backlog bounds; closes it
     * if none is left.
     */
    void redispatch(SocketChannel ch, AcceptorShare from) {
        boolean placed = !closed && (policy == SchedulingPolicy.ROUND_ROBIN
                ? offerRoundRobin(ch, from, false)
                : offerShared(ch, false));
        if (!placed) {
            closeQuietly(ch);
        }
    }

    /** Whether a share other than {@code from} is open: a hand-over from {@code from} has somewhere to go. */
    boolean hasOtherShare(AcceptorShare from) {
        for (AcceptorShare s : shares) {
            if (s != from && s.isOpen()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Queues a handed-over connection on the next open share other than {@code from} (round robin, no
     * bound: a connection already served is never refused for the backlog); false, with nothing done, if
     * none is left or every one closed while it was offered (see {@link AcceptorShare#offerTransfer}).
     */
    boolean offerToOther(Transfer t, AcceptorShare from) {
        AcceptorShare[] a = shares;
        int n = a.length;
        int start = handOverCursor.getAndIncrement();
        for (int i = 0; i < n; i++) {
            AcceptorShare s = a[Math.floorMod(start + i, n)];
            if (s != from && s.offerTransfer(t)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Closes the socket and every channel still queued in it. Called under the registry's monitor, so a
     * {@code listen} on the same address that follows finds the port free; the acceptor is joined by
     * {@link #awaitAcceptor()}, outside the monitor.
     */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(channel);
        drainShared();
    }

    /** Waits (briefly) for the acceptor thread to end after {@link #close()}. Any thread but the acceptor. */
    void awaitAcceptor() {
        if (Thread.currentThread() != acceptor) {
            try {
                acceptor.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void drainShared() {
        SocketChannel ch;
        while ((ch = shared.poll()) != null) {
            closeQuietly(ch);
        }
    }

    /** Closes a channel, ignoring failures: for channels being discarded. */
    public static void closeQuietly(java.nio.channels.Channel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            Log.peerFailure("close", ch, e); // nothing more to do for a channel being discarded
        }
    }
}
