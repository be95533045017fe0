package dev.loomcluster.http.internal;

import dev.loomcluster.http.HttpOptions;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;

/**
 * The {@link HttpsServer} of loomcluster: a {@link ServerImpl} whose connections speak TLS (see
 * {@link TlsTransport}), configured by the JDK's {@link HttpsConfigurator}, which must be set before
 * {@link #start}. Everything else (shared socket inside a worker, contexts, executor, stop) is the
 * plain server's; exchanges are {@code HttpsExchange}s. Any thread, as {@link ServerImpl}.
 */
public final class HttpsServerImpl extends HttpsServer {
    // ---- immutable
    private final ServerImpl server;

    private HttpsServerImpl(HttpOptions options) {
        this.server = ServerImpl.unboundHttps(options, this);
    }

    /** A server with these limits, bound to {@code address} unless it is {@code null}. */
    public static HttpsServerImpl create(HttpOptions options, InetSocketAddress address, int backlog)
            throws IOException {
        HttpsServerImpl s = new HttpsServerImpl(options);
        if (address != null) {
            s.bind(address, backlog);
        }
        return s;
    }

    @Override
    public void setHttpsConfigurator(HttpsConfigurator config) {
        server.setHttpsConfigurator(config);
    }

    @Override
    public HttpsConfigurator getHttpsConfigurator() {
        return server.httpsConfigurator();
    }

    @Override
    public void bind(InetSocketAddress addr, int backlog) throws IOException {
        server.bind(addr, backlog);
    }

    @Override
    public void start() {
        server.start();
    }

    @Override
    public void setExecutor(Executor executor) {
        server.setExecutor(executor);
    }

    @Override
    public Executor getExecutor() {
        return server.getExecutor();
    }

    @Override
    public void stop(int delay) {
        server.stop(delay);
    }

    @Override
    public HttpContext createContext(String path, HttpHandler handler) {
        return server.createContext(path, handler);
    }

    @Override
    public HttpContext createContext(String path) {
        return server.createContext(path);
    }

    @Override
    public void removeContext(String path) {
        server.removeContext(path);
    }

    @Override
    public void removeContext(HttpContext context) {
        server.removeContext(context);
    }

    @Override
    public InetSocketAddress getAddress() {
        return server.getAddress();
    }

    @Override
    public String toString() {
        return "LoomHttpsServer[" + getAddress() + "]";
    }
}
