package dev.loomcluster.http.internal;

import dev.loomcluster.http.HttpOptions;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The request body of the exchange in flight, as it comes off the connection: framed by
 * {@code Content-Length} or chunked (through a {@link ChunkedDecoder}), and delivered to one of three
 * places: a buffer the exchange reads once the body is complete (handlers on the loop), a
 * {@link StreamingBody} the exchange reads while it arrives (handlers on an executor; reading pauses
 * while it holds too much), or nowhere (the exchange ended or closed its body early: the rest is read
 * and dropped, up to {@link #MAX_DISCARD}). One per connection, reused; loop thread only.
 */
final class RequestBodySource {
    /** What {@link #read} did. */
    enum Progress {
        /** All of {@code buf} was body; more is to come. */
        MORE,
        /** The body ended; {@code buf} is left just past it. */
        DONE,
        /** The body is malformed or over a limit: {@link #error()} says how. */
        INVALID,
        /** More than {@link #MAX_DISCARD} bytes were dropped: close rather than read on. */
        DISCARDED_TOO_MUCH
    }

    /** Body bytes dropped after the exchange ended before the connection is closed instead. */
    private static final long MAX_DISCARD = 1024 * 1024;
    /** Body buffers up to this size are kept for the next request; bigger ones are dropped. */
    private static final int KEEP = 64 * 1024;
    private static final byte[] NONE = new byte[0];

    // ---- immutable
    private final HttpOptions options;
    private final Transport transport;
    private final ChunkedDecoder.Sink sink = this::deliver;
    private final BufferedBody buffered = new BufferedBody();

    // ---- loop thread
    private ChunkedDecoder decoder;
    private boolean chunked;
    private long remaining;
    private byte[] body = NONE;
    private int length;
    private StreamingBody pipe;
    private boolean discarding;
    private long discarded;
    private ParseResult.Reject error;

    RequestBodySource(HttpOptions options, Transport transport) {
        this.options = options;
        this.transport = transport;
    }

    /** An empty body, for a request that has none. */
    InputStream none() {
        buffered.reset(body, 0);
        return buffered;
    }

    /**
     * Starts the body of {@code head}: into {@code streamTo} if given, else buffered until complete.
     */
    void begin(RequestHead head, StreamingBody streamTo) {
        chunked = head.chunked;
        remaining = Math.max(0, head.contentLength);
        pipe = streamTo;
        discarding = false;
        discarded = 0;
        error = null;
        length = 0;
        if (chunked) {
            if (decoder == null) {
                decoder = new ChunkedDecoder(options.maxBodyBytes(), options.maxHeaderBytes(),
                        options.maxChunkExtensionBytes());
            }
            decoder.reset();
        } else if (streamTo == null && body.length < remaining) {
            body = new byte[(int) Math.min(remaining, Integer.MAX_VALUE - 8)];
        }
    }

    /** Reads body bytes from {@code buf}. Loop. */
    Progress read(ByteBuffer buf) {
        Progress p;
        if (chunked) {
            int r = decoder.decode(buf, sink);
            if (r == ChunkedDecoder.ERROR) {
                error = new ParseResult.Reject(decoder.errorStatus, decoder.errorReason);
                p = Progress.INVALID;
            } else {
                p = r == ChunkedDecoder.DONE ? Progress.DONE : Progress.MORE;
            }
        } else {
            int n = (int) Math.min(remaining, buf.remaining());
            deliver(buf, n);
            remaining -= n;
            p = remaining == 0 ? Progress.DONE : Progress.MORE;
        }
        return discarded > MAX_DISCARD ? Progress.DISCARDED_TOO_MUCH : p;
    }

    private void deliver(ByteBuffer src, int n) {
        if (discarding) {
            src.position(src.position() + n);
            discarded += n;
        } else if (pipe != null) {
            if (pipe.offer(src, n) > StreamingBody.HIGH_WATER) {
                transport.pauseReading();
            }
        } else {
            if (body.length - length < n) {
                long want = Math.max((long) body.length * 2, (long) length + n);
                body = Arrays.copyOf(body, (int) Math.min(want, Integer.MAX_VALUE - 8));
            }
            src.get(body, length, n);
            length += n;
        }
    }

    /** Why the body was {@link Progress#INVALID}. */
    ParseResult.Reject error() {
        return error;
    }

    /** The whole body, once {@link #read} said {@link Progress#DONE} (buffered mode). */
    InputStream received() {
        buffered.reset(body, length);
        return buffered;
    }

    /** Whether {@code p} is the stream this body is delivered to. */
    boolean streamsTo(StreamingBody p) {
        return pipe != null && pipe == p;
    }

    /** The streamed body ended: its reader sees end of stream. */
    void endStream() {
        if (pipe != null) {
            pipe.end();
            pipe = null;
        }
    }

    /** The streamed body will not complete: its reader gets {@code e}. */
    void failStream(IOException e) {
        StreamingBody p = pipe;
        pipe = null;
        if (p != null) {
            p.fail(e);
        }
    }

    /** Drops the rest of the body as it comes (the exchange ended, or its reader closed the body). */
    void discardRest() {
        discarding = true;
        pipe = null;
    }

    /** The exchange is over: let go of a big buffer rather than hold it for the life of the connection. */
    void release() {
        if (body.length > KEEP) {
            body = NONE;
        }
        pipe = null;
        discarding = false;
    }
}
