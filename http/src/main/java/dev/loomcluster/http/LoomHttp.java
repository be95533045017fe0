package dev.loomcluster.http;

import dev.loomcluster.http.internal.ServerImpl;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Creates loomcluster HTTP servers without going through the JDK's provider lookup. Any thread; the
 * servers behave as {@link LoomHttpServerProvider} describes (shared socket inside a worker, one loop
 * of their own elsewhere).
 *
 * <pre>{@code
 * WorkerPool.builder(ctx -> {
 *     HttpServer server = LoomHttp.create(new InetSocketAddress(8000));
 *     server.createContext("/", exchange -> { ... });
 *     server.start();
 * }).build().start();
 * }</pre>
 */
public final class LoomHttp {
    private LoomHttp() {
    }

    /** A server bound to {@code address}, with {@link HttpOptions#defaults()}. */
    public static HttpServer create(InetSocketAddress address) throws IOException {
        return create(address, HttpOptions.defaults());
    }

    /** A server bound to {@code address}, with these limits. */
    public static HttpServer create(InetSocketAddress address, HttpOptions options) throws IOException {
        Objects.requireNonNull(address, "address");
        return ServerImpl.create(options, address, 0);
    }

    /** A server not bound yet ({@link HttpServer#bind} it before {@code start}), with these limits. */
    public static HttpServer unbound(HttpOptions options) throws IOException {
        return ServerImpl.create(options, null, 0);
    }

    /** The provider, with {@link HttpOptions#defaults()}. */
    public static LoomHttpServerProvider provider() {
        return new LoomHttpServerProvider();
    }
}
