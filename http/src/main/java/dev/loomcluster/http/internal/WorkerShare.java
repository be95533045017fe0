package dev.loomcluster.http.internal;

import dev.loomcluster.Cancellable;
import dev.loomcluster.Connection;
import dev.loomcluster.ConnectionHandler;
import dev.loomcluster.NetServer;
import dev.loomcluster.WorkerContext;
import dev.loomcluster.internal.observe.WorkerMetrics;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;

/**
 * One server's share of one worker: the worker's listening share, its HTTP connections and the sweep
 * that enforces their timeouts. Made on, and owned by, the worker's loop thread; the few fields other
 * threads read are volatile.
 */
final class WorkerShare {
    private static final Duration SWEEP = Duration.ofMillis(100);

    // ---- immutable
    final ServerImpl server;
    final WorkerContext ctx;
    final Thread loopThread;
    /** The worker's counters: each ended exchange counts as one request served. */
    final WorkerMetrics metrics;
    private final NetServer net;

    // ---- loop
    private final ArrayList<Slot> connections = new ArrayList<>();
    private Cancellable sweep;
    private CompletableFuture<Void> drained;

    // ---- any thread
    private volatile boolean started;
    private volatile boolean draining;

    /** Listens on the worker's shared socket. Loop thread of {@code ctx}. */
    WorkerShare(ServerImpl server, WorkerContext ctx, InetSocketAddress address) throws IOException {
        this.server = server;
        this.ctx = ctx;
        this.loopThread = Thread.currentThread();
        this.metrics = WorkerMetrics.of(ctx);
        this.net = ctx.listen(address, this::newConnection);
    }

    InetSocketAddress address() {
        return net.address();
    }

    private ConnectionHandler newConnection(Connection c) {
        if (server.isHttps()) {
            TlsTransport tls = new TlsTransport(c, server::httpsConfigurator, ctx::execute, loopThread);
            tls.listener(new HttpConnection(this, tls));
            return tls;
        }
        PlainTransport transport = new PlainTransport(c);
        transport.listener(new HttpConnection(this, transport));
        return transport;
    }

    /** A connection's place in this share's list; its index is the share's to keep. Loop. */
    static final class Slot {
        private final HttpConnection connection;
        private int index;

        private Slot(HttpConnection connection, int index) {
            this.connection = connection;
            this.index = index;
        }
    }

    boolean started() {
        return started;
    }

    boolean draining() {
        return draining;
    }

    /** Loop: registers a new connection; null if the worker is at its connection limit. */
    Slot add(HttpConnection c) {
        assert Thread.currentThread() == loopThread;
        if (connections.size() >= server.options().maxConnectionsPerWorker()) {
            return null;
        }
        Slot s = new Slot(c, connections.size());
        connections.add(s);
        return s;
    }

    /** Loop: forgets a connection ({@code s} may be null: it was never added). */
    void remove(Slot s) {
        assert Thread.currentThread() == loopThread;
        if (s == null) {
            return;
        }
        int i = s.index;
        if (i < 0 || i >= connections.size() || connections.get(i) != s) {
            return;
        }
        Slot last = connections.remove(connections.size() - 1);
        if (last != s) {
            connections.set(i, last);
            last.index = i;
        }
        s.index = -1;
        if (drained != null && connections.isEmpty()) {
            drained.complete(null);
        }
    }

    /** Loop: serve the connections that waited for start, and start the timeout sweep. */
    void start() {
        if (started) {
            return;
        }
        started = true;
        sweep = ctx.scheduleAtFixedRate(SWEEP, SWEEP, this::sweep);
        for (int i = connections.size() - 1; i >= 0; i--) {
            connections.get(i).connection.serverStarted();
        }
    }

    private void sweep() {
        long now = System.nanoTime();
        for (int i = connections.size() - 1; i >= 0; i--) {
            if (i < connections.size()) {
                connections.get(i).connection.checkTimeouts(now);
            }
        }
    }

    /**
     * Loop: stops taking connections, lets exchanges in flight finish (their responses say
     * {@code Connection: close}) and closes idle connections.
     *
     * @return completed when this share has no connection left
     */
    CompletableFuture<Void> drain() {
        if (drained == null) {
            drained = new CompletableFuture<>();
            draining = true;
            net.close();
            for (int i = connections.size() - 1; i >= 0; i--) {
                if (i < connections.size()) {
                    connections.get(i).connection.drain();
                }
            }
            if (connections.isEmpty()) {
                drained.complete(null);
            }
        }
        return drained;
    }

    /** Loop: drops every connection left and stops the sweep. */
    void abortAll() {
        for (int i = connections.size() - 1; i >= 0; i--) {
            if (i < connections.size()) {
                connections.get(i).connection.abort();
            }
        }
        if (sweep != null) {
            sweep.cancel();
        }
        net.close();
    }

    /** Runs on this share's loop (now, if the caller is on it). */
    void onLoop(Runnable r) {
        if (Thread.currentThread() == loopThread) {
            r.run();
        } else {
            ctx.execute(r);
        }
    }
}
