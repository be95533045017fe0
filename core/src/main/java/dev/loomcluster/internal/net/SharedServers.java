package dev.loomcluster.internal.net;

import dev.loomcluster.SchedulingPolicy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * The pool's listening sockets in this JVM, by address: the first worker to listen on an address binds
 * it, the others share it; the last one to leave closes it. {@code listen(0)} binds a random port once and
 * every later {@code listen(0)} on the same host shares it (Node's documented behaviour). Any thread; the
 * map is guarded by this object's monitor, held across {@code bind} and {@code close} of a listening
 * socket and the end of its acceptor thread (which the close wakes at once), so that a {@code listen}
 * right after the last share left binds anew and never meets the old socket; never held across reads,
 * writes or accepts.
 */
public final class SharedServers implements ListenService {
    // ---- immutable
    private final String name;
    private final SchedulingPolicy policy;
    private final int backlog;

    // ---- any thread, under this object's monitor
    private final Map<InetSocketAddress, SharedServer> byAddress = new HashMap<>();

    /**
     * @param name    the pool's name, for thread names
     * @param policy  how connections are distributed
     * @param backlog connections that may wait in one worker's queue before it is skipped as overloaded
     */
    public SharedServers(String name, SchedulingPolicy policy, int backlog) {
        this.name = name;
        this.policy = policy;
        this.backlog = backlog;
    }

    String name() {
        return name;
    }

    SchedulingPolicy policy() {
        return policy;
    }

    int backlog() {
        return backlog;
    }

    @Override
    public Share listen(InetSocketAddress address, ShareOwner owner) throws IOException {
        synchronized (this) {
            SharedServer server = byAddress.get(address);
            if (server == null) {
                server = SharedServer.bind(address, this);
                byAddress.put(address, server);
                byAddress.putIfAbsent(server.address(), server);
            }
            AcceptorShare share = new AcceptorShare(server, owner);
            server.add(share);
            return share;
        }
    }

    /**
     * Removes a share; closes the socket when it was the last. The acceptor is joined under the monitor:
     * while it is blocked in {@code accept}, closing the channel only marks it closed, and the kernel
     * socket (and its port) is released when that {@code accept} returns, so a {@code listen} that came in
     * between would meet the old socket and fail with {@code BindException}.
     */
    void release(SharedServer server, AcceptorShare share) {
        synchronized (this) {
            if (server.remove(share)) {
                byAddress.values().removeIf(s -> s == server);
                server.close();
                server.awaitAcceptor();
            }
        }
    }

    @Override
    public void closeAll() {
        SharedServer[] all;
        synchronized (this) {
            all = byAddress.values().stream().distinct().toArray(SharedServer[]::new);
            byAddress.clear();
            for (SharedServer s : all) {
                s.close();
            }
        }
        for (SharedServer s : all) {
            s.awaitAcceptor();
        }
    }
}
