package dev.loomcluster.http.internal;

import java.net.URI;

/**
 * A parsed request line and the framing its fields decided, immutable: any thread. The field lines
 * themselves go into the {@link RequestHeaders} the caller gave the parser.
 *
 * <p>The parser hands back the previous instance when a request repeats the previous one on its
 * connection (same strings, same framing), so a keep-alive client repeating a request allocates no head.
 * Its {@link #uri()} is made on first use and kept, as {@link String#hashCode()} keeps its hash.
 */
final class RequestHead implements ParseResult {
    // ---- immutable
    final String method;
    final boolean isHead;
    /** The request target as sent. */
    final String target;
    /** The decoded path of the target, as {@code URI.getPath()} gives it: what contexts are matched on. */
    final String path;
    /** 0 for HTTP/1.0, 1 for HTTP/1.1 (and later 1.x, which are answered as 1.1). */
    final int minorVersion;
    /** Declared Content-Length, or -1 when there is none. */
    final long contentLength;
    final boolean chunked;
    final boolean connectionClose;
    final boolean connectionKeepAlive;
    final boolean expectContinue;
    /** The asterisk-form target of {@code OPTIONS *}: a question about the server, not a resource. */
    final boolean asterisk;

    // ---- any thread: a cache of a value computed from the immutable fields
    private volatile URI uri;

    RequestHead(String method, String target, String path, URI uri, int minorVersion, long contentLength,
            boolean chunked, boolean connectionClose, boolean connectionKeepAlive, boolean expectContinue,
            boolean asterisk) {
        this.method = method;
        this.isHead = "HEAD".equals(method);
        this.target = target;
        this.path = path;
        this.uri = uri;
        this.minorVersion = minorVersion;
        this.contentLength = contentLength;
        this.chunked = chunked;
        this.connectionClose = connectionClose;
        this.connectionKeepAlive = connectionKeepAlive;
        this.expectContinue = expectContinue;
        this.asterisk = asterisk;
    }

    /** Whether this head has exactly these values (strings compared by identity: the parser reuses them). */
    boolean sameAs(String method, String target, int minorVersion, long contentLength, boolean chunked,
            boolean connectionClose, boolean connectionKeepAlive, boolean expectContinue, boolean asterisk) {
        return this.method == method && this.target == target && this.minorVersion == minorVersion
                && this.contentLength == contentLength && this.chunked == chunked
                && this.connectionClose == connectionClose && this.connectionKeepAlive == connectionKeepAlive
                && this.expectContinue == expectContinue && this.asterisk == asterisk;
    }

    /** Whether the connection stays open after this request, as its version and Connection field say. */
    boolean keepAlive() {
        return minorVersion == 1 ? !connectionClose : connectionKeepAlive && !connectionClose;
    }

    boolean hasBody() {
        return chunked || contentLength > 0;
    }

    /** The target as a URI (validated by the parser), made once. */
    URI uri() {
        URI u = uri;
        if (u == null) {
            u = URI.create(target);
            uri = u;
        }
        return u;
    }

    @Override
    public String toString() {
        return method + " " + target + " HTTP/1." + minorVersion;
    }
}
