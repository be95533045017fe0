/**
 * Implementation: the strict HTTP/1.1 request codec (parsed straight from the loop's read buffer), the
 * response encoder, the {@code HttpServer}/{@code HttpContext}/{@code HttpExchange} implementations and
 * the per-connection state machine that runs on the worker's loop. Not exported; nothing here is API.
 */
package dev.loomcluster.http.internal;
