package dev.loomcluster.testing.http;

import dev.loomcluster.testing.RawClient;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads HTTP/1.1 responses from a {@link RawClient}: status line, header fields, and the body framed by
 * {@code Content-Length}, chunked coding, or (when neither is present) the end of the stream. One test
 * thread uses it, like the client; every read is bounded by the client's timeout.
 */
public final class RawHttp {
    private RawHttp() {
    }

    /**
     * One response.
     *
     * @param status  the status code
     * @param reason  the reason phrase
     * @param headers field values by lower-case name, in order
     * @param body    the body bytes (decoded from chunks when chunked)
     * @param chunked whether the body came chunked
     */
    public record Response(int status, String reason, Map<String, List<String>> headers, byte[] body, boolean chunked) {
        /** The first value of a field (any case), or null. */
        public String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null || v.isEmpty() ? null : v.getFirst();
        }

        /** The body as UTF-8. */
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** Whether a {@code Connection} field says {@code close}. */
        public boolean connectionClose() {
            String c = header("connection");
            return c != null && c.toLowerCase(Locale.ROOT).contains("close");
        }
    }

    /** Reads one response to a request other than HEAD. */
    public static Response read(RawClient client) {
        return read(client, false);
    }

    /**
     * Reads one response. Interim 1xx responses are returned as they are (no body); read again for the
     * final one.
     *
     * @param headRequest whether it answers a HEAD request (then it has no body, whatever its fields say)
     */
    public static Response read(RawClient client, boolean headRequest) {
        String head = new String(client.readUntil("\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)),
                StandardCharsets.ISO_8859_1);
        String[] lines = head.split("\r\n");
        String statusLine = lines[0];
        if (!statusLine.startsWith("HTTP/1.1 ") || statusLine.length() < 12) {
            throw new IllegalStateException("not an HTTP/1.1 status line: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        String reason = statusLine.length() > 13 ? statusLine.substring(13) : "";
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                throw new IllegalStateException("bad header line: " + lines[i]);
            }
            headers.computeIfAbsent(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(lines[i].substring(colon + 1).strip());
        }
        if (headRequest || status / 100 == 1 || status == 204 || status == 304) {
            return new Response(status, reason, headers, new byte[0], false);
        }
        List<String> te = headers.get("transfer-encoding");
        if (te != null && te.getLast().toLowerCase(Locale.ROOT).endsWith("chunked")) {
            return new Response(status, reason, headers, readChunked(client), true);
        }
        List<String> cl = headers.get("content-length");
        if (cl != null) {
            return new Response(status, reason, headers, client.readExactly(Integer.parseInt(cl.getFirst())), false);
        }
        return new Response(status, reason, headers, client.readToEof(), false);
    }

    private static byte[] readChunked(RawClient client) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = new String(client.readUntil("\r\n".getBytes(StandardCharsets.ISO_8859_1)),
                    StandardCharsets.ISO_8859_1).strip();
            int semi = sizeLine.indexOf(';');
            int size = Integer.parseInt(semi < 0 ? sizeLine : sizeLine.substring(0, semi), 16);
            if (size == 0) {
                // trailers, then the empty line
                while (client.readUntil("\r\n".getBytes(StandardCharsets.ISO_8859_1)).length > 2) {
                    // skip a trailer field
                }
                return body.toByteArray();
            }
            body.writeBytes(client.readExactly(size));
            byte[] crlf = client.readExactly(2);
            if (crlf[0] != '\r' || crlf[1] != '\n') {
                throw new IllegalStateException("no CRLF after chunk data");
            }
        }
    }

    /** A GET request with a Host field (and nothing else), as bytes. */
    public static String get(String target) {
        return "GET " + target + " HTTP/1.1\r\nHost: test\r\n\r\n";
    }
}
