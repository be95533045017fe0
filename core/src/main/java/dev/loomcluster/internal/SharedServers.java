package dev.loomcluster.internal;

import dev.loomcluster.Connection;
import dev.loomcluster.ConnectionHandler;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The pool's listening sockets by address: the first worker to listen on an address binds it, the others
 * share it; the last one to leave closes it. {@code listen(0)} binds a random port once and every later
 * {@code listen(0)} on the same host shares it (Node's documented behaviour). Any thread; the map is
 * guarded by this object's monitor, held across {@code bind} (a non-blocking system call) but never across
 * reads, writes or accepts.
 */
final class SharedServers {
    private final PoolImpl pool;
    private final Map<InetSocketAddress, SharedServer> byAddress = new HashMap<>();

    SharedServers(PoolImpl pool) {
        this.pool = pool;
    }

    NetServerImpl listen(InetSocketAddress address, WorkerRuntime worker,
                         Function<Connection, ConnectionHandler> handlers) throws IOException {
        synchronized (this) {
            SharedServer server = byAddress.get(address);
            if (server == null) {
                server = SharedServer.bind(pool, address, this);
                byAddress.put(address, server);
                byAddress.putIfAbsent(server.address(), server);
            }
            NetServerImpl share = new NetServerImpl(worker, server, handlers);
            server.add(share);
            return share;
        }
    }

    /** Removes a share; closes the socket when it was the last. */
    void release(SharedServer server, NetServerImpl share) {
        boolean last;
        synchronized (this) {
            last = server.remove(share);
            if (last) {
                byAddress.values().removeIf(s -> s == server);
            }
        }
        if (last) {
            server.close();
        }
    }

    /** Closes every socket (pool shutdown). */
    void closeAll() {
        SharedServer[] all;
        synchronized (this) {
            all = byAddress.values().stream().distinct().toArray(SharedServer[]::new);
            byAddress.clear();
        }
        for (SharedServer s : all) {
            s.close();
        }
    }
}
