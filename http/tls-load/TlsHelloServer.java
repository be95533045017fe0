import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.loomcluster.WorkerPool;
import dev.loomcluster.http.LoomHttp;
import dev.loomcluster.http.LoomHttpServerProvider;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The main job's hello handler on a pool of WORKERS workers sharing one port, over plain HTTP or HTTPS,
 * for http/tls-load.sh: java TlsHelloServer.java http|https PORT WORKERS [KEYSTORE.p12 PASSWORD].
 * Runs until killed.
 */
public class TlsHelloServer {
    public static void main(String[] args) throws Exception {
        boolean tls = args[0].equals("https");
        int port = Integer.parseInt(args[1]);
        int workers = Integer.parseInt(args[2]);
        SSLContext ssl = tls ? context(Path.of(args[3]), args[4].toCharArray()) : null;
        byte[] body = "{\"message\":\"Hello\"}".getBytes(StandardCharsets.UTF_8);
        WorkerPool pool = WorkerPool.builder(ctx -> {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
            HttpServer server;
            if (tls) {
                HttpsServer s = LoomHttpServerProvider.withOptions(dev.loomcluster.http.HttpOptions.defaults())
                        .createHttpsServer(address, 0);
                s.setHttpsConfigurator(new HttpsConfigurator(ssl));
                server = s;
            } else {
                server = LoomHttp.create(address);
            }
            server.createContext("/", exchange -> {
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
        }).size(workers).name("tls-load").build();
        pool.start();
        System.out.println("serving " + args[0] + " on " + port + " with " + workers + " workers");
        new CountDownLatch(1).await();
    }

    private static SSLContext context(Path keyStore, char[] password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            ks.load(in, password);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(kmf.getKeyManagers(), null, null);
        return c;
    }
}
