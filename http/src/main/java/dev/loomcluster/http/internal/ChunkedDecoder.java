package dev.loomcluster.http.internal;

import java.nio.ByteBuffer;

/**
 * Decodes a chunked request body (RFC 9112 section 7.1) incrementally, on the worker's loop (one per
 * connection, reset per request). Strict: a chunk size is hex digits (no sign, no {@code 0x}, at most 16
 * digits); lines end with CRLF; a chunk extension is {@code *( BWS ";" BWS name [ BWS "=" BWS ( token /
 * quoted-string ) ] )}, so whitespace not followed by an extension, a {@code ;} without a name and an
 * unterminated quoted-string are errors; each chunk's extension may not pass its limit (413); trailer
 * fields are read and dropped within their limit (431). The body may not pass its limit (413).
 */
final class ChunkedDecoder {
    static final int NEED_MORE = -1;
    static final int DONE = 0;
    static final int ERROR = -2;

    /** Receives decoded body bytes: must consume exactly {@code length} bytes of {@code src}. */
    interface Sink {
        void body(ByteBuffer src, int length);
    }

    /** Where the decoder is in the body; each case of {@link #decode} moves to the next. */
    private enum State {
        /** Chunk-size hex digits. */
        SIZE,
        /** Whitespace after the size: only before a {@code ;}. */
        SIZE_WS,
        /** After a {@code ;}: optional whitespace, then an extension name. */
        EXT_NAME_START,
        EXT_NAME,
        /** Whitespace after a name: then {@code =} or {@code ;}. */
        EXT_NAME_WS,
        /** After {@code =}: optional whitespace, then a token or a quoted-string. */
        EXT_VALUE_START,
        EXT_TOKEN,
        EXT_QUOTED,
        /** After a backslash inside a quoted-string. */
        EXT_QUOTED_PAIR,
        /** Just after a quoted-string's closing quote: {@code ;}, whitespace or the line's end. */
        EXT_QUOTED_END,
        /** Whitespace after a value: only before a {@code ;} (the last of the extension states). */
        EXT_VALUE_END,
        SIZE_LF,
        DATA,
        DATA_CR,
        DATA_LF,
        TRAILER_LINE_START,
        TRAILER,
        TRAILER_LF,
        END_LF,
        FINISHED
    }

    // ---- immutable
    private final long maxBody;
    private final int maxTrailerBytes;
    private final int maxExtensionBytes;

    // ---- loop thread
    private State state = State.SIZE;
    private long chunkRemaining;
    private int sizeDigits;
    private long total;
    private int trailerBytes;
    private int extBytes;
    int errorStatus;
    String errorReason;

    ChunkedDecoder(long maxBody, int maxTrailerBytes, int maxExtensionBytes) {
        this.maxBody = maxBody;
        this.maxTrailerBytes = maxTrailerBytes;
        this.maxExtensionBytes = maxExtensionBytes;
    }

    void reset() {
        state = State.SIZE;
        chunkRemaining = 0;
        sizeDigits = 0;
        total = 0;
        trailerBytes = 0;
        extBytes = 0;
        errorStatus = 0;
        errorReason = null;
    }

    /** The sizes of the chunks begun so far, added up: the body's length once {@link #decode} is done. */
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
            if (state == State.DATA) {
                int n = (int) Math.min(chunkRemaining, src.remaining());
                int before = src.position();
                sink.body(src, n);
                if (src.position() != before + n) {
                    src.position(before + n);
                }
                chunkRemaining -= n;
                if (chunkRemaining == 0) {
                    state = State.DATA_CR;
                }
                continue;
            }
            int b = src.get();
            if (state.compareTo(State.SIZE_WS) >= 0 && state.compareTo(State.EXT_VALUE_END) <= 0
                    && ++extBytes > maxExtensionBytes) {
                return fail(413, "Chunk extension too large");
            }
            switch (state) {
                case SIZE -> {
                    int h = Ascii.hex(b);
                    if (h >= 0) {
                        if (++sizeDigits > 16 || (chunkRemaining >>> 59) != 0) {
                            return fail(400, "Chunk size too large");
                        }
                        chunkRemaining = (chunkRemaining << 4) | h;
                    } else if (sizeDigits == 0) {
                        return fail(400, "Invalid chunk size");
                    } else if (b == ';') {
                        state = State.EXT_NAME_START;
                    } else if (Ascii.isWhite(b)) {
                        state = State.SIZE_WS;
                    } else if (b == Ascii.CR) {
                        state = State.SIZE_LF;
                    } else {
                        return fail(400, "Invalid chunk size");
                    }
                }
                case SIZE_WS -> {
                    if (b == ';') {
                        state = State.EXT_NAME_START;
                    } else if (!Ascii.isWhite(b)) {
                        return fail(400, "Whitespace after the chunk size without an extension");
                    }
                }
                case EXT_NAME_START -> {
                    if (Ascii.isTchar(b)) {
                        state = State.EXT_NAME;
                    } else if (!Ascii.isWhite(b)) {
                        return fail(400, "Chunk extension without a name");
                    }
                }
                case EXT_NAME -> {
                    if (b == Ascii.CR) {
                        state = State.SIZE_LF;
                    } else if (b == ';') {
                        state = State.EXT_NAME_START;
                    } else if (b == '=') {
                        state = State.EXT_VALUE_START;
                    } else if (Ascii.isWhite(b)) {
                        state = State.EXT_NAME_WS;
                    } else if (!Ascii.isTchar(b)) {
                        return fail(400, "Invalid chunk extension");
                    }
                }
                case EXT_NAME_WS -> {
                    if (b == ';') {
                        state = State.EXT_NAME_START;
                    } else if (b == '=') {
                        state = State.EXT_VALUE_START;
                    } else if (!Ascii.isWhite(b)) {
                        return fail(400, "Invalid chunk extension");
                    }
                }
                case EXT_VALUE_START -> {
                    if (b == '"') {
                        state = State.EXT_QUOTED;
                    } else if (Ascii.isTchar(b)) {
                        state = State.EXT_TOKEN;
                    } else if (!Ascii.isWhite(b)) {
                        return fail(400, "Chunk extension without a value");
                    }
                }
                case EXT_TOKEN -> {
                    if (b == Ascii.CR) {
                        state = State.SIZE_LF;
                    } else if (b == ';') {
                        state = State.EXT_NAME_START;
                    } else if (Ascii.isWhite(b)) {
                        state = State.EXT_VALUE_END;
                    } else if (!Ascii.isTchar(b)) {
                        return fail(400, "Invalid chunk extension value");
                    }
                }
                case EXT_QUOTED -> {
                    if (b == '"') {
                        state = State.EXT_QUOTED_END;
                    } else if (b == '\\') {
                        state = State.EXT_QUOTED_PAIR;
                    } else if (!Ascii.isFieldValue(b)) {
                        return fail(400, b == Ascii.CR ? "Unterminated quoted-string in a chunk extension"
                                : "Invalid character in a chunk extension");
                    }
                }
                case EXT_QUOTED_PAIR -> {
                    if (!Ascii.isFieldValue(b)) {
                        return fail(400, "Invalid quoted-pair in a chunk extension");
                    }
                    state = State.EXT_QUOTED;
                }
                case EXT_QUOTED_END -> {
                    if (b == ';') {
                        state = State.EXT_NAME_START;
                    } else if (b == Ascii.CR) {
                        state = State.SIZE_LF;
                    } else if (Ascii.isWhite(b)) {
                        state = State.EXT_VALUE_END;
                    } else {
                        return fail(400, "Invalid chunk extension");
                    }
                }
                case EXT_VALUE_END -> {
                    if (b == ';') {
                        state = State.EXT_NAME_START;
                    } else if (!Ascii.isWhite(b)) {
                        return fail(400, "Whitespace after a chunk extension without another one");
                    }
                }
                case SIZE_LF -> {
                    if (b != Ascii.LF) {
                        return fail(400, "Bare CR in chunk size line");
                    }
                    if (chunkRemaining > maxBody - total) {
                        return fail(413, "Content too large");
                    }
                    total += chunkRemaining;
                    sizeDigits = 0;
                    extBytes = 0;
                    state = chunkRemaining == 0 ? State.TRAILER_LINE_START : State.DATA;
                }
                case DATA_CR -> {
                    if (b != Ascii.CR) {
                        return fail(400, "Missing CRLF after chunk data");
                    }
                    state = State.DATA_LF;
                }
                case DATA_LF -> {
                    if (b != Ascii.LF) {
                        return fail(400, "Missing CRLF after chunk data");
                    }
                    state = State.SIZE;
                }
                case TRAILER_LINE_START -> {
                    if (b == Ascii.CR) {
                        state = State.END_LF;
                    } else if (Ascii.isTchar(b)) {
                        state = State.TRAILER;
                        if (++trailerBytes > maxTrailerBytes) {
                            return fail(431, "Trailer section too large");
                        }
                    } else {
                        return fail(400, "Invalid trailer field");
                    }
                }
                case TRAILER -> {
                    if (++trailerBytes > maxTrailerBytes) {
                        return fail(431, "Trailer section too large");
                    }
                    if (b == Ascii.CR) {
                        state = State.TRAILER_LF;
                    } else if (!Ascii.isFieldValue(b)) {
                        return fail(400, "Invalid trailer field");
                    }
                }
                case TRAILER_LF -> {
                    if (b != Ascii.LF) {
                        return fail(400, "Bare CR in trailer");
                    }
                    state = State.TRAILER_LINE_START;
                }
                case END_LF -> {
                    if (b != Ascii.LF) {
                        return fail(400, "Bare CR after last chunk");
                    }
                    state = State.FINISHED;
                    return DONE;
                }
                case DATA, FINISHED -> {
                    src.position(src.position() - 1); // not consumed: the body ended before this byte
                    return DONE;
                }
            }
        }
        return state == State.FINISHED ? DONE : NEED_MORE;
    }

    private int fail(int status, String reason) {
        errorStatus = status;
        errorReason = reason;
        return ERROR;
    }
}
