package dev.loomcluster.internal.message;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.Arrays;

/**
 * The inbound side of one channel: accumulates what {@link #readFrom} reads and yields the complete frames
 * {@code [u32 length][u8 kind][payload]} one by one through {@link #next}. A frame's declared length is
 * checked against {@link WireLimits#maxFrameBytes()} as soon as its 4 bytes are in, before any buffer is
 * grown for it, so the buffer never exceeds the larger of {@value #INITIAL_CAPACITY} bytes and
 * {@code maxFrameBytes + 4}; it drops back to {@value #INITIAL_CAPACITY} bytes when it empties after
 * growing beyond {@value #RETAINED_CAPACITY}. Bytes that end inside a frame are an error once the channel
 * reports its end. After a {@link WireFormatException} the decoder is failed and the channel must be closed.
 *
 * <p>Use: {@code n = readFrom(ch); while (next()) handle(kind(), payload()); if (n < 0) close}. Call
 * {@link #next} until it returns false before reading again.
 *
 * <p>Threads: confined to the thread that owns the channel (its loop), one call at a time; not thread-safe.
 */
public final class FrameDecoder {

    private static final int INITIAL_CAPACITY = 16 * 1024;
    private static final int RETAINED_CAPACITY = 1 << 20;

    private enum State { OPEN, END_OF_INPUT, FAILED }

    // ---- immutable
    private final int maxFrameBytes;

    // ---- owning thread
    /** Bytes {@code [start, end)} of {@code buf} are read and not yet yielded. */
    private byte[] buf;
    private ByteBuffer readView;
    private ByteBuffer payloadView;
    private int start;
    private int end;
    private State state = State.OPEN;
    /** Stream offset of {@code buf[start]}, for error messages. */
    private long consumed;
    private byte kind;

    private FrameDecoder(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
        allocate(Math.min(INITIAL_CAPACITY, maxFrameBytes + 4));
    }

    /** An empty decoder that refuses frames over {@code limits.maxFrameBytes()}. */
    public static FrameDecoder create(WireLimits limits) {
        return new FrameDecoder(limits.maxFrameBytes());
    }

    /**
     * Reads once from {@code channel} into the buffer; invalidates the last {@link #payload()}.
     *
     * @return the bytes read, 0 if none were available, -1 at the end of input
     * @throws IllegalStateException if a complete frame is still buffered and there is no room, or the
     *                               decoder has failed
     */
    public int readFrom(ReadableByteChannel channel) throws IOException {
        switch (state) {
            case FAILED -> throw new IllegalStateException("decoder failed; close the channel");
            case END_OF_INPUT -> {
                return -1;
            }
            case OPEN -> { }
        }
        if (start == end) {
            start = end = 0;
            if (buf.length > RETAINED_CAPACITY) {
                allocate(INITIAL_CAPACITY);
            }
        } else if (start > 0) {
            System.arraycopy(buf, start, buf, 0, end - start);
            end -= start;
            start = 0;
        }
        if (end == buf.length) {
            throw new IllegalStateException("buffer full of complete frames: call next() until it returns false");
        }
        readView.limit(buf.length).position(end);
        int n = channel.read(readView);
        if (n < 0) {
            state = State.END_OF_INPUT;
        } else {
            end += n;
        }
        return n;
    }

    /**
     * Moves to the next complete frame, if one is buffered.
     *
     * @return true if {@link #kind()} and {@link #payload()} now describe the next frame
     * @throws WireFormatException if the next frame declares a length outside {@code [1, maxFrameBytes]}, or
     *                             the input ended inside a frame
     */
    public boolean next() throws WireFormatException {
        if (state == State.FAILED) {
            throw new IllegalStateException("decoder failed; close the channel");
        }
        int available = end - start;
        if (available >= 4) {
            int length = ((buf[start] & 0xFF) << 24) | ((buf[start + 1] & 0xFF) << 16)
                    | ((buf[start + 2] & 0xFF) << 8) | (buf[start + 3] & 0xFF);
            if (length < 1 || length > maxFrameBytes) {
                throw fail("frame of " + Integer.toUnsignedString(length) + " bytes "
                        + (length == 0 ? "has no kind byte" : "exceeds maxFrameBytes " + maxFrameBytes));
            }
            if (available - 4 >= length) {
                kind = buf[start + 4];
                payloadView.clear().position(start + FrameWriter.HEADER_BYTES).limit(start + 4 + length);
                start += 4 + length;
                consumed += 4 + length;
                return true;
            }
            if (state == State.END_OF_INPUT) {
                throw fail("truncated frame at end of input: " + available + " of its " + (4L + length) + " bytes");
            }
            if (buf.length < 4 + length) {
                byte[] bigger = new byte[(int) Math.min(maxFrameBytes + 4L, Math.max(4L + length, 2L * buf.length))];
                System.arraycopy(buf, start, bigger, 0, available);
                end = available;
                start = 0;
                buf = bigger;
                readView = ByteBuffer.wrap(buf);
                payloadView = ByteBuffer.wrap(buf);
            }
        } else if (state == State.END_OF_INPUT && available > 0) {
            throw fail("truncated frame at end of input: " + available + " bytes of its 4-byte length");
        }
        return false;
    }

    /** The kind byte of the frame {@link #next} moved to. */
    public byte kind() {
        return kind;
    }

    /**
     * The payload of the frame {@link #next} moved to, as a view of the decoder's buffer from position to
     * limit; valid until the next call to {@link #readFrom}. Read it, do not keep it.
     */
    public ByteBuffer payload() {
        return payloadView;
    }

    /** Bytes buffered and not yet yielded as frames. */
    public int bufferedBytes() {
        return end - start;
    }

    /** Current buffer size, for tests of the bound. */
    int capacity() {
        return buf.length;
    }

    private void allocate(int capacity) {
        buf = new byte[capacity];
        readView = ByteBuffer.wrap(buf);
        payloadView = ByteBuffer.wrap(buf);
    }

    private WireFormatException fail(String problem) {
        state = State.FAILED;
        return new WireFormatException(problem + " (at stream offset " + consumed + ")");
    }
}
