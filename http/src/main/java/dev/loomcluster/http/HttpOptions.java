package dev.loomcluster.http;

import java.time.Duration;
import java.util.Objects;

/**
 * The limits of one HTTP server, immutable. Start from {@link #defaults()} and change what you need with
 * the {@code with...} methods; each returns a new record. Any thread.
 *
 * <p>A request that passes a limit is answered with the status in brackets and its connection is closed:
 *
 * @param maxRequestLineBytes     longest request line, CRLF excluded (414 URI Too Long); default 8 KiB
 * @param maxHeaderBytes          longest header section, request line and field lines included, CRLFs
 *                                included (431 Request Header Fields Too Large); default 16 KiB
 * @param maxHeaderCount          most field lines in one request (431); default 100
 * @param maxBodyBytes            largest request body, declared by {@code Content-Length} or received in
 *                                chunks (413 Content Too Large); default 16 MiB
 * @param headerReadTimeout       longest time from the first byte of a request to the end of its header
 *                                section, against slowloris (408 Request Timeout); default 10 s
 * @param idleTimeout             how long a keep-alive connection may wait for its next request before it
 *                                is closed (no response is sent); default 5 s, as Node's
 *                                {@code keepAliveTimeout}
 * @param maxConnectionsPerWorker connections one worker serves at once; one more is answered 503 and
 *                                closed; default 10,000
 * @param maxChunkExtensionBytes  longest chunk extension of one chunk of a chunked request body, counted
 *                                from the first byte after the chunk size to its line's CRLF (413 Content
 *                                Too Large); per chunk, as Node's; default 16 KiB
 */
public record HttpOptions(
        int maxRequestLineBytes,
        int maxHeaderBytes,
        int maxHeaderCount,
        long maxBodyBytes,
        Duration headerReadTimeout,
        Duration idleTimeout,
        int maxConnectionsPerWorker,
        int maxChunkExtensionBytes) {

    private static final HttpOptions DEFAULTS = new HttpOptions(8 * 1024, 16 * 1024, 100, 16L * 1024 * 1024,
            Duration.ofSeconds(10), Duration.ofSeconds(5), 10_000, 16 * 1024);

    /** Checks every limit: sizes and counts positive, durations positive. */
    public HttpOptions {
        positive(maxRequestLineBytes, "maxRequestLineBytes");
        positive(maxHeaderBytes, "maxHeaderBytes");
        positive(maxHeaderCount, "maxHeaderCount");
        if (maxBodyBytes < 0) {
            throw new IllegalArgumentException("maxBodyBytes must not be negative: " + maxBodyBytes);
        }
        positive(headerReadTimeout, "headerReadTimeout");
        positive(idleTimeout, "idleTimeout");
        positive(maxConnectionsPerWorker, "maxConnectionsPerWorker");
        positive(maxChunkExtensionBytes, "maxChunkExtensionBytes");
        if (maxRequestLineBytes > maxHeaderBytes) {
            throw new IllegalArgumentException("maxRequestLineBytes " + maxRequestLineBytes
                    + " is above maxHeaderBytes " + maxHeaderBytes);
        }
    }

    /** The defaults listed on the record. */
    public static HttpOptions defaults() {
        return DEFAULTS;
    }

    public HttpOptions withMaxRequestLineBytes(int bytes) {
        return new HttpOptions(bytes, maxHeaderBytes, maxHeaderCount, maxBodyBytes, headerReadTimeout,
                idleTimeout, maxConnectionsPerWorker, maxChunkExtensionBytes);
    }

    public HttpOptions withMaxHeaderBytes(int bytes) {
        return new HttpOptions(maxRequestLineBytes, bytes, maxHeaderCount, maxBodyBytes, headerReadTimeout,
                idleTimeout, maxConnectionsPerWorker, maxChunkExtensionBytes);
    }

    public HttpOptions withMaxHeaderCount(int count) {
        return new HttpOptions(maxRequestLineBytes, maxHeaderBytes, count, maxBodyBytes, headerReadTimeout,
                idleTimeout, maxConnectionsPerWorker, maxChunkExtensionBytes);
    }

    public HttpOptions withMaxBodyBytes(long bytes) {
        return new HttpOptions(maxRequestLineBytes, maxHeaderBytes, maxHeaderCount, bytes, headerReadTimeout,
                idleTimeout, maxConnectionsPerWorker, maxChunkExtensionBytes);
    }

    public HttpOptions withHeaderReadTimeout(Duration timeout) {
        return new HttpOptions(maxRequestLineBytes, maxHeaderBytes, maxHeaderCount, maxBodyBytes, timeout,
                idleTimeout, maxConnectionsPerWorker, maxChunkExtensionBytes);
    }

    public HttpOptions withIdleTimeout(Duration timeout) {
        return new HttpOptions(maxRequestLineBytes, maxHeaderBytes, maxHeaderCount, maxBodyBytes,
                headerReadTimeout, timeout, maxConnectionsPerWorker, maxChunkExtensionBytes);
    }

    public HttpOptions withMaxConnectionsPerWorker(int connections) {
        return new HttpOptions(maxRequestLineBytes, maxHeaderBytes, maxHeaderCount, maxBodyBytes,
                headerReadTimeout, idleTimeout, connections, maxChunkExtensionBytes);
    }

    public HttpOptions withMaxChunkExtensionBytes(int bytes) {
        return new HttpOptions(maxRequestLineBytes, maxHeaderBytes, maxHeaderCount, maxBodyBytes,
                headerReadTimeout, idleTimeout, maxConnectionsPerWorker, bytes);
    }

    private static void positive(int value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }

    private static void positive(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }
}
