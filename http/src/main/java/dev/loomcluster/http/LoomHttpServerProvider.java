package dev.loomcluster.http;

import dev.loomcluster.http.internal.ServerImpl;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import com.sun.net.httpserver.spi.HttpServerProvider;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * The JDK's {@link HttpServerProvider} for loomcluster. Any thread.
 *
 * <p>{@code HttpServer.create(...)} called inside a worker (on its loop, typically in
 * {@code WorkerMain.start}) returns a server that listens on the pool's shared socket: every worker doing
 * so shares the port and the pool fires {@code listening}. Called anywhere else it returns a server of its
 * own, running on one event loop.
 *
 * <p><b>How it is chosen.</b> Either name it with the JDK's system property, which needs no code change:
 * <pre>{@code -Dcom.sun.net.httpserver.HttpServerProvider=dev.loomcluster.http.LoomHttpServerProvider}</pre>
 * or use {@link LoomHttp} directly. The jar deliberately does <em>not</em> register it with
 * {@link java.util.ServiceLoader}: the JDK picks one provider for the whole JVM, once, so a registered
 * provider would silently replace the JDK's server for every library and tool in the process that calls
 * {@code HttpServer.create}, merely by being on the class path. Choosing it stays an explicit, one-line
 * decision of the application.
 *
 * <p>TLS is not built: {@link #createHttpsServer} refuses with {@link UnsupportedOperationException}.
 */
public final class LoomHttpServerProvider extends HttpServerProvider {
    private final HttpOptions options;

    /** The provider with {@link HttpOptions#defaults()}: what the system property instantiates. */
    public LoomHttpServerProvider() {
        this(HttpOptions.defaults());
    }

    private LoomHttpServerProvider(HttpOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** A provider whose servers have these limits. */
    public static LoomHttpServerProvider withOptions(HttpOptions options) {
        return new LoomHttpServerProvider(options);
    }

    /** The limits of the servers this provider creates. */
    public HttpOptions options() {
        return options;
    }

    /**
     * Creates a server, bound to {@code addr} unless it is {@code null} (the JDK's convention: bind
     * later). The backlog is ignored: the pool queues accepted connections per worker.
     */
    @Override
    public HttpServer createHttpServer(InetSocketAddress addr, int backlog) throws IOException {
        return ServerImpl.create(options, addr, backlog);
    }

    /** Refuses: loomcluster's HTTP server has no TLS. */
    @Override
    public HttpsServer createHttpsServer(InetSocketAddress addr, int backlog) {
        throw new UnsupportedOperationException("HTTPS is not supported by loomcluster http: TLS is not built. "
                + "Terminate TLS in front of the pool (a proxy), or use the JDK's own HttpsServer.");
    }
}
