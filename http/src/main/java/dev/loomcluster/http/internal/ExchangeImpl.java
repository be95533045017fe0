package dev.loomcluster.http.internal;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpPrincipal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One request and its response, as the JDK's {@link HttpExchange}. Made on the worker's loop when the
 * request head is parsed; then used by the handler's thread: the loop when no executor is set, an
 * executor thread otherwise (or any thread the handler hands it to, one at a time).
 *
 * <p>The contract is the JDK's: {@link #sendResponseHeaders} with length {@code > 0} fixes the body
 * length, {@code 0} streams it chunked (until close for HTTP/1.0), {@code -1} sends none; HEAD, 204 and
 * 304 responses have no body; the exchange ends when the response body is closed (which also drops any
 * unread request body) or at once when there is no body to send. Unlike the JDK, body bytes written to a
 * HEAD response are dropped instead of failing the handler, so GET handlers serve HEAD unchanged. A handler that throws gets a 500 if it
 * sent nothing, else its connection is dropped.
 *
 * <p>Attributes are the exchange's own; a name it has not set falls back to its context's attributes
 * (the JDK keeps them in the context's map only, shared by concurrent exchanges).
 */
final class ExchangeImpl extends HttpExchange implements Runnable {
    private static final System.Logger LOG = System.getLogger("dev.loomcluster.http");
    private static final byte[] NOT_FOUND = "<h1>404 Not Found</h1>No context found for request"
            .getBytes(StandardCharsets.ISO_8859_1);
    private static final String ALLOW = "OPTIONS, GET, HEAD, POST, PUT, DELETE, PATCH";
    private static final byte[] CHUNKED_LINE = ascii("Transfer-Encoding: chunked\r\n");
    private static final byte[] CONTENT_LENGTH = ascii("Content-Length: ");
    private static final byte[] CONNECTION_CLOSE = ascii("Connection: close\r\n");
    private static final byte[] CONNECTION_KEEP_ALIVE = ascii("Connection: keep-alive\r\n");

    // ---- set on the loop before dispatch (by the constructor or reset), then read-only
    private final HttpConnection conn;
    private final ResponseStream rawOut;
    /** What handlers see: this, or for TLS connections the HttpsExchange that wraps it. */
    private final HttpExchange facade;
    private ContextImpl context;
    private String method;
    private boolean head;
    private boolean asterisk;
    private String target;
    private RequestHead requestHead;
    private boolean http10;
    private boolean keepAlive;
    private Headers requestHeaders;
    private ResponseHeaders responseHeaders;
    private InputStream rawIn;

    // ---- the handler's thread
    private URI uri;
    private InputStream userIn;
    private OutputStream userOut;
    private Map<String, Object> attributes;
    private HttpPrincipal principal;
    private int rcode = -1;
    private volatile boolean headersSent;
    private volatile boolean close;
    private volatile boolean finished;

    ExchangeImpl(HttpConnection conn, Outbound outbound, ContextImpl context, RequestHead head,
            RequestHeaders requestHeaders, ResponseHeaders responseHeaders, boolean keepAlive) {
        this.conn = conn;
        this.rawOut = new ResponseStream(this, outbound);
        this.facade = !conn.isTls() ? this : new HttpsExchangeImpl(this, conn);
        reset(context, head, requestHeaders, responseHeaders, keepAlive);
    }

    /**
     * Makes this object the exchange of the next request. Loop; only for an exchange that ended on the
     * loop inside its handler's call, so no other thread can still be using it.
     */
    void reset(ContextImpl context, RequestHead head, RequestHeaders requestHeaders, ResponseHeaders responseHeaders,
            boolean keepAlive) {
        this.context = context;
        this.requestHead = head;
        this.method = head.method;
        this.head = head.isHead;
        this.asterisk = head.asterisk;
        this.target = head.target;
        this.http10 = head.minorVersion == 0;
        this.keepAlive = keepAlive;
        this.requestHeaders = requestHeaders;
        this.responseHeaders = responseHeaders;
        this.rawIn = null;
        this.uri = null;
        this.userIn = null;
        this.userOut = null;
        if (attributes != null) {
            attributes.clear();
        }
        this.principal = null;
        this.rcode = -1;
        this.headersSent = false;
        this.close = false;
        this.finished = false;
        rawOut.reset();
    }

    private HttpExchange facade() {
        return facade;
    }

    /** Loop, before dispatch. */
    void setRequestBody(InputStream in) {
        this.rawIn = in;
    }

    // ================================================================ running the chain

    /** Runs filters, authenticator and handler on the calling thread (the loop or an executor's). */
    @Override
    public void run() {
        try {
            if (asterisk) {
                // OPTIONS *: what the server as a whole supports (RFC 9110 9.3.7), answered by the server.
                responseHeaders.set("Allow", ALLOW);
                sendResponseHeaders(200, -1);
                return;
            }
            if (context == null) {
                sendResponseHeaders(404, NOT_FOUND.length);
                try (OutputStream o = getResponseBody()) {
                    o.write(NOT_FOUND);
                }
                return;
            }
            HttpHandler handler = context.getHandler();
            if (handler == null) {
                fail(500, "No handler for context");
                return;
            }
            List<Filter> filters = context.getFilters();
            Authenticator auth = context.getAuthenticator();
            HttpHandler last = auth == null ? handler : new AuthHandler(auth, handler);
            if (filters.isEmpty()) {
                last.handle(facade());
            } else {
                new Filter.Chain(filters, last).doFilter(facade());
            }
        } catch (Throwable t) {
            handlerFailed(t);
        }
    }

    /** The JDK's AuthFilter, run after the user's filters, setting the principal on this exchange. */
    private final class AuthHandler implements HttpHandler {
        private final Authenticator auth;
        private final HttpHandler next;

        AuthHandler(Authenticator auth, HttpHandler next) {
            this.auth = auth;
            this.next = next;
        }

        @Override
        public void handle(HttpExchange ex) throws IOException {
            Authenticator.Result r = auth.authenticate(ex);
            if (r instanceof Authenticator.Success s) {
                principal = s.getPrincipal();
                next.handle(ex);
            } else if (r instanceof Authenticator.Retry retry) {
                drainRequest(ex);
                ex.sendResponseHeaders(retry.getResponseCode(), -1);
            } else if (r instanceof Authenticator.Failure f) {
                drainRequest(ex);
                ex.sendResponseHeaders(f.getResponseCode(), -1);
            } else {
                throw new IOException("authenticator returned " + r);
            }
        }

        private static void drainRequest(HttpExchange ex) throws IOException {
            try (InputStream in = ex.getRequestBody()) {
                in.transferTo(OutputStream.nullOutputStream());
            }
        }
    }

    private void handlerFailed(Throwable t) {
        LOG.log(System.Logger.Level.WARNING, "HTTP handler failed: " + method + " " + target, t);
        if (!headersSent) {
            fail(500, "Internal Server Error");
        } else if (!finished) {
            // Send what was produced (the client sees a truncated body), then close the connection.
            close = true;
            try {
                rawOut.flush();
            } catch (IOException | RuntimeException ignored) {
                // the connection is going anyway
            }
            finished = true;
            conn.exchangeFinished(this);
        }
        if (t instanceof VirtualMachineError e) {
            throw e;
        }
    }

    /** Sends a small error response with Connection: close and ends the exchange. Handler thread. */
    private void fail(int status, String reason) {
        try {
            close = true;
            responseHeaders.clear();
            byte[] text = (status + " " + Status.reason(status) + ": " + reason + "\n").getBytes(StandardCharsets.UTF_8);
            responseHeaders.set("Content-Type", "text/plain; charset=utf-8");
            sendResponseHeaders(status, head ? -1 : text.length);
            rawOut.write(text);
            rawOut.close();
        } catch (IOException | RuntimeException e) {
            if (!finished) {
                finished = true;
                conn.abort();
                conn.exchangeFinished(this);
            }
        }
    }

    /** The executor refused the exchange: answer from the loop. */
    void failBeforeStart(int status, String reason) {
        fail(status, reason);
    }

    // ================================================================ response

    @Override
    public void sendResponseHeaders(int rCode, long responseLength) throws IOException {
        if (headersSent) {
            throw new IOException("headers already sent");
        }
        if (finished) {
            throw new IOException("exchange is closed");
        }
        if (rCode < 100 || rCode > 999) {
            throw new IllegalArgumentException("invalid response code: " + rCode);
        }
        rcode = rCode;
        long len = responseLength;
        boolean noLengthHeader = false;
        if ((rCode >= 100 && rCode < 200) || rCode == 204 || rCode == 304) {
            len = -1;
            noLengthHeader = rCode != 304;
        }
        int mode;
        long fixed = 0;
        boolean writeLength;
        if (head) {
            mode = ResponseStream.DISCARD;
            writeLength = false;
        } else if (rCode == 304) {
            mode = ResponseStream.NONE;
            writeLength = false;
        } else if (len == 0) {
            if (http10) {
                mode = ResponseStream.UNTIL_CLOSE;
                close = true;
            } else {
                mode = ResponseStream.CHUNKED;
            }
            writeLength = false;
        } else if (len < 0) {
            mode = ResponseStream.NONE;
            writeLength = !noLengthHeader;
        } else {
            mode = ResponseStream.FIXED;
            fixed = len;
            writeLength = true;
        }
        boolean framingOurs = (mode != ResponseStream.NONE && mode != ResponseStream.DISCARD) || writeLength;
        boolean closeAfter = close || !keepAlive || conn.draining();

        ByteBuffer s = rawOut.stage(256);
        int start = s.position();
        while (true) {
            try {
                closeAfter = writeHead(s, rCode, mode, fixed, writeLength, framingOurs, closeAfter);
                break;
            } catch (BufferOverflowException e) {
                s.position(start);
                s = rawOut.stage(s.capacity() * 2);
                start = s.position();
            } catch (IOException e) {
                s.position(start); // nothing of a head that cannot be encoded is staged
                throw e;
            }
        }
        close = closeAfter;
        headersSent = true;
        rawOut.begin(mode, fixed);
        if (mode == ResponseStream.NONE || mode == ResponseStream.DISCARD) {
            rawOut.close();
        } else {
            rawOut.afterLoopOp();
        }
    }

    private boolean writeHead(ByteBuffer s, int rCode, int mode, long fixed, boolean writeLength,
            boolean framingOurs, boolean closeAfter) throws IOException {
        s.put(Status.line(rCode));
        boolean userDate = false;
        ResponseHeaders h = responseHeaders;
        for (int i = 0, n = h.count(); i < n; i++) {
            String k = h.keyAt(i);
            ArrayHeaders.ValueList values = h.valuesAt(i);
            if (Ascii.equalsIgnoreCase(k, "Connection")) {
                for (int j = 0; j < values.size(); j++) {
                    String v = values.get(j);
                    if (v != null && v.toLowerCase(java.util.Locale.ROOT).contains("close")) {
                        closeAfter = true;
                    }
                }
                continue;
            }
            if (framingOurs && (Ascii.equalsIgnoreCase(k, "Content-length")
                    || Ascii.equalsIgnoreCase(k, "Transfer-encoding"))) {
                continue;
            }
            if (Ascii.equalsIgnoreCase(k, "Date")) {
                userDate = true;
            }
            for (int j = 0; j < values.size(); j++) {
                String v = values.get(j);
                putField(s, k, v == null ? "" : v);
            }
        }
        if (!userDate) {
            s.put(DateCache.headerLine());
        }
        if (mode == ResponseStream.CHUNKED) {
            s.put(CHUNKED_LINE);
        } else if (writeLength) {
            s.put(CONTENT_LENGTH);
            putLong(s, fixed);
            s.put((byte) '\r').put((byte) '\n');
        }
        if (closeAfter) {
            s.put(CONNECTION_CLOSE);
        } else if (http10) {
            s.put(CONNECTION_KEEP_ALIVE);
        }
        s.put((byte) '\r').put((byte) '\n');
        return closeAfter;
    }

    /**
     * Encodes {@code Name: value\r\n}, checking both; throws {@link BufferOverflowException} without
     * writing anything when {@code s} has no room for it. Writes into the buffer's array (staging buffers
     * are heap buffers) rather than through a {@code put} per byte.
     */
    private static void putField(ByteBuffer s, String name, String value) throws IOException {
        int n = name.length();
        if (n == 0) {
            throw new IOException("empty response header name");
        }
        int m = value.length();
        if (s.remaining() < n + m + 4) {
            throw new BufferOverflowException();
        }
        if (!s.hasArray()) {
            byte[] line = new byte[n + m + 4];
            encodeField(line, 0, name, value);
            s.put(line);
            return;
        }
        int end = encodeField(s.array(), s.arrayOffset() + s.position(), name, value);
        s.position(end - s.arrayOffset());
    }

    /** Writes the field line at {@code p} of {@code a} (which has room for it); returns the end. */
    private static int encodeField(byte[] a, int p, String name, String value) throws IOException {
        boolean upper = true;
        for (int i = 0, n = name.length(); i < n; i++) {
            char c = name.charAt(i);
            if (c > 0x7F || !Ascii.isTchar(c)) {
                throw new IOException("invalid response header name: " + name);
            }
            // Headers keeps keys as "Content-type"; they go out as "Content-Type" (names are case-insensitive).
            if (upper && c >= 'a' && c <= 'z') {
                c -= 32;
            }
            upper = c == '-';
            a[p++] = (byte) c;
        }
        a[p++] = ':';
        a[p++] = ' ';
        for (int i = 0, m = value.length(); i < m; i++) {
            char c = value.charAt(i);
            if (c > 0xFF || (c < 0x20 && c != '\t') || c == 0x7F) {
                throw new IOException("invalid character in response header " + name);
            }
            a[p++] = (byte) c;
        }
        a[p++] = '\r';
        a[p++] = '\n';
        return p;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Writes {@code v >= 0} in decimal. */
    private static void putLong(ByteBuffer s, long v) {
        int digits = 1;
        for (long t = v; t >= 10; t /= 10) {
            digits++;
        }
        if (s.remaining() < digits) {
            throw new BufferOverflowException();
        }
        int start = s.position();
        for (int i = start + digits - 1; i >= start; i--) {
            s.put(i, (byte) ('0' + (int) (v % 10)));
            v /= 10;
        }
        s.position(start + digits);
    }

    /** The response is complete (its body closed, or it had none). Handler thread. */
    void responseFinished() {
        if (!finished) {
            finished = true;
            conn.exchangeFinished(this);
        }
    }

    void markClose() {
        close = true;
    }

    boolean closeConnection() {
        return close;
    }

    boolean headersSent() {
        return headersSent;
    }

    // ================================================================ HttpExchange

    @Override
    public Headers getRequestHeaders() {
        return requestHeaders;
    }

    @Override
    public Headers getResponseHeaders() {
        return responseHeaders;
    }

    @Override
    public URI getRequestURI() {
        URI u = uri;
        if (u == null) {
            u = requestHead.uri();
            uri = u;
        }
        return u;
    }

    @Override
    public String getRequestMethod() {
        return method;
    }

    @Override
    public HttpContext getHttpContext() {
        return context;
    }

    @Override
    public void close() {
        if (finished) {
            return;
        }
        if (!headersSent) {
            // As the JDK: an exchange closed before any response closes its connection.
            close = true;
            try {
                getRequestBody().close();
            } catch (IOException ignored) {
                // closing anyway
            }
            finished = true;
            conn.exchangeFinished(this);
            return;
        }
        try {
            if (rawIn != null) {
                rawIn.close();
            }
            getResponseBody().close();
        } catch (IOException e) {
            close = true;
            responseFinished();
        }
    }

    @Override
    public InputStream getRequestBody() {
        return userIn != null ? userIn : rawIn;
    }

    @Override
    public OutputStream getResponseBody() {
        return userOut != null ? userOut : rawOut;
    }

    @Override
    public InetSocketAddress getRemoteAddress() {
        return conn.remoteAddress();
    }

    @Override
    public int getResponseCode() {
        return rcode;
    }

    @Override
    public InetSocketAddress getLocalAddress() {
        return conn.localAddress();
    }

    @Override
    public String getProtocol() {
        return http10 ? "HTTP/1.0" : "HTTP/1.1";
    }

    @Override
    public Object getAttribute(String name) {
        java.util.Objects.requireNonNull(name, "name");
        Map<String, Object> a = attributes;
        if (a != null && a.containsKey(name)) {
            return a.get(name);
        }
        return context == null ? null : context.getAttributes().get(name);
    }

    @Override
    public void setAttribute(String name, Object value) {
        java.util.Objects.requireNonNull(name, "name");
        if (attributes == null) {
            attributes = new HashMap<>();
        }
        attributes.put(name, value);
    }

    @Override
    public void setStreams(InputStream i, OutputStream o) {
        if (i != null) {
            userIn = i;
        }
        if (o != null) {
            userOut = o;
        }
    }

    @Override
    public HttpPrincipal getPrincipal() {
        return principal;
    }

    @Override
    public String toString() {
        return "HttpExchange[" + method + " " + target + "]";
    }
}
