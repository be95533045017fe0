package dev.loomcluster.http.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * A request body received whole before the exchange was dispatched (handlers on the loop): an
 * InputStream over the connection's body array, reused from request to request. Read by the handler's
 * thread while the exchange lasts.
 */
final class BufferedBody extends InputStream {
    private byte[] bytes;
    private int pos;
    private int length;
    private boolean closed;

    void reset(byte[] bytes, int length) {
        this.bytes = bytes;
        this.length = length;
        this.pos = 0;
        this.closed = false;
    }

    @Override
    public int read() throws IOException {
        check();
        return pos < length ? bytes[pos++] & 0xFF : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        check();
        if (len == 0) {
            return 0;
        }
        int n = Math.min(len, length - pos);
        if (n <= 0) {
            return -1;
        }
        System.arraycopy(bytes, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        check();
        int k = (int) Math.max(0, Math.min(n, length - pos));
        pos += k;
        return k;
    }

    @Override
    public int available() throws IOException {
        check();
        return length - pos;
    }

    @Override
    public byte[] readAllBytes() throws IOException {
        check();
        byte[] all = java.util.Arrays.copyOfRange(bytes, pos, length);
        pos = length;
        return all;
    }

    @Override
    public void close() {
        closed = true;
    }

    private void check() throws IOException {
        if (closed) {
            throw new IOException("Stream is closed");
        }
    }
}
