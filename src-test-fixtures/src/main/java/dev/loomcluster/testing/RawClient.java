package dev.loomcluster.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * A blocking TCP client for tests: connect, write, read exactly {@code n} bytes, up to a delimiter or to
 * end of stream, and tell whether the peer closed. Every connect and read is bounded by the client's
 * timeout; I/O failures (including timeouts, wrapping a {@link SocketTimeoutException}, and an end of
 * stream before the expected bytes, wrapping an {@link EOFException}) are thrown as
 * {@link UncheckedIOException}s whose message says what was being read.
 *
 * <p>Not thread-safe: one thread (the test's) uses an instance; every call blocks that thread for at most
 * the timeout. {@link #close()} is idempotent.
 */
public final class RawClient implements AutoCloseable {

    /** The timeout of the factories that take none: 5 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    /** The most bytes {@link #readUntil(byte[])} and {@link #readToEof()} collect before giving up: 16 MiB. */
    public static final int MAX_READ = 16 << 20;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final int timeoutMillis;
    private byte[] buffer = new byte[8192];
    private int position;
    private int limit;
    private boolean eof;

    private RawClient(Socket socket, int timeoutMillis) throws IOException {
        this.socket = socket;
        this.timeoutMillis = timeoutMillis;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Connects to {@code 127.0.0.1:port} with the default timeout. */
    public static RawClient connect(int port) {
        return connect(FreePorts.loopback(port), DEFAULT_TIMEOUT);
    }

    /** Connects to {@code address} with the default timeout. */
    public static RawClient connect(InetSocketAddress address) {
        return connect(address, DEFAULT_TIMEOUT);
    }

    /**
     * Connects to {@code address} ({@code TCP_NODELAY} on).
     *
     * @param timeout bounds the connect and, afterwards, every read
     */
    public static RawClient connect(InetSocketAddress address, Duration timeout) {
        Objects.requireNonNull(address, "address");
        int millis = Math.toIntExact(Math.max(1, timeout.toMillis()));
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(address, millis);
            socket.setSoTimeout(millis);
            return new RawClient(socket, millis);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new UncheckedIOException("cannot connect to " + address + ": " + e.getMessage(), e);
        }
    }

    /** The connected socket, for options and addresses. */
    public Socket socket() {
        return socket;
    }

    /** The client's local port, as the server sees it in the remote address. */
    public int localPort() {
        return socket.getLocalPort();
    }

    /** Writes all of {@code bytes}; returns this. */
    public RawClient write(byte[] bytes) {
        return write(bytes, 0, bytes.length);
    }

    /** Writes {@code length} bytes of {@code bytes} from {@code offset}; returns this. */
    public RawClient write(byte[] bytes, int offset, int length) {
        try {
            out.write(bytes, offset, length);
            out.flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + length + " bytes: " + e.getMessage(), e);
        }
    }

    /** Writes {@code text} as UTF-8; returns this. */
    public RawClient write(String text) {
        return write(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Half-closes: sends FIN; reading goes on. */
    public RawClient shutdownOutput() {
        try {
            socket.shutdownOutput();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot shut down output: " + e.getMessage(), e);
        }
    }

    /** Reads exactly {@code n} bytes, waiting up to the timeout for each read. */
    public byte[] readExactly(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must not be negative: " + n);
        }
        byte[] result = new byte[n];
        int got = 0;
        while (got < n) {
            if (position == limit && !fill("reading " + n + " bytes (got " + got + ")")) {
                throw new UncheckedIOException(new EOFException(
                        "end of stream after " + got + " of " + n + " bytes"));
            }
            int take = Math.min(n - got, limit - position);
            System.arraycopy(buffer, position, result, got, take);
            position += take;
            got += take;
        }
        return result;
    }

    /** Reads exactly {@code n} bytes and decodes them as UTF-8. */
    public String readString(int n) {
        return new String(readExactly(n), StandardCharsets.UTF_8);
    }

    /**
     * Reads up to and including the first occurrence of {@code delimiter}; bytes after it stay buffered
     * for the next read.
     *
     * @throws UncheckedIOException on end of stream before the delimiter, a timeout, or more than
     *                              {@link #MAX_READ} bytes without it
     */
    public byte[] readUntil(byte[] delimiter) {
        if (delimiter.length == 0) {
            throw new IllegalArgumentException("empty delimiter");
        }
        byte[] collected = new byte[Math.max(64, delimiter.length)];
        int size = 0;
        while (true) {
            if (position == limit) {
                String what = "reading until " + printable(delimiter) + " (got " + size + " bytes)";
                if (!fill(what)) {
                    throw new UncheckedIOException(new EOFException("end of stream " + what));
                }
            }
            if (size == collected.length) {
                if (size >= MAX_READ) {
                    throw new UncheckedIOException(new IOException("no " + printable(delimiter) + " in "
                            + MAX_READ + " bytes"));
                }
                collected = Arrays.copyOf(collected, size * 2);
            }
            collected[size++] = buffer[position++];
            if (size >= delimiter.length
                    && Arrays.equals(collected, size - delimiter.length, size, delimiter, 0, delimiter.length)) {
                return Arrays.copyOf(collected, size);
            }
        }
    }

    /** {@link #readUntil(byte[])} with a UTF-8 delimiter, decoding the result as UTF-8. */
    public String readUntil(String delimiter) {
        return new String(readUntil(delimiter.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    /** Reads everything until the peer closes its output (each read bounded by the timeout). */
    public byte[] readToEof() {
        ByteArrayOutputStream collected = new ByteArrayOutputStream();
        while (true) {
            if (position == limit && !fill("reading to end of stream (got " + collected.size() + " bytes)")) {
                return collected.toByteArray();
            }
            collected.write(buffer, position, limit - position);
            position = limit;
            if (collected.size() > MAX_READ) {
                throw new UncheckedIOException(new IOException("no end of stream in " + MAX_READ + " bytes"));
            }
        }
    }

    /** {@link #readToEof()} decoded as UTF-8. */
    public String readStringToEof() {
        return new String(readToEof(), StandardCharsets.UTF_8);
    }

    /**
     * Whether the peer has closed (end of stream or connection reset) within {@code wait}.
     *
     * @return {@code true} if the next thing the peer sent is the end of the stream or a reset;
     *         {@code false} if bytes are waiting (they stay buffered for the next read) or nothing came
     *         within {@code wait}
     */
    public boolean isPeerClosed(Duration wait) {
        if (position < limit) {
            return false;
        }
        if (eof) {
            return true;
        }
        try {
            socket.setSoTimeout(Math.toIntExact(Math.max(1, wait.toMillis())));
            try {
                return !fill("checking whether the peer closed");
            } finally {
                if (!socket.isClosed()) {
                    socket.setSoTimeout(timeoutMillis);
                }
            }
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof SocketTimeoutException) {
                return false;
            }
            if (e.getCause() instanceof SocketException) {
                eof = true;
                return true; // reset by peer
            }
            throw e;
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Closes the socket. Idempotent. */
    @Override
    public void close() {
        closeQuietly(socket);
    }

    /** Reads more bytes into the buffer; false at end of stream. */
    private boolean fill(String what) {
        if (eof) {
            return false;
        }
        if (position == limit) {
            position = 0;
            limit = 0;
        } else if (limit == buffer.length) {
            buffer = Arrays.copyOf(buffer, buffer.length * 2);
        }
        try {
            int n = in.read(buffer, limit, buffer.length - limit);
            if (n < 0) {
                eof = true;
                return false;
            }
            limit += n;
            return true;
        } catch (SocketTimeoutException e) {
            SocketTimeoutException timeout = new SocketTimeoutException("timed out " + what);
            timeout.initCause(e);
            throw new UncheckedIOException(timeout.getMessage(), timeout);
        } catch (IOException e) {
            throw new UncheckedIOException(what + ": " + e.getMessage(), e);
        }
    }

    private static String printable(byte[] delimiter) {
        return '"' + new String(delimiter, StandardCharsets.UTF_8).replace("\r", "\\r").replace("\n", "\\n") + '"';
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a test socket: nothing to do
        }
    }
}
