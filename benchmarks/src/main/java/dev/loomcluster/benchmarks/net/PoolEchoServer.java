package dev.loomcluster.benchmarks.net;

import dev.loomcluster.Connection;
import dev.loomcluster.ConnectionHandler;
import dev.loomcluster.SchedulingPolicy;
import dev.loomcluster.ThreadKind;
import dev.loomcluster.WorkerPool;
import dev.loomcluster.WorkerStats;
import dev.loomcluster.benchmarks.Signal;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;

/**
 * loomcluster's shared socket as an echo server: a pool of {@code workers} workers, each calling
 * {@code ctx.listen(127.0.0.1:0, c -> ECHO)}, so that they share one listening socket and the pool's
 * {@link SchedulingPolicy} hands each accepted connection to one of them. The handler writes back what
 * {@code onData} gives it and keeps {@link ConnectionHandler#onInputClosed}'s default (close).
 *
 * <p>Threads: the handler runs on each worker's loop (platform or virtual threads); the pool's acceptor
 * and primary loop run as the pool arranges; the constructor waits (on the caller's thread) until every
 * worker is listening.
 */
final class PoolEchoServer implements EchoServer {

    /** Stateless, so one instance serves every connection of every worker. */
    static final ConnectionHandler ECHO = new ConnectionHandler() {
        @Override
        public void onData(Connection connection, ByteBuffer data) {
            connection.write(data);
        }
    };

    private final WorkerPool pool;
    private final InetSocketAddress address;

    PoolEchoServer(InetSocketAddress bind, int workers, SchedulingPolicy policy, ThreadKind threads, int backlog) {
        AtomicReference<InetSocketAddress> bound = new AtomicReference<>();
        Signal listening = new Signal(0);
        pool = WorkerPool.builder(ctx -> ctx.listen(bind, c -> ECHO))
                .name("net-bench").size(workers).scheduling(policy).threads(threads).connectionBacklog(backlog)
                .build();
        pool.onListening((worker, address) -> {
            bound.compareAndSet(null, address);
            listening.signal();
        });
        pool.onError((worker, error) -> error.printStackTrace());
        pool.start();
        listening.await(workers);
        address = bound.get();
    }

    @Override
    public InetSocketAddress address() {
        return address;
    }

    /** Connections each live worker has received so far, by worker id, as {@code "a/b/c"}. */
    @Override
    public String distribution() {
        StringBuilder out = new StringBuilder();
        for (WorkerStats w : pool.stats().workers()) {
            out.append(out.isEmpty() ? "" : "/").append(w.connectionsReceived());
        }
        return out.toString();
    }

    @Override
    public void close() {
        pool.close();
    }
}
