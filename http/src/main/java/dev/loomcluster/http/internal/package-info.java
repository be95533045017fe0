/**
 * Implementation: the strict HTTP/1.1 request codec (parsed straight from the loop's read buffer), the
 * response encoder, the {@code HttpServer}/{@code HttpContext}/{@code HttpExchange} implementations and
 * the per-connection state machine that runs on the worker's loop, and the transports under it (plain TCP,
 * or TLS through an {@code SSLEngine}). Not exported; nothing here is API.
 */
package dev.loomcluster.http.internal;
