package dev.loomcluster.http.internal;

import dev.loomcluster.http.HttpOptions;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;

/**
 * A strict HTTP/1.1 request-head parser (RFC 9112), one per connection, run on the worker's loop.
 *
 * <p>{@link #parse} is given the bytes received so far and returns a {@link ParseResult}: the
 * {@link RequestHead} (the buffer's position then moved past the head), {@link ParseResult#NEED_MORE}
 * (nothing consumed; call again with the same bytes and more), or a {@link ParseResult.Reject}. It works
 * in two steps over bytes still in the caller's buffer: a scan finds the end of the header section
 * incrementally (a head split over many reads is scanned once, eight bytes at a time), rejecting bare LF,
 * a request line with no version and sizes over the limits as the bytes come; then the complete head is
 * parsed: request line, field lines, and the framing rules (Host, Content-Length, Transfer-Encoding,
 * Connection, Expect), rejecting any CR not followed by LF. Strings are made only for what differs from
 * the previous request on the connection (method names and common field names are constants; a field
 * value or target equal to the previous one at the same place is reused, and so is the head itself), so a
 * keep-alive client repeating a request allocates nothing here.
 *
 * <p>The fields below are the parser's own working state, never read by other classes.
 */
final class RequestParser {
    /** Field names the parser knows; the first ones matter to framing. */
    private static final int H_OTHER = 0;
    private static final int H_HOST = 1;
    private static final int H_CONTENT_LENGTH = 2;
    private static final int H_TRANSFER_ENCODING = 3;
    private static final int H_CONNECTION = 4;
    private static final int H_EXPECT = 5;
    private static final String[] KNOWN_NAMES = {
            null, "Host", "Content-length", "Transfer-encoding", "Connection", "Expect",
            "User-agent", "Accept", "Accept-encoding", "Accept-language", "Accept-charset", "Content-type",
            "Cookie", "Cache-control", "Pragma", "Upgrade", "Origin", "Referer", "Authorization", "Keep-alive",
            "Te", "Trailer", "If-none-match", "If-modified-since", "Range", "X-forwarded-for",
            "X-forwarded-proto", "X-request-id", "Sec-fetch-mode", "Sec-fetch-site", "Sec-fetch-dest",
            "Dnt", "Priority", "Content-encoding", "Date", "Via", "Forwarded"};
    /** Known name indices by length. */
    private static final int[][] KNOWN_BY_LENGTH = new int[32][];

    static {
        for (int len = 0; len < KNOWN_BY_LENGTH.length; len++) {
            int n = 0;
            for (String s : KNOWN_NAMES) {
                if (s != null && s.length() == len) {
                    n++;
                }
            }
            int[] ids = new int[n];
            n = 0;
            for (int i = 1; i < KNOWN_NAMES.length; i++) {
                if (KNOWN_NAMES[i].length() == len) {
                    ids[n++] = i;
                }
            }
            KNOWN_BY_LENGTH[len] = ids;
        }
    }

    private static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH",
            "TRACE", "CONNECT"};

    // ---- immutable
    private final HttpOptions options;

    // ---- loop thread: the scan, offsets relative to the head's first byte (the buffer's position)
    private int scanPos;
    private int lineStart;
    private int headStart;
    private boolean sawRequestLine;
    private int fieldLines;
    private int emptyLines;

    // ---- loop thread: the head being parsed
    private RequestHeaders headers;
    private String method;
    private int minorVersion;
    private long contentLength;
    private boolean chunked;
    private boolean connectionClose;
    private boolean connectionKeepAlive;
    private boolean expectContinue;
    private boolean asterisk;
    private ParseResult.Reject reject;

    // ---- loop thread: reuse across requests
    private String[] slotNames = new String[16];
    private String[] slotValues = new String[16];
    private String lastTarget;
    private String lastPath;
    private URI lastUri;
    private RequestHead lastHead;

    // ---- per-parse scratch ----
    private int hostCount;
    private boolean teSeen;
    private int chunkedCount;
    private boolean teNotChunkedLast;
    private boolean teUnknown;

    RequestParser(HttpOptions options) {
        this.options = options;
    }

    /**
     * Parses the request head starting at {@code buf}'s position, filling {@code into} (cleared first)
     * with its fields. Bytes before the limit that an earlier call, which returned
     * {@link ParseResult#NEED_MORE}, already scanned (at the same offsets from the position) are not
     * scanned again.
     *
     * @return the head, with {@code buf}'s position just past it; {@link ParseResult#NEED_MORE} with the
     *         position unchanged; or a reject
     */
    ParseResult parse(ByteBuffer buf, RequestHeaders into) {
        int start = buf.position();
        int end = scan(buf, start, buf.limit());
        if (end == NEED_MORE) {
            return ParseResult.NEED_MORE;
        }
        if (end == ERROR) {
            resetScan();
            return reject;
        }
        int from = start + headStart;
        resetScan();
        buf.position(end);
        headers = into;
        try {
            return parseHead(buf, from, end) ? head() : reject;
        } finally {
            headers = null;
        }
    }

    private static final int NEED_MORE = -1;
    private static final int ERROR = -2;

    private RequestHead head() {
        RequestHead h = lastHead;
        if (h == null || !h.sameAs(method, lastTarget, minorVersion, contentLength, chunked, connectionClose,
                connectionKeepAlive, expectContinue, asterisk)) {
            h = new RequestHead(method, lastTarget, path(), lastUri, minorVersion, contentLength, chunked,
                    connectionClose, connectionKeepAlive, expectContinue, asterisk);
            lastHead = h;
        }
        return h;
    }

    /** Forgets the scan of the previous head: the next scan starts a new request. */
    private void resetScan() {
        scanPos = 0;
        lineStart = 0;
        headStart = 0;
        sawRequestLine = false;
        fieldLines = 0;
        emptyLines = 0;
    }

    /**
     * Scans {@code buf[start, limit)} for the end of the header section. {@code start} is where this
     * request's bytes begin; bytes already scanned by an earlier call (at the same offsets from
     * {@code start}) are not scanned again.
     *
     * @return the index just past the empty line ending the head, {@link #NEED_MORE}, or {@link #ERROR}
     */
    private int scan(ByteBuffer buf, int start, int limit) {
        final int maxLine = options.maxRequestLineBytes();
        final int maxHead = options.maxHeaderBytes();
        final int maxFields = options.maxHeaderCount();
        final boolean bigEndian = buf.order() == java.nio.ByteOrder.BIG_ENDIAN;
        int i = start + scanPos;
        while (true) {
            int lf = indexOfLf(buf, i, limit, bigEndian);
            if (lf < 0) {
                int scanned = limit - start;
                scanPos = scanned;
                if (!sawRequestLine) {
                    int lineLen = scanned - lineStart;
                    if (lineLen > 0 && buf.get(limit - 1) == Ascii.CR) {
                        lineLen--; // may be the CR of the line's end
                    }
                    if (lineLen > maxLine) {
                        return fail(414, "Request line too long");
                    }
                }
                if (scanned - headStart > maxHead) {
                    return fail(431, "Request header section too large");
                }
                return NEED_MORE;
            }
            int rel = lf - start;
            if (rel == 0 || buf.get(lf - 1) != Ascii.CR) {
                return fail(400, "Bare LF in request head");
            }
            int lineLen = rel - 1 - lineStart;
            if (lineLen == 0) {
                if (!sawRequestLine) {
                    if (++emptyLines > 8) {
                        return fail(400, "Too many empty lines before the request line");
                    }
                    headStart = rel + 1;
                } else {
                    if (rel + 1 - headStart > maxHead) {
                        return fail(431, "Request header section too large");
                    }
                    scanPos = rel + 1;
                    return lf + 1;
                }
            } else if (!sawRequestLine) {
                if (lineLen > maxLine) {
                    return fail(414, "Request line too long");
                }
                if (!endsWithVersion(buf, lf - 1, lineLen)) {
                    // No HTTP/0.9: answer now rather than wait for a header section that will not come.
                    return fail(400, "Malformed request line: no HTTP version");
                }
                sawRequestLine = true;
            } else if (++fieldLines > maxFields) {
                return fail(431, "Too many header fields");
            }
            if (rel + 1 - headStart > maxHead) {
                return fail(431, "Request header section too large");
            }
            lineStart = rel + 1;
            i = lf + 1;
        }
    }

    /** Whether the line ending just before {@code cr} ends in {@code " HTTP/"} and three more bytes. */
    private static boolean endsWithVersion(ByteBuffer buf, int cr, int lineLen) {
        return lineLen >= 12 && versionAt(buf, cr - 9); // the shortest line is "M * HTTP/1.1"
    }

    private static boolean versionAt(ByteBuffer buf, int sp) {
        return buf.get(sp) == Ascii.SP && buf.get(sp + 1) == 'H' && buf.get(sp + 2) == 'T' && buf.get(sp + 3) == 'T'
                && buf.get(sp + 4) == 'P' && buf.get(sp + 5) == '/';
    }

    private static final long ONES_7F = 0x7F7F7F7F7F7F7F7FL;
    private static final long LFS = 0x0A0A0A0A0A0A0A0AL;

    /** The index of the first LF in {@code buf[from, to)}, or -1; eight bytes at a time. */
    private static int indexOfLf(ByteBuffer buf, int from, int to, boolean bigEndian) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long x = buf.getLong(i) ^ LFS;
            // High bit of each byte that is zero in x (exact: no borrow between bytes).
            long z = ~(((x & ONES_7F) + ONES_7F) | x | ONES_7F);
            if (z != 0) {
                return i + ((bigEndian ? Long.numberOfLeadingZeros(z) : Long.numberOfTrailingZeros(z)) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (buf.get(i) == Ascii.LF) {
                return i;
            }
        }
        return -1;
    }

    private int fail(int status, String reason) {
        reject = new ParseResult.Reject(status, reason);
        return ERROR;
    }

    /**
     * Parses the complete head {@code buf[from, end)} found by {@link #scan}.
     *
     * @return whether it is a valid request; if not, {@link #reject} says how to answer
     */
    private boolean parseHead(ByteBuffer buf, int from, int end) {
        headers.reset();
        reject = null;
        contentLength = -1;
        chunked = false;
        connectionClose = false;
        connectionKeepAlive = false;
        expectContinue = false;
        asterisk = false;
        hostCount = 0;
        teSeen = false;
        chunkedCount = 0;
        teNotChunkedLast = false;
        teUnknown = false;

        // ---- request-line = method SP request-target SP HTTP-version CRLF ----
        int p = from;
        while (Ascii.isTchar(buf.get(p))) {
            p++;
        }
        if (p == from || buf.get(p) != Ascii.SP) {
            return error(400, "Malformed request line");
        }
        method = method(buf, from, p - from);
        int t = ++p;
        while (true) {
            int b = buf.get(p);
            if (b == Ascii.SP) {
                break;
            }
            if (b == Ascii.CR || (b & 0xFF) <= 0x20 || b == 0x7F || (b & 0x80) != 0) {
                return error(400, b == Ascii.CR ? "Malformed request line" : "Invalid character in request target");
            }
            p++;
        }
        if (p == t) {
            return error(400, "Empty request target");
        }
        if (!target(buf, t, p - t)) {
            return false;
        }
        int v = ++p;
        int lineEnd = v;
        while (buf.get(lineEnd) != Ascii.CR) {
            lineEnd++;
        }
        if (lineEnd - v != 8 || buf.get(v) != 'H' || buf.get(v + 1) != 'T' || buf.get(v + 2) != 'T'
                || buf.get(v + 3) != 'P' || buf.get(v + 4) != '/' || !digit(buf.get(v + 5))
                || buf.get(v + 6) != '.' || !digit(buf.get(v + 7))) {
            return error(400, "Malformed HTTP version");
        }
        if (buf.get(v + 5) != '1') {
            return error(505, "HTTP version not supported");
        }
        if (buf.get(lineEnd + 1) != Ascii.LF) {
            return error(400, "Bare CR in request line");
        }
        minorVersion = buf.get(v + 7) == '0' ? 0 : 1;
        p = lineEnd + 2;

        // ---- *( field-line CRLF ) CRLF ----
        int slot = 0;
        while (p < end - 2) {
            int nameStart = p;
            int b = buf.get(p);
            if (Ascii.isWhite(b)) {
                return error(400, "Obsolete line folding");
            }
            while (Ascii.isTchar(b)) {
                b = buf.get(++p);
            }
            if (b != ':') {
                return error(400, Ascii.isWhite(b) ? "Whitespace before colon" : "Invalid character in field name");
            }
            int nameLen = p - nameStart;
            if (nameLen == 0) {
                return error(400, "Empty field name");
            }
            p++;
            while (Ascii.isWhite(buf.get(p))) {
                p++;
            }
            int valueStart = p;
            int valueEnd = p;
            while ((b = buf.get(p)) != Ascii.CR) {
                if (!Ascii.isFieldValue(b)) {
                    return error(400, "Invalid character in field value");
                }
                p++;
                if (b != Ascii.SP && b != Ascii.HTAB) {
                    valueEnd = p;
                }
            }
            if (buf.get(p + 1) != Ascii.LF) {
                return error(400, "Bare CR in field value");
            }
            p += 2;
            int id = knownName(buf, nameStart, nameLen);
            String name = id != H_OTHER ? KNOWN_NAMES[id] : name(buf, nameStart, nameLen, slot);
            String value = value(buf, valueStart, valueEnd - valueStart, slot);
            slot++;
            headers.addNormalized(name, value);
            if (id != H_OTHER && id <= H_EXPECT && !special(id, buf, valueStart, valueEnd)) {
                return false;
            }
        }
        return framing();
    }

    private boolean special(int id, ByteBuffer buf, int from, int to) {
        switch (id) {
            case H_HOST -> {
                hostCount++;
                if (!validAuthority(buf, from, to)) {
                    return error(400, "Invalid Host");
                }
            }
            case H_CONTENT_LENGTH -> {
                // Exactly 1*DIGIT, once. RFC 9110 8.6 lets a recipient accept a repeated or listed identical
                // value, but a proxy in front may read such a message differently: refused, as Node does.
                if (contentLength >= 0) {
                    return error(400, "Multiple Content-Length fields");
                }
                long n = 0;
                int digits = 0;
                for (int i = from; i < to; i++) {
                    int b = buf.get(i);
                    if (!digit(b)) {
                        return error(400, b == ',' ? "Content-Length list" : "Invalid Content-Length");
                    }
                    if (++digits > 18) {
                        return error(400, "Content-Length too large");
                    }
                    n = n * 10 + (b - '0');
                }
                if (digits == 0) {
                    return error(400, "Invalid Content-Length");
                }
                contentLength = n;
            }
            case H_TRANSFER_ENCODING -> {
                teSeen = true;
                forEachToken(buf, from, to, TOKEN_TE);
            }
            case H_CONNECTION -> forEachToken(buf, from, to, TOKEN_CONNECTION);
            case H_EXPECT -> {
                if (Ascii.equalsIgnoreCase(buf, from, to - from, "100-continue")) {
                    expectContinue = true;
                } else {
                    return error(417, "Unsupported expectation");
                }
            }
            default -> {
            }
        }
        return reject == null;
    }

    /**
     * Whether {@code buf[from, to)} is {@code uri-host [ ":" port ]} (RFC 9110 7.2, RFC 3986 3.2.2): empty (a
     * request whose target has no authority), or a host (IP-literal, IPv4 or reg-name) that is not empty
     * when a port follows, and a port of at most five digits up to 65535. No allocation.
     */
    static boolean validAuthority(ByteBuffer buf, int from, int to) {
        if (from == to) {
            return true;
        }
        int i = from;
        if (buf.get(i) == '[') {
            int close = -1;
            for (int j = i + 1; j < to; j++) {
                if (buf.get(j) == ']') {
                    close = j;
                    break;
                }
            }
            if (close < 0 || !validIpLiteral(buf, i + 1, close)) {
                return false;
            }
            i = close + 1;
        } else {
            while (i < to && buf.get(i) != ':') {
                int b = buf.get(i);
                if (!Ascii.isHost(b) || b == '[' || b == ']') {
                    return false;
                }
                if (b == '%' && (i + 2 >= to || Ascii.hex(buf.get(i + 1)) < 0 || Ascii.hex(buf.get(i + 2)) < 0)) {
                    return false;
                }
                i++;
            }
            if (i == from) {
                return false; // ":80": a port without a host
            }
        }
        if (i == to) {
            return true;
        }
        if (buf.get(i) != ':') {
            return false;
        }
        int digits = to - i - 1;
        if (digits > 5) {
            return false;
        }
        int port = 0;
        for (int j = i + 1; j < to; j++) {
            int b = buf.get(j);
            if (!digit(b)) {
                return false;
            }
            port = port * 10 + (b - '0');
        }
        return port <= 65535;
    }

    /** IPv6address or IPvFuture between the brackets of an IP-literal (RFC 3986 3.2.2). */
    private static boolean validIpLiteral(ByteBuffer buf, int from, int to) {
        if (from == to) {
            return false;
        }
        int b0 = buf.get(from);
        if (b0 == 'v' || b0 == 'V') {
            // IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
            int i = from + 1;
            while (i < to && Ascii.hex(buf.get(i)) >= 0) {
                i++;
            }
            if (i == from + 1 || i >= to || buf.get(i) != '.' || i + 1 == to) {
                return false;
            }
            for (i++; i < to; i++) {
                int b = buf.get(i);
                if (!Ascii.isHost(b) || b == '[' || b == ']' || b == '%') {
                    return false;
                }
            }
            return true;
        }
        // IPv6address: up to eight 16-bit groups, at most one "::", the last 32 bits possibly as IPv4.
        int groups = 0;
        boolean elided = false;
        int i = from;
        if (buf.get(i) == ':') {
            if (i + 1 >= to || buf.get(i + 1) != ':') {
                return false;
            }
            elided = true;
            i += 2;
            if (i == to) {
                return true; // "::"
            }
        }
        while (true) {
            int start = i;
            while (i < to && i - start < 5 && Ascii.hex(buf.get(i)) >= 0) {
                i++;
            }
            int len = i - start;
            if (i < to && buf.get(i) == '.') {
                // an embedded IPv4 address ends the literal and counts as two groups
                if (!validIpv4(buf, start, to)) {
                    return false;
                }
                groups += 2;
                break;
            }
            if (len == 0 || len > 4) {
                return false;
            }
            groups++;
            if (i == to) {
                break;
            }
            if (buf.get(i) != ':') {
                return false;
            }
            i++;
            if (i < to && buf.get(i) == ':') {
                if (elided) {
                    return false;
                }
                elided = true;
                i++;
                if (i == to) {
                    break;
                }
            } else if (i == to) {
                return false; // a trailing single ':'
            }
        }
        return elided ? groups < 8 : groups == 8;
    }

    private static boolean validIpv4(ByteBuffer buf, int from, int to) {
        int parts = 0;
        int i = from;
        while (true) {
            int start = i;
            int v = 0;
            while (i < to && digit(buf.get(i)) && i - start < 3) {
                v = v * 10 + (buf.get(i) - '0');
                i++;
            }
            if (i == start || v > 255 || (i - start > 1 && buf.get(start) == '0')) {
                return false;
            }
            parts++;
            if (i == to) {
                return parts == 4;
            }
            if (buf.get(i) != '.' || parts == 4) {
                return false;
            }
            i++;
        }
    }

    private static final int TOKEN_TE = 0;
    private static final int TOKEN_CONNECTION = 1;

    /** Splits a comma-separated list; empty elements are skipped, parameters (after ';') ignored. */
    private void forEachToken(ByteBuffer buf, int from, int to, int kind) {
        int i = from;
        while (i < to) {
            while (i < to && (buf.get(i) == ',' || Ascii.isWhite(buf.get(i)))) {
                i++;
            }
            if (i == to) {
                break;
            }
            int s = i;
            while (i < to && buf.get(i) != ',' && buf.get(i) != ';' && !Ascii.isWhite(buf.get(i))) {
                i++;
            }
            int len = i - s;
            boolean params = false;
            while (i < to && buf.get(i) != ',') {
                if (buf.get(i) == ';') {
                    params = true;
                }
                i++;
            }
            if (kind == TOKEN_TE) {
                if (Ascii.equalsIgnoreCase(buf, s, len, "chunked") && !params) {
                    chunkedCount++;
                    teNotChunkedLast = false;
                } else {
                    teUnknown = true;
                    teNotChunkedLast = true;
                }
            } else if (Ascii.equalsIgnoreCase(buf, s, len, "close")) {
                connectionClose = true;
            } else if (Ascii.equalsIgnoreCase(buf, s, len, "keep-alive")) {
                connectionKeepAlive = true;
            }
        }
    }

    private boolean framing() {
        if (minorVersion == 1 && hostCount == 0) {
            return error(400, "Missing Host");
        }
        if (hostCount > 1) {
            return error(400, "Multiple Host fields");
        }
        if (teSeen) {
            if (minorVersion == 0) {
                return error(400, "Transfer-Encoding in an HTTP/1.0 request");
            }
            if (contentLength >= 0) {
                return error(400, "Both Content-Length and Transfer-Encoding");
            }
            if (teNotChunkedLast) {
                // RFC 9112 6.3: the final coding is not chunked, so the body's length cannot be known.
                return error(400, "Transfer-Encoding does not end in chunked");
            }
            if (chunkedCount != 1) {
                return error(400, "Invalid Transfer-Encoding");
            }
            if (teUnknown) {
                return error(501, "Unsupported Transfer-Encoding");
            }
            chunked = true;
        } else if (contentLength > options.maxBodyBytes()) {
            return error(413, "Content too large");
        }
        if (expectContinue && minorVersion == 0) {
            expectContinue = false; // RFC 9110 10.1.1: ignored in HTTP/1.0 requests
        }
        return true;
    }

    private boolean error(int status, String reason) {
        reject = new ParseResult.Reject(status, reason);
        return false;
    }

    private static boolean digit(int b) {
        return b >= '0' && b <= '9';
    }

    private static String method(ByteBuffer buf, int off, int len) {
        for (String m : METHODS) {
            if (Ascii.equalsExact(buf, off, len, m)) {
                return m;
            }
        }
        return Ascii.latin1(buf, off, len);
    }

    private boolean target(ByteBuffer buf, int off, int len) {
        if (len == 1 && buf.get(off) == '*') {
            if (!"OPTIONS".equals(method)) {
                return error(400, "Asterisk-form target with a method other than OPTIONS");
            }
            asterisk = true;
        }
        if ("CONNECT".equals(method) && (buf.get(off) == '/' || !validAuthority(buf, off, off + len))) {
            return error(400, "CONNECT needs an authority-form target");
        }
        if (Ascii.equalsExact(buf, off, len, lastTarget)) {
            return true;
        }
        if (buf.get(off) == '/') {
            for (int i = off, end = off + len; i < end; i++) {
                int b = buf.get(i);
                if (!Ascii.isTarget(b)) {
                    return error(400, "Invalid character in request target");
                }
                if (b == '%' && (i + 2 >= end || Ascii.hex(buf.get(i + 1)) < 0 || Ascii.hex(buf.get(i + 2)) < 0)) {
                    return error(400, "Invalid percent-encoding in request target");
                }
            }
            String s = Ascii.latin1(buf, off, len);
            lastTarget = s;
            lastUri = null;
            int q = s.indexOf('?');
            String raw = q < 0 ? s : s.substring(0, q);
            lastPath = raw.indexOf('%') < 0 ? raw : null;
            return true;
        }
        // asterisk-form and authority-form (checked above) or absolute-form (RFC 9112 3.2): anything
        // else, such as "-" or "a/b", is no request target.
        String s = Ascii.latin1(buf, off, len);
        try {
            URI uri = new URI(s);
            if (!asterisk && !uri.isAbsolute()) {
                return error(400, "Request target is neither origin-form nor absolute-form");
            }
            lastTarget = s;
            lastUri = uri;
            lastPath = uri.getPath() == null ? "" : uri.getPath();
            return true;
        } catch (URISyntaxException e) {
            return error(400, "Invalid request target");
        }
    }

    /** The decoded path of the last target, as {@code URI.getPath()} gives it: what contexts match. */
    private String path() {
        if (lastPath == null) {
            lastPath = uri().getPath();
            if (lastPath == null) {
                lastPath = "";
            }
        }
        return lastPath;
    }

    /** The last target as a URI, made on first use and reused while the target repeats. */
    private URI uri() {
        if (lastUri == null) {
            lastUri = URI.create(lastTarget); // validated by target()
        }
        return lastUri;
    }

    private int knownName(ByteBuffer buf, int off, int len) {
        if (len >= KNOWN_BY_LENGTH.length) {
            return H_OTHER;
        }
        for (int id : KNOWN_BY_LENGTH[len]) {
            if (Ascii.equalsIgnoreCase(buf, off, len, KNOWN_NAMES[id])) {
                return id;
            }
        }
        return H_OTHER;
    }

    private String name(ByteBuffer buf, int off, int len, int slot) {
        ensureSlot(slot);
        String cached = slotNames[slot];
        if (cached != null && Ascii.equalsIgnoreCase(buf, off, len, cached)) {
            return cached;
        }
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            int c = buf.get(off + i);
            b[i] = (byte) (i == 0 ? (c >= 'a' && c <= 'z' ? c - 32 : c) : Ascii.lower(c));
        }
        String s = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
        slotNames[slot] = s;
        return s;
    }

    private String value(ByteBuffer buf, int off, int len, int slot) {
        ensureSlot(slot);
        String cached = slotValues[slot];
        if (Ascii.equalsExact(buf, off, len, cached)) {
            return cached;
        }
        String s = len == 0 ? "" : Ascii.latin1(buf, off, len);
        slotValues[slot] = s;
        return s;
    }

    private void ensureSlot(int slot) {
        if (slot >= slotNames.length) {
            slotNames = java.util.Arrays.copyOf(slotNames, slotNames.length * 2);
            slotValues = java.util.Arrays.copyOf(slotValues, slotValues.length * 2);
        }
    }
}
