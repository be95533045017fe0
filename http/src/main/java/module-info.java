/**
 * loomcluster http: HTTP/1.1 served by the workers' event loops, behind the JDK's own
 * {@code com.sun.net.httpserver} API. Exports only {@code dev.loomcluster.http}; the codec, server,
 * contexts and exchanges live in {@code dev.loomcluster.http.internal}.
 *
 * <p>The provider is deliberately <em>not</em> registered with {@link java.util.ServiceLoader}: see
 * {@link dev.loomcluster.http.LoomHttpServerProvider} for why, and for how to choose it.
 */
module dev.loomcluster.http {
    requires transitive dev.loomcluster;
    requires transitive jdk.httpserver;
    requires jdk.unsupported;

    exports dev.loomcluster.http;
}
