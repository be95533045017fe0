package dev.loomcluster.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A closed-loop keep-alive load client that checks every answer: each of its connections (one thread each)
 * sends a request carrying a unique id, waits for the answer, checks that it carries that same id, and
 * sends the next one at once. It counts what was sent, answered, lost (the connection failed or ended with
 * a request unanswered) and wrong (an answer for another id: a duplicate or a mix-up). Connections the
 * server ends cleanly between requests (an HTTP response with {@code Connection: close}) are reopened;
 * a connection that cannot be opened counts as a connect failure.
 *
 * <p>Two protocols: {@link Protocol#LINE} sends {@code <id>\n} and expects a line that starts with
 * {@code <id>}; {@link Protocol#HTTP} sends {@code GET /?id=<id>} and expects a 200 whose body contains
 * {@code <id>} (the server echoes it); {@link Protocol#HTTP_ANY_200} takes any 200. Start it with {@link #start}, stop it with {@link #stop()}, which
 * lets every request in flight finish and returns the counts.
 */
public final class KeepAliveClient implements AutoCloseable {

    /** What is sent and expected back. */
    public enum Protocol {
        /** {@code <id>\n}, answered by a line that contains the id. */
        LINE,
        /** {@code GET /?id=<id>}, answered by a 200 whose body contains the id. */
        HTTP,
        /** {@code GET /?id=<id>}, answered by any 200: for a server that does not echo the id (no duplicate check). */
        HTTP_ANY_200
    }

    /** The counts of one run; {@link #failures()} lists the first problems seen. */
    public record Result(long sent, long answered, long lost, long wrong, long connectFailures, long reconnects,
                         List<String> failures) {
        /** Whether every request sent got its own answer. */
        public boolean clean() {
            return lost == 0 && wrong == 0 && connectFailures == 0 && sent == answered;
        }
    }

    private static final AtomicLong IDS = new AtomicLong(1);
    private static final int MAX_FAILURES_KEPT = 20;

    private final InetSocketAddress address;
    private final Protocol protocol;
    private final boolean reconnect;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private final AtomicLong wrong = new AtomicLong();
    private final AtomicLong connectFailures = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final List<Socket> sockets = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean stopping;

    private KeepAliveClient(InetSocketAddress address, Protocol protocol, boolean reconnect) {
        this.address = address;
        this.protocol = protocol;
        this.reconnect = reconnect;
    }

    /** Opens {@code connections} connections to {@code address} and starts sending on each. */
    public static KeepAliveClient start(InetSocketAddress address, int connections, Protocol protocol) {
        return start(address, connections, protocol, true);
    }

    /**
     * As {@link #start(InetSocketAddress, int, Protocol)}; with {@code reconnect} false a connection the
     * server ends cleanly is not reopened (its thread stops), as a client behind a load balancer that
     * takes the server out of rotation.
     */
    public static KeepAliveClient start(InetSocketAddress address, int connections, Protocol protocol,
                                        boolean reconnect) {
        KeepAliveClient c = new KeepAliveClient(address, protocol, reconnect);
        for (int i = 0; i < connections; i++) {
            Thread t = Thread.ofPlatform().daemon(true).name("keep-alive-client-" + i).start(c::run);
            c.threads.add(t);
        }
        return c;
    }

    /** Requests answered so far. */
    public long answered() {
        return answered.get();
    }

    /** Waits until {@code n} more requests than now have been answered, or {@code timeout} passes. */
    public boolean awaitMoreAnswers(long n, Duration timeout) throws InterruptedException {
        long target = answered.get() + n;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (answered.get() < target) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(2);
        }
        return true;
    }

    /** Lets the request in flight on every connection finish, closes them, and returns the counts. */
    public Result stop() throws InterruptedException {
        stopping = true;
        for (Thread t : threads) {
            t.join(30_000);
        }
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        return new Result(sent.get(), answered.get(), lost.get(), wrong.get(), connectFailures.get(),
                reconnects.get(), List.copyOf(failures));
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private void run() {
        boolean first = true;
        while (!stopping) {
            Socket s;
            try {
                s = new Socket();
                s.setTcpNoDelay(true);
                s.connect(address, 5_000);
                s.setSoTimeout(20_000);
            } catch (IOException e) {
                connectFailures.incrementAndGet();
                fail("connect: " + e);
                return;
            }
            sockets.add(s);
            if (!first) {
                reconnects.incrementAndGet();
            }
            first = false;
            try (s) {
                if (!serve(s) || !reconnect) {
                    return;
                }
            } catch (IOException e) {
                return; // counted where it happened
            } finally {
                sockets.remove(s);
            }
        }
    }

    /** Sends and checks requests on one connection; true if the server ended it cleanly (reconnect). */
    private boolean serve(Socket s) throws IOException {
        OutputStream out = s.getOutputStream();
        InputStream in = new BufferedInputStream(s.getInputStream(), 8192);
        while (!stopping) {
            long id = IDS.getAndIncrement();
            byte[] request = protocol == Protocol.LINE
                    ? (id + "\n").getBytes(StandardCharsets.US_ASCII)
                    : ("GET /?id=" + id + " HTTP/1.1\r\nHost: loomcluster\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            try {
                out.write(request);
                out.flush();
            } catch (IOException e) {
                lost.incrementAndGet(); // the request may or may not have reached the server: never answered
                sent.incrementAndGet();
                fail("write of " + id + ": " + e);
                return false;
            }
            sent.incrementAndGet();
            Answer a;
            try {
                a = protocol == Protocol.LINE ? readLine(in) : readHttp(in, protocol == Protocol.HTTP_ANY_200 ? id : -1);
            } catch (IOException e) {
                lost.incrementAndGet();
                fail("answer to " + id + ": " + e);
                return false;
            }
            if (a == null) {
                lost.incrementAndGet();
                fail("answer to " + id + ": connection ended before any answer");
                return false;
            }
            if (!a.matches(id)) {
                wrong.incrementAndGet();
                fail("answer to " + id + " was: " + a.text);
                return false;
            }
            answered.incrementAndGet();
            if (a.close) {
                return true;
            }
        }
        return false;
    }

    private record Answer(String text, boolean close) {
        boolean matches(long id) {
            String ids = Long.toString(id);
            int i = text.indexOf(ids);
            while (i >= 0) {
                boolean before = i == 0 || !Character.isDigit(text.charAt(i - 1));
                int end = i + ids.length();
                boolean after = end == text.length() || !Character.isDigit(text.charAt(end));
                if (before && after) {
                    return true;
                }
                i = text.indexOf(ids, i + 1);
            }
            return false;
        }
    }

    private static Answer readLine(InputStream in) throws IOException {
        String line = line(in);
        return line == null ? null : new Answer(line, false);
    }

    /** Reads a response; a 200 counts as the answer to {@code anyOkId} when it is not -1. */
    private static Answer readHttp(InputStream in, long anyOkId) throws IOException {
        String status = line(in);
        if (status == null) {
            return null;
        }
        long length = -1;
        boolean close = false;
        String h;
        while ((h = line(in)) != null && !h.isEmpty()) {
            int colon = h.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = h.substring(colon + 1).trim();
            if (name.equals("content-length")) {
                length = Long.parseLong(value);
            } else if (name.equals("connection") && value.equalsIgnoreCase("close")) {
                close = true;
            }
        }
        if (h == null) {
            throw new IOException("connection ended in the response head after " + status);
        }
        if (length < 0) {
            throw new IOException("response without Content-Length: " + status);
        }
        byte[] body = in.readNBytes((int) length);
        if (body.length < length) {
            throw new IOException("connection ended in the response body after " + status);
        }
        if (!status.startsWith("HTTP/1.1 200")) {
            return new Answer("status " + status, close); // matches no id: counted as wrong
        }
        return new Answer(anyOkId >= 0 ? Long.toString(anyOkId) : new String(body, StandardCharsets.UTF_8), close);
    }

    /** A CRLF- or LF-terminated line; null at a clean end of stream before any byte. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int n = b.size();
                byte[] bytes = b.toByteArray();
                return new String(bytes, 0, n > 0 && bytes[n - 1] == '\r' ? n - 1 : n, StandardCharsets.ISO_8859_1);
            }
            b.write(c);
            if (b.size() > 16 * 1024) {
                throw new IOException("line too long");
            }
        }
        if (b.size() == 0) {
            return null;
        }
        throw new IOException("connection ended in a line");
    }

    private void fail(String what) {
        if (failures.size() < MAX_FAILURES_KEPT) {
            failures.add(what);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
