package dev.loomcluster.internal.net;

import dev.loomcluster.Connection;
import dev.loomcluster.ConnectionHandler;
import dev.loomcluster.NetServer;
import dev.loomcluster.internal.loop.EventLoop;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.function.Function;

/**
 * What {@code ctx.listen} returns: one worker's server on one address, made of its {@link Share} of the
 * listening socket and the worker's handler factory. Accepted channels arrive on the worker's loop
 * ({@link #adopt}); {@link #close} may be called from any thread.
 */
final class NetServerImpl implements NetServer, ShareOwner {
    // ---- immutable (share is set once, before the server is published)
    private final WorkerNet worker;
    private final Function<Connection, ConnectionHandler> handlers;
    private Share share;

    // ---- any thread (written by the worker's loop only)
    private volatile int openConnections;

    private NetServerImpl(WorkerNet worker, Function<Connection, ConnectionHandler> handlers) {
        this.worker = worker;
        this.handlers = handlers;
    }

    static NetServerImpl listen(WorkerNet worker, ListenService service, InetSocketAddress address,
                                Function<Connection, ConnectionHandler> handlers) throws IOException {
        NetServerImpl server = new NetServerImpl(worker, handlers);
        server.share = service.listen(address, server);
        return server;
    }

    Share share() {
        return share;
    }

    Function<Connection, ConnectionHandler> handlers() {
        return handlers;
    }

    @Override
    public EventLoop loop() {
        return worker.loop();
    }

    @Override
    public void adopt(SocketChannel channel) {
        worker.adopt(channel, this);
    }

    @Override
    public void adoptTransfer(Transfer transfer) {
        worker.adoptTransfer(transfer, this);
    }

    @Override
    public InetSocketAddress address() {
        return share.address();
    }

    @Override
    public int openConnections() {
        return openConnections;
    }

    void connectionOpened() {
        assert worker.loop().inLoop();
        openConnections++;
    }

    void connectionClosed() {
        assert worker.loop().inLoop();
        openConnections--;
    }

    @Override
    public void close() {
        share.close();
    }
}
