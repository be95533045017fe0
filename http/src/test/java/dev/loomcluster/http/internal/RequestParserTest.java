package dev.loomcluster.http.internal;

import dev.loomcluster.http.HttpOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestParserTest {

    private final RequestParser parser = new RequestParser(HttpOptions.defaults());

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** The head, headers and reject of the last {@link #parse}. */
    private RequestHead head;
    private RequestHeaders headers;
    private ParseResult.Reject reject;

    /** Parses a whole head; returns 0 on success, the reject's status otherwise. */
    private int parse(RequestParser p, String text) {
        ByteBuffer buf = bytes(text);
        return result(p.parse(buf, headers = new RequestHeaders()), text);
    }

    private int result(ParseResult r, String text) {
        switch (r) {
            case RequestHead h -> {
                head = h;
                reject = null;
                return 0;
            }
            case ParseResult.Reject j -> {
                reject = j;
                return j.status();
            }
            case ParseResult.NeedMore n -> throw new AssertionError("head incomplete: " + text);
        }
    }

    private int parse(String head) {
        return parse(parser, head);
    }

    @Test
    void simpleGet() {
        assertEquals(0, parse("GET /a/b?x=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t\r\n\r\n"));
        assertEquals("GET", head.method);
        assertEquals("/a/b?x=1", head.target);
        assertEquals("/a/b", head.path);
        assertEquals(1, head.minorVersion);
        assertEquals(-1, head.contentLength);
        assertFalse(head.chunked);
        assertEquals("example.com", headers.getFirst("host"));
        assertEquals(List.of("t"), headers.get("USER-AGENT"));
        assertEquals(2, headers.size());
        assertTrue(headers.containsKey("User-agent"));
        assertTrue(headers.keySet().contains("Host"));
    }

    @Test
    void repeatedRequestReusesStrings() {
        String text = "GET /x HTTP/1.1\r\nHost: h\r\nX-Custom-Thing: v1\r\n\r\n";
        assertEquals(0, parse(text));
        String target = head.target;
        String custom = headers.getFirst("X-Custom-Thing");
        String name = headers.keySet().stream().filter(k -> k.startsWith("X-")).findFirst().orElseThrow();
        assertEquals("X-custom-thing", name);
        assertEquals(0, parse(text));
        assertSame(target, head.target);
        assertSame(custom, headers.getFirst("x-custom-thing"));
        assertSame(name, headers.keySet().stream().filter(k -> k.startsWith("X-")).findFirst().orElseThrow());
    }

    @Test
    void duplicateNamesMerge() {
        assertEquals(0, parse("GET / HTTP/1.1\r\nHost: h\r\nAccept: a\r\naccept: b\r\n\r\n"));
        assertEquals(List.of("a", "b"), headers.get("Accept"));
        assertThrows(UnsupportedOperationException.class, () -> headers.add("X", "y"));
        assertThrows(UnsupportedOperationException.class, () -> headers.get("Accept").add("c"));
    }

    @Test
    void valuesAreTrimmed() {
        assertEquals(0, parse("GET / HTTP/1.1\r\nHost:h\r\nX:  \t a b \t \r\nEmpty:\r\n\r\n"));
        assertEquals("a b", headers.getFirst("x"));
        assertEquals("", headers.getFirst("empty"));
        assertEquals("h", headers.getFirst("host"));
    }

    @Test
    void leadingEmptyLinesAreSkipped() {
        assertEquals(0, parse("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertEquals("GET", head.method);
    }

    @Test
    void framing() {
        assertEquals(0, parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 42\r\n\r\n"));
        assertEquals(42, head.contentLength);
        assertEquals(0, parse("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"));
        assertTrue(head.chunked);
        assertEquals(0, parse("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: CHUNKED\r\n\r\n"));
        assertTrue(head.chunked);
    }

    @Test
    void connectionAndExpect() {
        assertEquals(0, parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, close\r\n\r\n"));
        assertTrue(head.connectionClose);
        assertEquals(0, parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
        assertTrue(head.connectionKeepAlive);
        assertEquals(0, head.minorVersion);
        assertEquals(0, parse("PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nExpect: 100-Continue\r\n\r\n"));
        assertTrue(head.expectContinue);
        assertEquals(0, parse("GET / HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertFalse(head.connectionClose);
        assertFalse(head.expectContinue);
    }

    @Test
    void otherMethodsAndForms() {
        assertEquals(0, parse("PROPFIND /dav HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertEquals("PROPFIND", head.method);
        assertEquals(0, parse("GET http://example.com/p/q?z HTTP/1.1\r\nHost: example.com\r\n\r\n"));
        assertEquals("/p/q", head.path);
        assertEquals(0, parse("GET /a%20b HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertEquals("/a b", head.path);
        assertEquals("/a%20b", head.uri().getRawPath());
        assertEquals(0, parse("HEAD / HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertTrue(head.isHead);
        assertEquals(0, parse("GET / HTTP/1.2\r\nHost: h\r\n\r\n"));
        assertEquals(1, head.minorVersion);
        assertEquals(0, parse("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertTrue(head.asterisk);
        assertEquals(400, parse("GET * HTTP/1.1\r\nHost: h\r\n\r\n"), "the cached target must not skip the check");
        assertEquals(0, parse("GET / HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertFalse(head.asterisk);
    }

    @Test
    void requestLineWithoutVersionIsRejectedAsSoonAsItEnds() {
        assertEquals(400, result(parser.parse(bytes("GET /999\r\n"), new RequestHeaders()), "GET /999"));
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"", "h", "h:1", "h:", "h:65535", "127.0.0.1:8080",
            "[::1]", "[::1]:8888", "[::]", "[1:2:3:4:5:6:7:8]", "[1::8]", "[1:2:3:4:5:6::8]", "[::ffff:1.2.3.4]",
            "[64:ff9b::192.0.2.33]", "[v7.a:b]", "a-b.c_d~e!$&'()*+,;=", "%41"})
    void validAuthorities(String host) {
        ByteBuffer b = bytes(host);
        assertTrue(RequestParser.validAuthority(b, 0, b.limit()), host);
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {":80", ":", "h:8a", "h:65536", "h:123456", "h:-1",
            "[::1", "::1]", "[::1]x", "[]", "[1:2:3]", "[1:2:3:4:5:6:7:8:9]", "[1::2::3]", "[12345::]",
            "[::1.2.3]", "[::1.2.3.256]", "[:1]", "[1:]", "[g::]", "a[b", "a]b", "h h", "h@i", "%4", "[v.x]",
            "[v1.]", "h:1:2"})
    void invalidAuthorities(String host) {
        ByteBuffer b = bytes(host);
        assertFalse(RequestParser.validAuthority(b, 0, b.limit()), host);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiterString = "=>", value = {
            "GET / HTTP/1.1\\r\\n\\r\\n                                                    => 400",
            "GET / HTTP/1.1\\r\\nHost: a\\r\\nHost: b\\r\\n\\r\\n                          => 400",
            "GET / HTTP/1.1\\r\\nHost: a b\\r\\n\\r\\n                                     => 400",
            "GET / HTTP/2.0\\r\\nHost: h\\r\\n\\r\\n                                       => 505",
            "GET / HTTP/0.9\\r\\nHost: h\\r\\n\\r\\n                                       => 505",
            "GET / HTTX/1.1\\r\\nHost: h\\r\\n\\r\\n                                       => 400",
            "GET / HTTP/1.1 \\r\\nHost: h\\r\\n\\r\\n                                      => 400",
            "GET / HTTP/11\\r\\nHost: h\\r\\n\\r\\n                                        => 400",
            "GET /\\r\\nHost: h\\r\\n\\r\\n                                                => 400",
            "GET  / HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n                                      => 400",
            "G(T / HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n                                       => 400",
            "GET /a|b HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n                                    => 400",
            "GET /a%zz HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n                                   => 400",
            "GET /a#f HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n                                    => 400",
            "GET / HTTP/1.1\\r\\nHost: h\\r\\nX : y\\r\\n\\r\\n                            => 400",
            "GET / HTTP/1.1\\r\\nHost: h\\r\\nX\\t: y\\r\\n\\r\\n                          => 400",
            "GET / HTTP/1.1\\r\\nHost: h\\r\\nX: y\\r\\n z\\r\\n\\r\\n                     => 400",
            "GET / HTTP/1.1\\r\\nHost: h\\r\\nX: y\\r\\n\\tz\\r\\n\\r\\n                   => 400",
            "GET / HTTP/1.1\\r\\nHost: h\\r\\nX: a\\rb\\r\\n\\r\\n                         => 400",
            "GET / HTTP/1.1\\r\\nHost: h\\r\\nX: a\\nb\\r\\n\\r\\n                         => 400",
            "GET / HTTP/1.1\\nHost: h\\r\\n\\r\\n                                          => 400",
            "GET / HTTP/1.1\\r\\nHost: h\\r\\nX: a\\u0001b\\r\\n\\r\\n                     => 400",
            "GET / HTTP/1.1\\r\\nHost: h\\r\\nX: a\\u007fb\\r\\n\\r\\n                     => 400",
            "GET / HTTP/1.1\\r\\nHost: h\\r\\nX\\u0001Y: a\\r\\n\\r\\n                     => 400",
            "GET / HTTP/1.1\\r\\nHost: h\\r\\nNoColon\\r\\n\\r\\n                          => 400",
            "GET / HTTP/1.1\\r\\nHost: h\\r\\n: v\\r\\n\\r\\n                              => 400",
            "POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 1\\r\\nContent-Length: 2\\r\\n\\r\\n => 400",
            "POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 1, 2\\r\\n\\r\\n             => 400",
            "POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: -1\\r\\n\\r\\n               => 400",
            "POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: +1\\r\\n\\r\\n               => 400",
            "POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 0x10\\r\\n\\r\\n             => 400",
            "POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length:\\r\\n\\r\\n                  => 400",
            "POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 99999999999999999999\\r\\n\\r\\n => 400",
            "POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 999999999999\\r\\n\\r\\n     => 413",
            "POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 3\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n => 400",
            "POST / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: chunked\\r\\nContent-Length: 3\\r\\n\\r\\n => 400",
            "POST / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: gzip\\r\\n\\r\\n            => 400",
            "POST / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: chunked, gzip\\r\\n\\r\\n   => 400",
            "POST / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: chunked\\r\\nTransfer-Encoding: deflate\\r\\n\\r\\n => 400",
            "POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 7\\r\\nContent-Length: 7\\r\\n\\r\\n => 400",
            "POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 7, 7\\r\\n\\r\\n             => 400",
            "POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 1,1\\r\\n\\r\\n              => 400",
            "GET / HTTP/1.1\\r\\nHost: :80\\r\\n\\r\\n                                    => 400",
            "GET / HTTP/1.1\\r\\nHost: [::1\\r\\n\\r\\n                                   => 400",
            "GET /999\\r\\n\\r\\n                                                  => 400",
            "POST / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: gzip, chunked\\r\\n\\r\\n   => 501",
            "POST / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: identity\\r\\n\\r\\n        => 400",
            "POST / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: chunked, chunked\\r\\n\\r\\n => 400",
            "POST / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: chunked\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n => 400",
            "POST / HTTP/1.0\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n                    => 400",
            "POST / HTTP/1.1\\r\\nHost: h\\r\\nExpect: something\\r\\n\\r\\n                  => 417",
    })
    void rejects(String head, int status) {
        String unescaped = head.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t")
                .replace("\\u0001", "\u0001").replace("\\u007f", "\u007f");
        assertEquals(status, parse(unescaped), unescaped);
        assertTrue(reject.reason() != null && !reject.reason().isEmpty());
    }

    @Test
    void limits() {
        RequestParser small = new RequestParser(HttpOptions.defaults().withMaxRequestLineBytes(32)
                .withMaxHeaderBytes(128).withMaxHeaderCount(3));
        assertEquals(414, parse(small, "GET /" + "a".repeat(40) + " HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertEquals(0, parse(small, "GET /" + "a".repeat(12) + " HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertEquals(431, parse(small, "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"));
        assertEquals(0, parse(small, "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n"));
        assertEquals(431, parse(small, "GET / HTTP/1.1\r\nHost: h\r\nA: " + "x".repeat(120) + "\r\n\r\n"));
    }

    @Test
    void requestLineLimitIsEnforcedBeforeTheLineEnds() {
        RequestParser small = new RequestParser(HttpOptions.defaults().withMaxRequestLineBytes(16));
        ByteBuffer buf = bytes("GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        assertEquals(414, result(small.parse(buf, new RequestHeaders()), "long line"));
    }

    @Test
    void parseIsIncrementalAndConsumesNothingUntilTheHeadIsComplete() {
        String text = "GET /inc HTTP/1.1\r\nHost: h\r\nX: y\r\n\r\n";
        byte[] all = text.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer buf = ByteBuffer.allocate(all.length + 10);
        RequestHeaders into = new RequestHeaders();
        for (int i = 0; i < all.length - 1; i++) {
            buf.put(all[i]);
            ByteBuffer view = buf.duplicate().flip();
            assertSame(ParseResult.NEED_MORE, parser.parse(view, into), "at " + i);
            assertEquals(0, view.position());
        }
        buf.put(all[all.length - 1]);
        ByteBuffer view = buf.duplicate().flip();
        assertEquals(0, result(parser.parse(view, into), text));
        assertEquals(all.length, view.position());
        assertEquals("/inc", head.target);
        assertEquals("y", into.getFirst("x"));
    }

    @Test
    void bareCrSplitAcrossReads() {
        ByteBuffer buf = ByteBuffer.allocate(64);
        buf.put("GET / HTTP/1.1\r".getBytes(StandardCharsets.ISO_8859_1));
        assertSame(ParseResult.NEED_MORE, parser.parse(buf.duplicate().flip(), new RequestHeaders()));
        buf.put("Host: h\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        // The first line, "GET / HTTP/1.1\rHost: h", does not end in a version: refused once it ends.
        assertEquals(400, result(parser.parse(buf.duplicate().flip(), new RequestHeaders()), "bare CR"));
    }

    @Test
    void findsLineEndsAtEveryOffsetOfAWord() {
        for (int pad = 0; pad < 17; pad++) {
            String text = "GET /" + "p".repeat(pad) + " HTTP/1.1\r\nHost: h\r\nX-" + "y".repeat(pad) + ": v\r\n\r\n";
            assertEquals(0, parse(text), text);
            assertEquals("/" + "p".repeat(pad), head.target);
            ByteBuffer little = bytes(text).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            assertEquals(0, result(parser.parse(little, new RequestHeaders()), text));
            assertEquals(little.limit(), little.position());
        }
    }

    @Test
    void parseStopsAtTheEndOfTheHeadAndLeavesPipelinedBytes() {
        String two = "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n";
        ByteBuffer buf = bytes(two);
        assertEquals(0, result(parser.parse(buf, new RequestHeaders()), two));
        assertEquals("/1", head.target);
        assertEquals(two.length() / 2, buf.position());
        assertEquals(0, result(parser.parse(buf, new RequestHeaders()), two));
        assertEquals("/2", head.target);
        assertEquals(buf.limit(), buf.position());
    }

    @Test
    void aRepeatedRequestGetsTheSameHead() {
        String text = "GET /same HTTP/1.1\r\nHost: h\r\n\r\n";
        assertEquals(0, parse(text));
        RequestHead first = head;
        assertEquals(0, parse(text));
        assertSame(first, head);
        assertEquals(0, parse("GET /other HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertNotSame(first, head);
        assertEquals("/same", first.target, "a head never changes");
    }

    @Test
    void http10WithoutHostIsFine() {
        assertEquals(0, parse("GET / HTTP/1.0\r\n\r\n"));
        assertEquals(0, head.minorVersion);
        assertNull(headers.getFirst("Host"));
        assertTrue(headers.isEmpty());
    }
}
