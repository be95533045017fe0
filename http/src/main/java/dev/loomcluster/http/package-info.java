/**
 * The public API of loomcluster's HTTP/1.1 server: {@link dev.loomcluster.http.LoomHttpServerProvider}
 * (the JDK's {@code HttpServerProvider}), the factory {@link dev.loomcluster.http.LoomHttp} and the limits
 * record {@link dev.loomcluster.http.HttpOptions}. Applications otherwise program against
 * {@code com.sun.net.httpserver}: inside a worker, {@code HttpServer.create(...)} listens on the pool's
 * shared socket; outside any worker it runs on a loop of its own.
 */
package dev.loomcluster.http;
