package dev.loomcluster.http.internal;

import dev.loomcluster.Connection;

import com.sun.net.httpserver.HttpsConfigurator;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * TLS between the core's TCP {@link Connection} and the HTTP layer, with the JDK's {@link SSLEngine}: the
 * core's callbacks bring ciphertext, the {@link Listener} gets plaintext; plaintext written goes out
 * encrypted. The engine is made when the connection opens, from the server's {@link HttpsConfigurator}
 * (which configures it through {@link HttpsParametersImpl}).
 *
 * <p>Threads: the engine and every buffer belong to the worker's loop. {@link #write}, {@link #close}
 * and {@link #abort} may come from a handler's thread: the bytes are copied and handed to the loop
 * through its FIFO executor, so a thread's writes and its close keep their order. A handshake that never
 * finishes delivers no plaintext, so the connection stays idle and its idle timeout closes it; bytes that
 * are not TLS (plain HTTP sent to this port) fail the engine: the alert it makes is sent and the
 * connection closed, nothing else is touched.
 */
final class TlsTransport extends ConnectionTransport {
    private static final System.Logger LOG = System.getLogger("dev.loomcluster.http");
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    // ---- immutable
    private final Supplier<HttpsConfigurator> configurator;
    private final Executor loop;
    private final Thread loopThread;

    // ---- loop thread
    private SSLEngine engine;
    /** Ciphertext received and not unwrapped yet; write mode. */
    private ByteBuffer netIn;
    /** Plaintext unwrapped; write mode. */
    private ByteBuffer appIn;
    /** Plaintext to send once the handshake allows; write mode. */
    private ByteBuffer appOut = EMPTY;
    /** Ciphertext made by wrap, written at once; write mode. */
    private ByteBuffer netOut;
    private boolean pumping;
    private boolean closeRequested;
    private boolean done;

    // ---- any thread
    /** Plaintext handed to the loop and not wrapped yet: counted as pending, for writers' back-pressure. */
    private final AtomicLong queued = new AtomicLong();
    private volatile boolean closing;

    TlsTransport(Connection connection, Supplier<HttpsConfigurator> configurator, Executor loop, Thread loopThread) {
        super(connection);
        this.configurator = configurator;
        this.loop = loop;
        this.loopThread = loopThread;
    }

    private boolean onLoop() {
        return Thread.currentThread() == loopThread;
    }

    @Override
    public boolean isTls() {
        return true;
    }

    @Override
    public SSLSession session() {
        SSLEngine e = engine;
        return e == null ? null : e.getSession();
    }

    // ---------------------------------------------------------------- core callbacks (loop)

    /**
     * Makes the engine on the first bytes: a connection accepted before its server started waits, paused,
     * for the start, which requires the configurator. Returns false if the engine could not start.
     */
    private boolean ensureEngine() {
        if (engine != null) {
            return true;
        }
        HttpsConfigurator conf = configurator.get();
        InetSocketAddress peer = connection.remoteAddress();
        SSLEngine e = conf.getSSLContext().createSSLEngine(peer.getHostString(), peer.getPort());
        e.setUseClientMode(false);
        HttpsParametersImpl params = new HttpsParametersImpl(conf, peer, e);
        conf.configure(params);
        params.applyLegacySettings();
        SSLSession s = e.getSession();
        netIn = ByteBuffer.allocate(s.getPacketBufferSize());
        appIn = ByteBuffer.allocate(s.getApplicationBufferSize());
        netOut = ByteBuffer.allocate(s.getPacketBufferSize());
        engine = e;
        try {
            e.beginHandshake();
            return true;
        } catch (SSLException x) {
            fail(x);
            return false;
        }
    }

    @Override
    public void onData(Connection c, ByteBuffer data) {
        assert onLoop();
        if (done || !ensureEngine()) {
            data.position(data.limit());
            return;
        }
        while (data.hasRemaining()) {
            if (!netIn.hasRemaining()) {
                netIn = grow(netIn, netIn.capacity() * 2);
            }
            int n = Math.min(netIn.remaining(), data.remaining());
            ByteBuffer slice = data.slice(data.position(), n);
            netIn.put(slice);
            data.position(data.position() + n);
        }
        pump();
    }

    @Override
    public void onInputClosed(Connection c) {
        assert onLoop();
        if (engine != null && !engine.isInboundDone()) {
            try {
                engine.closeInbound();
            } catch (SSLException truncated) {
                // the peer closed without close_notify: the HTTP layer decides what that means
            }
        }
        listener.inputClosed();
    }

    @Override
    public void onClose(Connection c) {
        done = true;
        closing = true;
        listener.closed();
    }

    // ---------------------------------------------------------------- the engine (loop)

    /** Moves the engine as far as the bytes at hand allow: handshake steps, unwrap, wrap, close. */
    private void pump() {
        if (pumping || done || engine == null) {
            return;
        }
        pumping = true;
        try {
            while (!done) {
                boolean progress = switch (engine.getHandshakeStatus()) {
                    case NEED_TASK -> runTasks();
                    case NEED_WRAP -> wrap(EMPTY);
                    case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> unwrap();
                    case NOT_HANDSHAKING, FINISHED -> {
                        boolean p = netIn.position() > 0 && unwrap();
                        if (appOut.position() > 0) {
                            appOut.flip();
                            try {
                                p |= wrap(appOut);
                            } finally {
                                appOut.compact();
                            }
                        }
                        yield p;
                    }
                };
                if (!progress) {
                    break;
                }
            }
            if (closeRequested && !done && (appOut.position() == 0 || engine.isOutboundDone())) {
                finishClose();
            }
        } catch (SSLException e) {
            fail(e);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "TLS connection failed: " + connection, e);
            done = true;
            connection.abort();
        } finally {
            pumping = false;
        }
    }

    private boolean runTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run(); // CPU only (key exchange, certificate checks): short, and on the loop as the JDK does
        }
        return true;
    }

    /** One unwrap; whether it made progress (false: more ciphertext is needed). */
    private boolean unwrap() throws SSLException {
        if (netIn.position() == 0) {
            return false;
        }
        netIn.flip();
        SSLEngineResult r;
        try {
            r = engine.unwrap(netIn, appIn);
        } finally {
            netIn.compact();
        }
        switch (r.getStatus()) {
            case BUFFER_UNDERFLOW -> {
                int need = engine.getSession().getPacketBufferSize();
                if (netIn.capacity() < need) {
                    netIn = grow(netIn, need);
                }
                return false;
            }
            case BUFFER_OVERFLOW -> {
                appIn = grow(appIn, Math.max(appIn.capacity() * 2, engine.getSession().getApplicationBufferSize()));
                return true;
            }
            case CLOSED -> {
                // close_notify from the peer: answer it and close; the HTTP layer hears inputClosed
                deliver();
                closeRequested = true;
                listener.inputClosed();
                return !engine.isOutboundDone() && engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP;
            }
            default -> {
                deliver();
                return r.bytesConsumed() > 0 || r.bytesProduced() > 0;
            }
        }
    }

    private void deliver() {
        if (appIn.position() > 0) {
            appIn.flip();
            try {
                listener.received(appIn);
            } finally {
                appIn.clear();
            }
        }
    }

    /** One wrap of {@code src} (read mode), written out; whether it made progress. */
    private boolean wrap(ByteBuffer src) throws SSLException {
        SSLEngineResult r = engine.wrap(src, netOut);
        switch (r.getStatus()) {
            case BUFFER_OVERFLOW -> {
                netOut = grow(netOut, Math.max(netOut.capacity() * 2, engine.getSession().getPacketBufferSize()));
                return true;
            }
            case CLOSED -> {
                flushNet();
                return false;
            }
            default -> {
                flushNet();
                return r.bytesConsumed() > 0 || r.bytesProduced() > 0;
            }
        }
    }

    private void flushNet() {
        if (netOut.position() > 0) {
            netOut.flip();
            connection.write(netOut);
            netOut.clear();
        }
    }

    /** Sends close_notify (after every queued byte), then closes the TCP connection. */
    private void finishClose() throws SSLException {
        engine.closeOutbound();
        while (!engine.isOutboundDone()) {
            if (!wrap(EMPTY)) {
                break;
            }
        }
        done = true;
        connection.close();
    }

    /** The engine refused the bytes (not TLS, a bad handshake): send its alert if it has one, close. */
    private void fail(SSLException e) {
        LOG.log(System.Logger.Level.DEBUG, () -> "TLS failed on " + connection + ": " + e);
        if (netOut == null) {
            done = true;
            connection.close();
            return;
        }
        try {
            engine.closeOutbound();
            for (int i = 0; i < 4 && !engine.isOutboundDone(); i++) {
                netOut.clear();
                SSLEngineResult r = engine.wrap(EMPTY, netOut);
                flushNet();
                if (r.bytesProduced() == 0) {
                    break;
                }
            }
        } catch (SSLException | RuntimeException ignored) {
            // no alert then
        }
        done = true;
        connection.close();
    }

    private static ByteBuffer grow(ByteBuffer b, int capacity) {
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(capacity, b.position()));
        b.flip();
        bigger.put(b);
        return bigger;
    }

    // ---------------------------------------------------------------- Transport

    @Override
    public void write(ByteBuffer data) {
        if (onLoop()) {
            writeOnLoop(data);
            return;
        }
        int n = data.remaining();
        ByteBuffer copy = ByteBuffer.allocate(n).put(data).flip();
        queued.addAndGet(n);
        loop.execute(() -> {
            queued.addAndGet(-n);
            writeOnLoop(copy);
        });
    }

    private void writeOnLoop(ByteBuffer data) {
        if (done) {
            data.position(data.limit());
            return;
        }
        if (appOut.remaining() < data.remaining()) {
            appOut = grow(appOut, Math.max(appOut.capacity() * 2, appOut.position() + data.remaining()));
        }
        appOut.put(data);
        pump();
    }

    @Override
    public long pendingBytes() {
        return connection.pendingBytes() + queued.get();
    }

    @Override
    public boolean isOpen() {
        return !closing && connection.isOpen();
    }

    @Override
    public void close() {
        closing = true;
        if (!onLoop()) {
            loop.execute(this::close);
            return;
        }
        if (done) {
            return;
        }
        if (engine == null || engine.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING) {
            done = true;
            connection.close(); // no session (yet) to close politely
            return;
        }
        closeRequested = true;
        pump();
    }

    @Override
    public void abort() {
        closing = true;
        connection.abort();
    }

    @Override
    public String toString() {
        return "TLS " + connection;
    }
}
