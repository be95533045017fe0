package dev.loomcluster.http;

import dev.loomcluster.http.internal.HttpsServerImpl;
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
 * <p><b>What goes wrong, and what to do.</b>
 * <ul>
 *   <li>{@code HttpServer.create} in a worker with neither the property nor {@link LoomHttp}: the JDK's own
 *       server is made, which binds the port itself; the first worker serves from it and the second fails
 *       with {@code java.net.BindException: Address already in use}, which the pool reports through
 *       {@code onError} wrapped in an exception that names this fix. Select this provider (property above)
 *       or call {@link LoomHttp#create}.</li>
 *   <li>{@code HttpServer.create} on a thread a worker started (not the worker's loop): the worker context
 *       belongs to the loop thread, so the server is a private one-loop server, not the pool's port. Create
 *       it on the loop: in {@code WorkerMain.start}, or hand it there with {@code WorkerContext.execute}. The
 *       first such server in a JVM logs this at INFO.</li>
 *   <li>On the module path, with the property set but nothing requiring {@code dev.loomcluster.http}: the
 *       module is not resolved, so the JDK cannot load the class named by the property and every
 *       {@code HttpServer.create} throws a {@code ServiceConfigurationError} with no message; a worker whose
 *       start fails so reports it wrapped in an exception that names the fix. Add
 *       {@code --add-modules dev.loomcluster.http} (or {@code requires dev.loomcluster.http} in the
 *       application's module).</li>
 * </ul>
 *
 * <p>{@link #createHttpsServer} makes HTTPS servers: TLS on the same loops, configured by the JDK's
 * {@code HttpsConfigurator}.
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

    /**
     * Creates an HTTPS server: TLS on the worker loops through the JDK's {@code SSLEngine}, sharing the
     * port inside a pool as plain HTTP does. Give it an {@code HttpsConfigurator} before {@code start};
     * its {@code configure} is called for each connection. Bound to {@code addr} unless it is {@code null};
     * the backlog is ignored.
     */
    @Override
    public HttpsServer createHttpsServer(InetSocketAddress addr, int backlog) throws IOException {
        return HttpsServerImpl.create(options, addr, backlog);
    }
}
