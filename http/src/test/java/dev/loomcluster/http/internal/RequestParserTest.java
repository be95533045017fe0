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
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestParserTest {

    private final RequestParser parser = new RequestParser(HttpOptions.defaults());

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Scans and parses a whole head; returns 0 on success, the error status otherwise. */
    private int parse(RequestParser p, String head) {
        ByteBuffer buf = bytes(head);
        p.resetScan();
        int end = p.scan(buf, 0, buf.limit());
        if (end == RequestParser.ERROR) {
            return p.errorStatus;
        }
        assertTrue(end > 0, "head incomplete: " + head);
        return p.parse(buf, p.headStart(), end) ? 0 : p.errorStatus;
    }

    private int parse(String head) {
        return parse(parser, head);
    }

    @Test
    void simpleGet() {
        assertEquals(0, parse("GET /a/b?x=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t\r\n\r\n"));
        assertEquals("GET", parser.method);
        assertEquals("/a/b?x=1", parser.target());
        assertEquals("/a/b", parser.path());
        assertEquals(1, parser.minorVersion);
        assertEquals(-1, parser.contentLength);
        assertFalse(parser.chunked);
        assertEquals("example.com", parser.headers.getFirst("host"));
        assertEquals(List.of("t"), parser.headers.get("USER-AGENT"));
        assertEquals(2, parser.headers.size());
        assertTrue(parser.headers.containsKey("User-agent"));
        assertTrue(parser.headers.keySet().contains("Host"));
    }

    @Test
    void repeatedRequestReusesStrings() {
        String head = "GET /x HTTP/1.1\r\nHost: h\r\nX-Custom-Thing: v1\r\n\r\n";
        assertEquals(0, parse(head));
        String target = parser.target();
        String custom = parser.headers.getFirst("X-Custom-Thing");
        String name = parser.headers.keySet().stream().filter(k -> k.startsWith("X-")).findFirst().orElseThrow();
        assertEquals("X-custom-thing", name);
        assertEquals(0, parse(head));
        assertSame(target, parser.target());
        assertSame(custom, parser.headers.getFirst("x-custom-thing"));
        assertSame(name, parser.headers.keySet().stream().filter(k -> k.startsWith("X-")).findFirst().orElseThrow());
    }

    @Test
    void duplicateNamesMerge() {
        assertEquals(0, parse("GET / HTTP/1.1\r\nHost: h\r\nAccept: a\r\naccept: b\r\n\r\n"));
        assertEquals(List.of("a", "b"), parser.headers.get("Accept"));
        assertThrows(UnsupportedOperationException.class, () -> parser.headers.add("X", "y"));
        assertThrows(UnsupportedOperationException.class, () -> parser.headers.get("Accept").add("c"));
    }

    @Test
    void valuesAreTrimmed() {
        assertEquals(0, parse("GET / HTTP/1.1\r\nHost:h\r\nX:  \t a b \t \r\nEmpty:\r\n\r\n"));
        assertEquals("a b", parser.headers.getFirst("x"));
        assertEquals("", parser.headers.getFirst("empty"));
        assertEquals("h", parser.headers.getFirst("host"));
    }

    @Test
    void leadingEmptyLinesAreSkipped() {
        assertEquals(0, parse("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertEquals("GET", parser.method);
    }

    @Test
    void framing() {
        assertEquals(0, parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 42\r\n\r\n"));
        assertEquals(42, parser.contentLength);
        assertEquals(0, parse("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"));
        assertTrue(parser.chunked);
        assertEquals(0, parse("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: CHUNKED\r\n\r\n"));
        assertTrue(parser.chunked);
    }

    @Test
    void connectionAndExpect() {
        assertEquals(0, parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, close\r\n\r\n"));
        assertTrue(parser.connectionClose);
        assertEquals(0, parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
        assertTrue(parser.connectionKeepAlive);
        assertEquals(0, parser.minorVersion);
        assertEquals(0, parse("PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nExpect: 100-Continue\r\n\r\n"));
        assertTrue(parser.expectContinue);
        assertEquals(0, parse("GET / HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertFalse(parser.connectionClose);
        assertFalse(parser.expectContinue);
    }

    @Test
    void otherMethodsAndForms() {
        assertEquals(0, parse("PROPFIND /dav HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertEquals("PROPFIND", parser.method);
        assertEquals(0, parse("GET http://example.com/p/q?z HTTP/1.1\r\nHost: example.com\r\n\r\n"));
        assertEquals("/p/q", parser.path());
        assertEquals(0, parse("GET /a%20b HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertEquals("/a b", parser.path());
        assertEquals("/a%20b", parser.uri().getRawPath());
        assertEquals(0, parse("HEAD / HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertTrue(parser.isHead);
        assertEquals(0, parse("GET / HTTP/1.2\r\nHost: h\r\n\r\n"));
        assertEquals(1, parser.minorVersion);
        assertEquals(0, parse("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertTrue(parser.asterisk);
        assertEquals(400, parse("GET * HTTP/1.1\r\nHost: h\r\n\r\n"), "the cached target must not skip the check");
        assertEquals(0, parse("GET / HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertFalse(parser.asterisk);
    }

    @Test
    void requestLineWithoutVersionIsRejectedAsSoonAsItEnds() {
        ByteBuffer buf = bytes("GET /999\r\n");
        parser.resetScan();
        assertEquals(RequestParser.ERROR, parser.scan(buf, 0, buf.limit()));
        assertEquals(400, parser.errorStatus);
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
        assertTrue(parser.errorReason != null && !parser.errorReason.isEmpty());
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
        small.resetScan();
        assertEquals(RequestParser.ERROR, small.scan(buf, 0, buf.limit()));
        assertEquals(414, small.errorStatus);
    }

    @Test
    void scanIsIncremental() {
        String head = "GET /inc HTTP/1.1\r\nHost: h\r\nX: y\r\n\r\n";
        byte[] all = head.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer buf = ByteBuffer.allocate(all.length + 10);
        parser.resetScan();
        int end = RequestParser.NEED_MORE;
        for (int i = 0; i < all.length; i++) {
            buf.put(all[i]);
            end = parser.scan(buf, 0, buf.position());
            if (i < all.length - 1) {
                assertEquals(RequestParser.NEED_MORE, end, "at " + i);
            }
        }
        assertEquals(all.length, end);
        assertTrue(parser.parse(buf, parser.headStart(), end));
        assertEquals("/inc", parser.target());
        assertEquals("y", parser.headers.getFirst("x"));
    }

    @Test
    void bareCrSplitAcrossReads() {
        ByteBuffer buf = ByteBuffer.allocate(64);
        buf.put("GET / HTTP/1.1\r".getBytes(StandardCharsets.ISO_8859_1));
        parser.resetScan();
        assertEquals(RequestParser.NEED_MORE, parser.scan(buf, 0, buf.position()));
        buf.put("Host: h\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        // The first line, "GET / HTTP/1.1\rHost: h", does not end in a version: refused once it ends.
        assertEquals(RequestParser.ERROR, parser.scan(buf, 0, buf.position()));
        assertEquals(400, parser.errorStatus);
    }

    @Test
    void findsLineEndsAtEveryOffsetOfAWord() {
        for (int pad = 0; pad < 17; pad++) {
            String head = "GET /" + "p".repeat(pad) + " HTTP/1.1\r\nHost: h\r\nX-" + "y".repeat(pad) + ": v\r\n\r\n";
            assertEquals(0, parse(head), head);
            assertEquals("/" + "p".repeat(pad), parser.target());
            ByteBuffer little = bytes(head).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            parser.resetScan();
            assertEquals(little.limit(), parser.scan(little, 0, little.limit()));
        }
    }

    @Test
    void scanStopsAtTheEndOfTheHeadAndLeavesPipelinedBytes() {
        String two = "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n";
        ByteBuffer buf = bytes(two);
        parser.resetScan();
        int end = parser.scan(buf, 0, buf.limit());
        assertTrue(parser.parse(buf, 0, end));
        assertEquals("/1", parser.target());
        parser.resetScan();
        int end2 = parser.scan(buf, end, buf.limit());
        assertEquals(buf.limit(), end2);
        assertTrue(parser.parse(buf, end + parser.headStart(), end2));
        assertEquals("/2", parser.target());
    }

    @Test
    void http10WithoutHostIsFine() {
        assertEquals(0, parse("GET / HTTP/1.0\r\n\r\n"));
        assertEquals(0, parser.minorVersion);
        assertNull(parser.headers.getFirst("Host"));
        assertTrue(parser.headers.isEmpty());
    }
}
