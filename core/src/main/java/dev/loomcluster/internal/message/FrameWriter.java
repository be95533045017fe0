package dev.loomcluster.internal.message;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;

/**
 * The outbound side of one channel: {@link #append} encodes a message as a frame
 * {@code [u32 length][u8 kind][payload]} (length counts the kind byte and the payload) at the end of one
 * growable byte buffer that holds every frame not yet written, in order; {@link #writeTo} writes as much of
 * it as a non-blocking channel takes. Frames are encoded in place (no buffer per frame, small frames leave
 * in one {@code write}); the buffer is compacted when its written prefix is at least half of it and drops
 * back to {@value #INITIAL_CAPACITY} bytes when it empties after growing beyond {@value #RETAINED_CAPACITY}.
 * The writer does not bound {@link #pendingBytes()}: whoever owns the channel decides when to stop appending.
 *
 * <p>Threads: confined to the thread that owns the channel (its loop), one call at a time; not thread-safe.
 */
public final class FrameWriter {

    /** Length field plus kind byte. */
    static final int HEADER_BYTES = 5;
    private static final int INITIAL_CAPACITY = 4096;
    private static final int RETAINED_CAPACITY = 1 << 20;
    private static final int MAX_CLASSES = 65535;
    private static final int MAX_CAPACITY = Integer.MAX_VALUE - 16;

    // ---- immutable
    private final WireCodec codec;
    private final int maxFrameBytes;
    private final int maxElements;

    // ---- owning thread
    /** Bytes {@code [sent, end)} are frames not yet written; {@code view} wraps {@code buf}, limit = capacity. */
    private byte[] buf;
    private ByteBuffer view;
    private int sent;
    private int end;
    /** Start of the frame being encoded, its element count and class table. */
    private int frameStart;
    private int elements;
    private Class<?>[] classes = new Class<?>[8];
    private int classCount;

    FrameWriter(WireCodec codec, int initialCapacity) {
        this.codec = codec;
        this.maxFrameBytes = codec.limits().maxFrameBytes();
        this.maxElements = codec.limits().maxElements();
        this.buf = new byte[initialCapacity];
        this.view = ByteBuffer.wrap(buf);
    }

    /** A writer encoding with {@code codec}, empty. */
    public static FrameWriter create(WireCodec codec) {
        return new FrameWriter(codec, INITIAL_CAPACITY);
    }

    /**
     * Appends a frame of {@code kind} carrying {@code message}. If the message is refused nothing is appended.
     *
     * @param kind    an opaque byte for the receiver ({@link FrameDecoder#kind()})
     * @throws IllegalArgumentException if a part of the message is not of an allowed type or it breaks a
     *                                  {@link WireLimits} bound (the message names which)
     */
    public void append(byte kind, Object message) {
        if (sent == end) {
            sent = end = 0;
        } else if (sent >= buf.length >>> 1) {
            System.arraycopy(buf, sent, buf, 0, end - sent);
            end -= sent;
            sent = 0;
        }
        frameStart = end;
        elements = 0;
        boolean appended = false;
        try {
            ensure(HEADER_BYTES);
            buf[end + 4] = kind;
            end += HEADER_BYTES;
            codec.encodeMessage(this, message);
            view.putInt(frameStart, end - frameStart - 4);
            appended = true;
        } finally {
            if (!appended) {
                end = frameStart;
            }
            Arrays.fill(classes, 0, classCount, null);
            classCount = 0;
        }
    }

    /** Bytes appended and not yet written. */
    public int pendingBytes() {
        return end - sent;
    }

    /**
     * Writes pending frames until all are written or the channel takes no more.
     *
     * @return true if nothing is pending any more
     */
    public boolean writeTo(WritableByteChannel channel) throws IOException {
        if (sent < end) {
            view.limit(end).position(sent);
            try {
                while (view.hasRemaining() && channel.write(view) > 0) {
                    // a non-blocking channel returns 0 when its send buffer is full
                }
            } finally {
                sent = view.position();
                view.clear();
            }
            if (sent < end) {
                return false;
            }
        }
        sent = end = 0;
        if (buf.length > RETAINED_CAPACITY) {
            buf = new byte[INITIAL_CAPACITY];
            view = ByteBuffer.wrap(buf);
        }
        return true;
    }

    /** The payload of the one frame this writer holds; for {@link WireCodec#encode}. */
    byte[] payloadOfOnlyFrame() {
        return Arrays.copyOfRange(buf, sent + HEADER_BYTES, end);
    }

    // ---- encoding primitives, used by WireCodec while append runs

    /** Makes room for {@code n} more bytes of the current frame, refusing a frame over maxFrameBytes. */
    private void ensure(long n) {
        long frameBytes = end + n - frameStart - 4;
        if (frameBytes > maxFrameBytes) {
            throw new IllegalArgumentException("frame of at least " + frameBytes + " bytes exceeds maxFrameBytes "
                    + maxFrameBytes);
        }
        long needed = end + n;
        if (needed > buf.length) {
            if (needed > MAX_CAPACITY) {
                throw new IllegalStateException("outbound buffer full: " + pendingBytes() + " bytes pending");
            }
            buf = Arrays.copyOf(buf, (int) Math.min(MAX_CAPACITY, Math.max(needed, 2L * buf.length)));
            view = ByteBuffer.wrap(buf);
        }
    }

    FrameWriter put(byte b) {
        ensure(1);
        buf[end++] = b;
        return this;
    }

    FrameWriter putShort(int v) {
        ensure(2);
        view.putShort(end, (short) v);
        end += 2;
        return this;
    }

    FrameWriter putInt(int v) {
        ensure(4);
        view.putInt(end, v);
        end += 4;
        return this;
    }

    FrameWriter putLong(long v) {
        ensure(8);
        view.putLong(end, v);
        end += 8;
        return this;
    }

    FrameWriter putBytes(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, end, bytes.length);
        end += bytes.length;
        return this;
    }

    /** Reserves an int to be {@linkplain #patchInt patched} once known; returns its index. */
    int reserveInt() {
        ensure(4);
        end += 4;
        return end - 4;
    }

    void patchInt(int index, int v) {
        view.putInt(index, v);
    }

    void countElement() {
        if (++elements > maxElements) {
            throw new IllegalArgumentException("message has more than maxElements " + maxElements + " elements");
        }
    }

    /** A string value: Latin-1 if every char fits in a byte, else UTF-16 chars. */
    void putString(String s) {
        int n = s.length();
        ensure(5L + n);
        int start = end;
        buf[start] = WireCodec.STRING_LATIN1;
        view.putInt(start + 1, n);
        int p = start + 5;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c > 0xFF) {
                putUtf16(s);
                return;
            }
            buf[p + i] = (byte) c;
        }
        end = p + n;
    }

    private void putUtf16(String s) {
        int n = s.length();
        ensure(5L + 2L * n);
        buf[end] = WireCodec.STRING_UTF16;
        view.putInt(end + 1, n);
        int p = end + 5;
        for (int i = 0; i < n; i++, p += 2) {
            view.putChar(p, s.charAt(i));
        }
        end = p;
    }

    /** A class reference: its index in this frame's table, followed by its name the first time. */
    void putClass(Class<?> type) {
        for (int i = 0; i < classCount; i++) {
            if (classes[i] == type) {
                putShort(i);
                return;
            }
        }
        if (classCount == MAX_CLASSES) {
            throw new IllegalArgumentException("message names more than " + MAX_CLASSES + " record and enum classes");
        }
        if (classCount == classes.length) {
            classes = Arrays.copyOf(classes, classCount * 2);
        }
        classes[classCount] = type;
        putShort(classCount++);
        putString(type.getName());
    }
}
