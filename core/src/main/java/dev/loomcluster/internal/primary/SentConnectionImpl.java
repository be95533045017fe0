package dev.loomcluster.internal.primary;

import dev.loomcluster.SentConnection;
import dev.loomcluster.Worker;
import dev.loomcluster.internal.net.Transfer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A connection a worker sent to the primary, held until forwarded or closed. Its one state change (held
 * to forwarded or closed) is a compare-and-set on {@link #transfer}; any thread. While held it is in the
 * pool's set of held connections, which the pool closes at shutdown.
 */
final class SentConnectionImpl implements SentConnection {
    // ---- immutable
    private final Object message;
    private final Worker sender;
    private final InetSocketAddress remote;
    private final InetSocketAddress local;
    private final Set<SentConnectionImpl> held;

    // ---- any thread: the transfer while held, null once forwarded or closed
    private final AtomicReference<Transfer> transfer;

    SentConnectionImpl(Object message, Worker sender, Transfer transfer, Set<SentConnectionImpl> held) {
        this.message = message;
        this.sender = sender;
        this.transfer = new AtomicReference<>(transfer);
        this.remote = address(transfer, true);
        this.local = address(transfer, false);
        this.held = held;
        held.add(this);
    }

    private static InetSocketAddress address(Transfer t, boolean remote) {
        try {
            return (InetSocketAddress) (remote ? t.channel().getRemoteAddress() : t.channel().getLocalAddress());
        } catch (IOException e) {
            return new InetSocketAddress(0); // closed by the peer meanwhile: no address to report
        }
    }

    /** Takes the transfer for forwarding; the caller gives it back with {@link #restore} if that fails. */
    Transfer take() {
        Transfer t = transfer.getAndSet(null);
        if (t == null) {
            throw new IllegalStateException("connection " + remote + " was already forwarded or closed");
        }
        return t;
    }

    void restore(Transfer t) {
        transfer.set(t);
    }

    void forwarded() {
        held.remove(this);
    }

    @Override
    public Object message() {
        return message;
    }

    @Override
    public Worker sender() {
        return sender;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public boolean isHeld() {
        return transfer.get() != null;
    }

    @Override
    public void close() {
        Transfer t = transfer.getAndSet(null);
        if (t != null) {
            t.close();
        }
        held.remove(this);
    }

    @Override
    public String toString() {
        return "SentConnection[" + remote + " from worker " + sender.id() + (isHeld() ? "]" : ", gone]");
    }
}
