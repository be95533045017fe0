package dev.loomcluster.http.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The response body of one exchange, framed as {@code sendResponseHeaders} chose: fixed length, chunked,
 * none, or (HTTP/1.0) until the connection closes. Used by the handler's thread, whichever it is, one
 * call at a time.
 *
 * <p>On the loop, bytes are staged in the connection's output buffer, which is written once the current
 * read is handled (so pipelined responses share one write) or at the end of the call when the loop is
 * not handling a read. Off the loop, bytes are staged in a buffer of the connection's and handed to the
 * loop (copied) when it fills, on {@link #flush()} and on {@link #close()}; the writer then waits while
 * too much is queued on the socket. A chunk is emitted per staged buffer, not per {@code write}.
 */
final class ResponseStream extends OutputStream {
    static final int NONE = 0;
    static final int FIXED = 1;
    static final int CHUNKED = 2;
    static final int UNTIL_CLOSE = 3;
    /** A HEAD response: ended at once; body bytes the handler writes anyway are dropped (as Node does). */
    static final int DISCARD = 4;
    /** Room for a chunk-size line: six hex digits and CRLF (leading zeros are valid). */
    private static final int CHUNK_HEADER = 8;
    private static final byte[] LAST_CHUNK = {'0', '\r', '\n', '\r', '\n'};
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);

    // ---- immutable
    private final ExchangeImpl exchange;
    private final Outbound outbound;

    // ---- the handler's thread
    private int mode = -1;
    private long remaining;
    private boolean closed;
    /** Off-loop staging in use (bytes not handed to the loop yet). */
    private ByteBuffer offStage;
    /** Where the open chunk's size line starts in the stage it was opened in, or -1. */
    private int chunkStart = -1;
    private boolean chunkOnLoop;
    private final byte[] one = new byte[1];

    ResponseStream(ExchangeImpl exchange, Outbound outbound) {
        this.exchange = exchange;
        this.outbound = outbound;
    }

    /** Ready for a new exchange (the connection reuses streams with their exchange). */
    void reset() {
        mode = -1;
        remaining = 0;
        closed = false;
        offStage = null;
        chunkStart = -1;
    }

    /** Sets the framing once the head is staged. */
    void begin(int mode, long length) {
        this.mode = mode;
        this.remaining = length;
    }

    /**
     * A buffer with room for {@code need} bytes on the calling thread's side, after moving any bytes the
     * other side staged. For the head, which goes first.
     */
    ByteBuffer stage(int need) throws IOException {
        if (outbound.onLoop()) {
            pushOffLoopFromLoop();
            return outbound.loopStage(need);
        }
        ByteBuffer s = offStage;
        if (s == null) {
            s = offStage = outbound.offLoopStage(need);
            s.clear();
        } else if (s.remaining() < need) {
            pushOff();
            if (s.capacity() < need) {
                s = offStage = outbound.offLoopStage(need);
                s.clear();
            }
        }
        return s;
    }

    /** After staging on the loop outside a read: write now, so nothing waits behind a later hand-off. */
    void afterLoopOp() {
        if (outbound.onLoop() && !outbound.batching()) {
            outbound.flush();
        }
    }

    @Override
    public void write(int b) throws IOException {
        one[0] = (byte) b;
        write(one, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (mode == DISCARD) {
            return;
        }
        if (closed) {
            throw new IOException("stream is closed");
        }
        if (mode < 0) {
            throw new IOException("response headers not sent yet");
        }
        if (len == 0) {
            return;
        }
        switch (mode) {
            case NONE -> throw new IOException("too many bytes to write to stream: the response has no body");
            case FIXED -> {
                if (len > remaining) {
                    throw new IOException("too many bytes to write to stream");
                }
                remaining -= len;
                put(b, off, len);
            }
            case CHUNKED -> putChunked(b, off, len);
            default -> put(b, off, len);
        }
        afterLoopOp();
    }

    private void put(byte[] b, int off, int len) throws IOException {
        if (len <= HttpConnectionLimits.DIRECT_WRITE) {
            stage(len).put(b, off, len);
        } else {
            pushAll();
            direct(ByteBuffer.wrap(b, off, len));
        }
    }

    private void putChunked(byte[] b, int off, int len) throws IOException {
        boolean loop = outbound.onLoop();
        if (chunkStart >= 0 && chunkOnLoop == loop) {
            ByteBuffer s = loop ? outbound.loopStage(0) : offStage;
            if (s.remaining() >= len + 2) {
                s.put(b, off, len);
                return;
            }
        }
        closeChunk();
        if (len + CHUNK_HEADER + 2 <= HttpConnectionLimits.DIRECT_WRITE) {
            ByteBuffer s = stage(len + CHUNK_HEADER + 2);
            chunkStart = s.position();
            chunkOnLoop = loop;
            if (loop) {
                outbound.chunkOpened(this);
            }
            s.position(chunkStart + CHUNK_HEADER);
            s.put(b, off, len);
        } else {
            pushAll();
            byte[] head = (Integer.toHexString(len) + "\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            direct(ByteBuffer.wrap(head));
            direct(ByteBuffer.wrap(b, off, len));
            direct(ByteBuffer.wrap(LAST_CHUNK, 1, 2));
        }
    }

    /** Writes the size line of the open chunk and its CRLF (or drops an empty one). */
    void closeChunk() {
        if (chunkStart < 0) {
            return;
        }
        if (chunkOnLoop) {
            outbound.chunkClosed(this);
        }
        ByteBuffer s = chunkOnLoop ? outbound.loopStage(0) : offStage;
        int size = s.position() - chunkStart - CHUNK_HEADER;
        if (size == 0) {
            s.position(chunkStart);
        } else {
            for (int i = 5; i >= 0; i--) {
                s.put(chunkStart + i, HEX[size & 0xF]);
                size >>>= 4;
            }
            s.put(chunkStart + 6, (byte) '\r');
            s.put(chunkStart + 7, (byte) '\n');
            s.put((byte) '\r').put((byte) '\n');
        }
        chunkStart = -1;
    }

    /** Hands every staged byte on (both sides), keeping order. */
    private void pushAll() throws IOException {
        closeChunk();
        if (outbound.onLoop()) {
            pushOffLoopFromLoop();
            outbound.flush();
        } else {
            pushOff();
        }
    }

    private void pushOff() throws IOException {
        if (chunkStart >= 0 && !chunkOnLoop) {
            closeChunk();
        }
        ByteBuffer s = offStage;
        if (s != null && s.position() > 0) {
            s.flip();
            try {
                outbound.writeOffLoop(s);
            } finally {
                s.clear();
            }
        }
    }

    private void pushOffLoopFromLoop() {
        ByteBuffer s = offStage;
        if (s != null && s.position() > 0) {
            if (chunkStart >= 0 && !chunkOnLoop) {
                closeChunk();
            }
            outbound.flush();
            s.flip();
            outbound.writeNow(s);
            s.clear();
        }
    }

    private void direct(ByteBuffer data) throws IOException {
        if (outbound.onLoop()) {
            outbound.writeNow(data);
        } else {
            outbound.writeOffLoop(data);
        }
    }

    @Override
    public void flush() throws IOException {
        if (closed || mode < 0) {
            return;
        }
        pushAll();
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        if (mode < 0) {
            throw new IOException("response headers not sent yet");
        }
        closed = true;
        IOException error = null;
        if (mode == FIXED && remaining > 0) {
            exchange.markClose();
            error = new IOException("insufficient bytes written to stream");
        } else if (mode == CHUNKED) {
            closeChunk();
            stage(LAST_CHUNK.length).put(LAST_CHUNK);
        } else if (mode == UNTIL_CLOSE) {
            exchange.markClose();
        }
        // Every mode, DISCARD (HEAD) included, hands on what is staged: off the loop that is the head itself.
        try {
            if (outbound.onLoop()) {
                pushOffLoopFromLoop();
                afterLoopOp();
            } else {
                pushOff();
            }
        } finally {
            exchange.responseFinished();
        }
        if (error != null) {
            throw error;
        }
    }

    boolean isClosed() {
        return closed;
    }
}
