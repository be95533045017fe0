/**
 * HTTP/1.1 helpers for tests: {@link dev.loomcluster.testing.http.RawHttp} reads responses byte by byte
 * from a {@link dev.loomcluster.testing.RawClient}, so tests can send malformed requests and see exactly
 * what the server answers and whether it closes. Depends on nothing of loomcluster.
 */
package dev.loomcluster.testing.http;
