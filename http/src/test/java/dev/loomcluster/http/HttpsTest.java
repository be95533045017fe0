package dev.loomcluster.http;

import dev.loomcluster.ThreadKind;
import dev.loomcluster.testing.RawClient;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTPS through the provider: a self-signed key made by keytool for the test, two workers sharing the
 * TLS port, the JDK's HttpClient and curl over TLS 1.3 and 1.2, bodies larger than a TLS record both
 * ways and from an executor, a handshake that never finishes (closed by the idle timeout), and plain
 * HTTP sent to the TLS port (closed, the worker keeps serving).
 */
class HttpsTest {
    private static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir
    static Path dir;
    private static Path keyStore;
    private static Path certPem;
    private static SSLContext serverContext;
    private static SSLContext clientContext;

    private TestServer server;
    private ExecutorService executor;
    private final Set<String> protocolsSeen = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void makeKey() throws Exception {
        keyStore = dir.resolve("server.p12");
        certPem = dir.resolve("server.pem");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(keytool, "-genkeypair", "-alias", "test", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass", "changeit",
                "-keypass", "changeit");
        run(keytool, "-exportcert", "-rfc", "-alias", "test", "-keystore", keyStore.toString(),
                "-storepass", "changeit", "-file", certPem.toString());
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            ks.load(in, PASSWORD);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASSWORD);
        serverContext = SSLContext.getInstance("TLS");
        serverContext.init(kmf.getKeyManagers(), null, null);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, tmf.getTrustManagers(), null);
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + String.join(" ", command));
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (executor != null) {
            executor.close();
        }
    }

    private void start(HttpOptions options, boolean onExecutor) {
        executor = onExecutor ? Executors.newVirtualThreadPerTaskExecutor() : null;
        LoomHttpServerProvider provider = LoomHttpServerProvider.withOptions(options);
        server = TestServer.start(ThreadKind.PLATFORM, 2, options, (address, o) -> {
            HttpsServer s = provider.createHttpsServer(address, 0);
            s.setHttpsConfigurator(new HttpsConfigurator(serverContext) {
                @Override
                public void configure(HttpsParameters params) {
                    SSLParameters p = getSSLContext().getDefaultSSLParameters();
                    p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
                    params.setSSLParameters(p);
                }
            });
            return s;
        }, this::routes);
    }

    private void routes(HttpServer s) {
        if (executor != null) {
            s.setExecutor(executor);
        }
        s.createContext("/hello", ex -> {
            String protocol = ((HttpsExchange) ex).getSSLSession().getProtocol();
            protocolsSeen.add(protocol);
            respond(ex, ("hello over " + protocol).getBytes(StandardCharsets.UTF_8));
        });
        s.createContext("/echo", ex -> {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            respond(ex, body);
        });
        s.createContext("/big", ex -> respond(ex, HttpProtocolTest.pattern(1 << 20)));
    }

    private static void respond(HttpExchange ex, byte[] body) throws IOException {
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private String url(String path) {
        return "https://127.0.0.1:" + server.port + path;
    }

    private HttpClient client(String protocol) {
        SSLParameters p = new SSLParameters();
        p.setProtocols(new String[] {protocol});
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(clientContext)
                .sslParameters(p).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void httpClientOverEachProtocol(String protocol) throws Exception {
        start(HttpOptions.defaults(), false);
        try (HttpClient client = client(protocol)) {
            for (int i = 0; i < 4; i++) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(java.net.URI.create(url("/hello")))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode());
                assertEquals("hello over " + protocol, r.body());
                assertEquals(protocol, r.sslSession().orElseThrow().getProtocol());
            }
            byte[] upload = HttpProtocolTest.pattern(300_000); // many TLS records, both ways
            HttpResponse<byte[]> echo = client.send(HttpRequest.newBuilder(java.net.URI.create(url("/echo")))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(upload)).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertArrayEquals(upload, echo.body());
        }
        assertEquals(Set.of(protocol), protocolsSeen);
    }

    @Test
    void bigResponsesFromAnExecutorThread() throws Exception {
        start(HttpOptions.defaults(), true);
        try (HttpClient client = client("TLSv1.3")) {
            for (int i = 0; i < 3; i++) {
                HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(java.net.URI.create(url("/big")))
                        .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofByteArray());
                assertArrayEquals(HttpProtocolTest.pattern(1 << 20), r.body());
            }
            byte[] upload = HttpProtocolTest.pattern(500_000);
            HttpResponse<byte[]> echo = client.send(HttpRequest.newBuilder(java.net.URI.create(url("/echo")))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(upload)).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertArrayEquals(upload, echo.body());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.3", "1.2"})
    void curlOverEachProtocol(String version) throws Exception {
        start(HttpOptions.defaults(), false);
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10", "--cacert",
                certPem.toString(), "--tlsv" + version, "--tls-max", version));
        command.addAll(List.of(url("/hello"), url("/hello"))); // two requests on one connection
        String out = run(command.toArray(String[]::new));
        assertEquals(("hello over TLSv" + version).repeat(2), out);
    }

    @Test
    void aHandshakeThatNeverFinishesIsClosedByTheIdleTimeout() throws Exception {
        start(HttpOptions.defaults().withIdleTimeout(Duration.ofMillis(300)), false);
        try (RawClient c = RawClient.connect(new InetSocketAddress("127.0.0.1", server.port), Duration.ofSeconds(5))) {
            c.write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00}); // the start of a ClientHello, no more
            assertTrue(c.isPeerClosed(Duration.ofSeconds(5)), "a stalled handshake must be closed");
        }
        try (RawClient c = RawClient.connect(new InetSocketAddress("127.0.0.1", server.port), Duration.ofSeconds(5))) {
            assertTrue(c.isPeerClosed(Duration.ofSeconds(5)), "a connection that says nothing must be closed");
        }
        assertServing();
    }

    @Test
    void plainHttpToTheTlsPortIsClosedAndTheWorkerKeepsServing() throws Exception {
        start(HttpOptions.defaults(), false);
        for (int i = 0; i < 4; i++) {
            try (RawClient c = RawClient.connect(new InetSocketAddress("127.0.0.1", server.port), Duration.ofSeconds(5))) {
                c.write("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n");
                byte[] answer = c.readToEof(); // at most a TLS alert, then the end
                assertFalse(new String(answer, StandardCharsets.ISO_8859_1).startsWith("HTTP/"),
                        "plain HTTP must not be answered: " + Arrays.toString(answer));
                assertTrue(answer.length == 0 || answer[0] == 0x15, "a TLS alert or nothing");
            }
        }
        assertServing();
        assertEquals(2, server.pool.workers().size(), "no worker died");
    }

    private void assertServing() throws Exception {
        try (HttpClient client = client("TLSv1.3")) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(java.net.URI.create(url("/hello")))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("hello over TLSv1.3", r.body());
        }
    }
}
