import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The client of .ci/module-path-check.sh, run as a source file with only a JDK:
 * {@code free-port} prints a free loopback port; {@code hello PORT WORKERS} asks {@code GET /} on fresh
 * connections until every worker 1..WORKERS has answered the main job's JSON (at most 40 tries), and
 * fails with a message naming what was wrong otherwise.
 */
public class HttpCheck {
    private static final Pattern HELLO = Pattern.compile("\\{\"message\":\"Hello from worker (\\d+)\"}");

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "free-port" -> {
                try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                    System.out.println(s.getLocalPort());
                }
            }
            case "hello" -> hello(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }

    private static void hello(int port, int workers) throws Exception {
        Set<Integer> seen = new TreeSet<>();
        URI uri = URI.create("http://127.0.0.1:" + port + "/");
        for (int i = 0; i < 40 && seen.size() < workers; i++) {
            // A new client per request: a fresh connection, which the pool hands to the next worker.
            try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build()) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                String type = r.headers().firstValue("Content-Type").orElse("(none)");
                var m = HELLO.matcher(r.body());
                if (r.statusCode() != 200 || !type.equals("application/json") || !m.matches()) {
                    fail("GET / answered " + r.statusCode() + ", Content-Type " + type + ", body " + r.body());
                }
                seen.add(Integer.parseInt(m.group(1)));
            } catch (IOException e) {
                fail("GET " + uri + " failed: " + e);
            }
        }
        if (seen.size() < workers) {
            fail("only workers " + seen + " answered, expected 1.." + workers);
        }
        System.out.println("GET / answered by workers " + seen);
    }

    private static void fail(String message) {
        System.err.println("error: " + message);
        System.exit(1);
    }
}
