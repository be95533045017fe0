package dev.loomcluster.http.internal;

import java.nio.ByteBuffer;

/**
 * Decodes a chunked request body (RFC 9112 section 7.1) incrementally, on the worker's loop. Strict:
 * a chunk size must be hex digits (no sign, no {@code 0x}, at most 16 digits), lines end with CRLF,
 * chunk extensions and trailer lines may not hold control characters; trailer fields are read and
 * dropped. The body may not pass a limit (413).
 */
final class ChunkedDecoder {
    static final int NEED_MORE = -1;
    static final int DONE = 0;
    static final int ERROR = -2;

    /** Receives decoded body bytes: must consume exactly {@code length} bytes of {@code src}. */
    interface Sink {
        void body(ByteBuffer src, int length);
    }

    private static final int SIZE = 0;
    private static final int EXT = 1;
    private static final int SIZE_LF = 2;
    private static final int DATA = 3;
    private static final int DATA_CR = 4;
    private static final int DATA_LF = 5;
    private static final int TRAILER_LINE_START = 6;
    private static final int TRAILER = 7;
    private static final int TRAILER_LF = 8;
    private static final int END_LF = 9;
    private static final int FINISHED = 10;
    private static final int SIZE_WS = 11;

    private final long maxBody;
    private final int maxTrailerBytes;
    private int state;
    private long chunkRemaining;
    private int sizeDigits;
    private long total;
    private int trailerBytes;
    private int extBytes;
    int errorStatus;
    String errorReason;

    ChunkedDecoder(long maxBody, int maxTrailerBytes) {
        this.maxBody = maxBody;
        this.maxTrailerBytes = maxTrailerBytes;
    }

    void reset() {
        state = SIZE;
        chunkRemaining = 0;
        sizeDigits = 0;
        total = 0;
        trailerBytes = 0;
        extBytes = 0;
        errorStatus = 0;
        errorReason = null;
    }

    /** Body bytes decoded so far. */
    long total() {
        return total;
    }

    /**
     * Decodes from {@code src}'s position, handing body bytes to {@code sink}.
     *
     * @return {@link #DONE} once the last chunk and trailers are read ({@code src} is left just past
     *         them), {@link #NEED_MORE} when {@code src} is used up, or {@link #ERROR}
     */
    int decode(ByteBuffer src, Sink sink) {
        while (src.hasRemaining()) {
            switch (state) {
                case DATA -> {
                    int n = (int) Math.min(chunkRemaining, src.remaining());
                    int before = src.position();
                    sink.body(src, n);
                    if (src.position() != before + n) {
                        src.position(before + n);
                    }
                    chunkRemaining -= n;
                    if (chunkRemaining == 0) {
                        state = DATA_CR;
                    }
                }
                case SIZE -> {
                    int b = src.get();
                    int h = Ascii.hex(b);
                    if (h >= 0) {
                        if (++sizeDigits > 16 || (chunkRemaining >>> 59) != 0) {
                            return fail(400, "Chunk size too large");
                        }
                        chunkRemaining = (chunkRemaining << 4) | h;
                    } else if (sizeDigits == 0) {
                        return fail(400, "Invalid chunk size");
                    } else if (b == ';') {
                        state = EXT;
                    } else if (Ascii.isWhite(b)) {
                        state = SIZE_WS;
                    } else if (b == Ascii.CR) {
                        state = SIZE_LF;
                    } else {
                        return fail(400, "Invalid chunk size");
                    }
                }
                case SIZE_WS -> {
                    int b = src.get();
                    if (b == ';') {
                        state = EXT;
                    } else if (b == Ascii.CR) {
                        state = SIZE_LF;
                    } else if (!Ascii.isWhite(b) || ++extBytes > 4096) {
                        return fail(400, "Invalid chunk size");
                    }
                }
                case EXT -> {
                    int b = src.get();
                    if (b == Ascii.CR) {
                        state = SIZE_LF;
                    } else if ((!Ascii.isFieldValue(b)) || ++extBytes > 4096) {
                        return fail(400, "Invalid chunk extension");
                    }
                }
                case SIZE_LF -> {
                    if (src.get() != Ascii.LF) {
                        return fail(400, "Bare CR in chunk size line");
                    }
                    if (chunkRemaining > maxBody - total) {
                        return fail(413, "Content too large");
                    }
                    total += chunkRemaining;
                    sizeDigits = 0;
                    extBytes = 0;
                    state = chunkRemaining == 0 ? TRAILER_LINE_START : DATA;
                }
                case DATA_CR -> {
                    if (src.get() != Ascii.CR) {
                        return fail(400, "Missing CRLF after chunk data");
                    }
                    state = DATA_LF;
                }
                case DATA_LF -> {
                    if (src.get() != Ascii.LF) {
                        return fail(400, "Missing CRLF after chunk data");
                    }
                    state = SIZE;
                }
                case TRAILER_LINE_START -> {
                    int b = src.get();
                    if (b == Ascii.CR) {
                        state = END_LF;
                    } else if (Ascii.isTchar(b)) {
                        state = TRAILER;
                        if (++trailerBytes > maxTrailerBytes) {
                            return fail(431, "Trailer section too large");
                        }
                    } else {
                        return fail(400, "Invalid trailer field");
                    }
                }
                case TRAILER -> {
                    int b = src.get();
                    if (++trailerBytes > maxTrailerBytes) {
                        return fail(431, "Trailer section too large");
                    }
                    if (b == Ascii.CR) {
                        state = TRAILER_LF;
                    } else if (!Ascii.isFieldValue(b)) {
                        return fail(400, "Invalid trailer field");
                    }
                }
                case TRAILER_LF -> {
                    if (src.get() != Ascii.LF) {
                        return fail(400, "Bare CR in trailer");
                    }
                    state = TRAILER_LINE_START;
                }
                case END_LF -> {
                    if (src.get() != Ascii.LF) {
                        return fail(400, "Bare CR after last chunk");
                    }
                    state = FINISHED;
                    return DONE;
                }
                default -> {
                    return DONE;
                }
            }
        }
        return state == FINISHED ? DONE : NEED_MORE;
    }

    private int fail(int status, String reason) {
        errorStatus = status;
        errorReason = reason;
        return ERROR;
    }
}
