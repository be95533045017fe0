package dev.loomcluster.http.internal;

import dev.loomcluster.http.HttpOptions;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.RejectedExecutionException;
import javax.net.ssl.SSLSession;

/**
 * One HTTP/1.1 connection: the state machine between a {@link Transport} and the exchanges. Its
 * {@link Phase} says what the connection is doing; {@link #moveTo} is the one place a phase changes and
 * checks that the change is one the machine allows. The pieces it drives each keep their own state:
 * the {@link RequestParser} (request heads), the {@link RequestBodySource} (request bodies), the
 * {@link Outbound} flow (response bytes) and the {@link Transport} (bytes on the wire, TLS or not).
 *
 * <p>Threads: every {@link Transport.Listener} call and every method that does not say otherwise runs on
 * the worker's loop, and asserts it. Exchanges may run on another thread (an executor); they reach the
 * connection only through {@link #exchangeFinished}, {@link #runOnLoop}, {@link #draining()} and the
 * thread-safe {@link Outbound} and {@link Transport} methods.
 *
 * <p>Requests are served one at a time, in order: while an exchange is in flight, pipelined bytes wait
 * in {@link #pending} (reading pauses if they pile up), so responses go out in request order.
 */
final class HttpConnection implements Transport.Listener {
    private static final System.Logger LOG = System.getLogger("dev.loomcluster.http");
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /** Pipelined bytes kept beyond the header limit while an exchange is in flight before reading pauses. */
    private static final int STASH_SLACK = 64 * 1024;

    /** What the connection is doing. The timeout that applies depends on it (see {@link #checkTimeouts}). */
    enum Phase {
        /** Accepted before its server started: reading is paused until it does. */
        NEW,
        /** Waiting for the first byte of the next request (idle timeout: then closed silently). */
        IDLE,
        /** Reading a request head (header timeout: 408). */
        HEAD,
        /** Reading a body the exchange gets once complete: it is not dispatched yet (body timeout: 408). */
        BODY_BUFFERING,
        /** Reading a body streamed to an exchange that is running (body timeout: closed). */
        BODY_STREAMING,
        /** The exchange ended before its body did: the rest is read and dropped (body timeout: closed). */
        BODY_DISCARD,
        /** The body is complete (or there is none); the exchange is running. Pipelined bytes wait. */
        RESPONDING,
        /** Nothing more is read: what is staged goes out, then the transport closes. */
        CLOSING,
        /** The transport closed. */
        CLOSED;

        /** The transitions the machine allows (any phase may close). */
        boolean mayMoveTo(Phase next) {
            if (next == CLOSED) {
                return this != CLOSED;
            }
            if (next == CLOSING) {
                return this != CLOSING && this != CLOSED;
            }
            return switch (this) {
                case NEW -> next == IDLE;
                case IDLE -> next == HEAD;
                case HEAD -> next == BODY_BUFFERING || next == BODY_STREAMING || next == RESPONDING;
                case BODY_BUFFERING -> next == RESPONDING;
                case BODY_STREAMING -> next == RESPONDING || next == BODY_DISCARD;
                case BODY_DISCARD, RESPONDING -> next == IDLE;
                case CLOSING, CLOSED -> false;
            };
        }
    }

    // ---- immutable
    private final WorkerShare share;
    private final Transport transport;
    private final HttpOptions options;
    private final Thread loopThread;
    private final Outbound outbound;
    private final RequestParser parser;
    private final RequestBodySource body;
    private final long idleTimeoutNanos;

    // ---- loop thread
    private Phase phase = Phase.NEW;
    /** When the timeout of the current phase expires (System.nanoTime), or 0 when none applies. */
    private long deadline;
    /** Whether the connection closes once the exchange in flight ends (it asked to, or input ended). */
    private boolean closeAfterExchange;
    /** Inside {@link #process}: a finished exchange must not start processing pipelined bytes itself. */
    private boolean processing;
    /** Bytes received but not parsed yet (a partial head, pipelined requests); write mode. */
    private ByteBuffer pending = EMPTY;
    private ExchangeImpl exchange;
    /** An exchange that ended inside its handler's call on the loop: reused for the next request. */
    private ExchangeImpl spare;
    private boolean dispatchingInline;
    private boolean lastEndedInline;
    private RequestHeaders requestHeaders = new RequestHeaders();
    private ResponseHeaders responseHeaders = new ResponseHeaders();
    private WorkerShare.Slot slot;

    // ---- any thread (written by the loop)
    private volatile boolean draining;

    HttpConnection(WorkerShare share, Transport transport) {
        this.share = share;
        this.transport = transport;
        this.options = share.server.options();
        this.loopThread = share.loopThread;
        this.outbound = new Outbound(transport, loopThread);
        this.parser = new RequestParser(options);
        this.body = new RequestBodySource(options, transport);
        this.idleTimeoutNanos = options.idleTimeout().toNanos();
    }

    /** The one place the phase changes. Loop. */
    private void moveTo(Phase next) {
        assert onLoop();
        assert phase.mayMoveTo(next) : phase + " -> " + next;
        phase = next;
        deadline = switch (next) {
            case IDLE -> System.nanoTime() + idleTimeoutNanos;
            case HEAD -> 0; // set by readHead once the head is found incomplete: most heads arrive whole
            case BODY_BUFFERING, BODY_STREAMING, BODY_DISCARD -> System.nanoTime() + idleTimeoutNanos;
            default -> 0;
        };
    }

    /** Whether bytes that arrive now are dropped: no request will be read from them. */
    private boolean dropsInput() {
        return phase == Phase.CLOSING || phase == Phase.CLOSED || (phase == Phase.RESPONDING && closeAfterExchange);
    }

    // ================================================================ transport events (loop)

    @Override
    public void opened() {
        assert onLoop();
        try {
            slot = share.add(this);
            if (slot == null) {
                outbound.stageError(503, "Too many connections", true);
                closeNow();
                return;
            }
            if (share.started()) {
                moveTo(Phase.IDLE);
            } else {
                transport.pauseReading();
            }
            if (share.draining()) {
                workerDisconnecting();
            }
        } catch (Throwable t) {
            failed(t);
        }
    }

    @Override
    public void received(ByteBuffer data) {
        assert onLoop();
        if (dropsInput()) {
            data.position(data.limit());
            return;
        }
        try {
            if (pending.position() == 0) {
                process(data);
                if (data.hasRemaining() && !dropsInput()) {
                    stash(data);
                }
            } else {
                stash(data);
                processPending();
            }
            if (!dropsInput() && phase != Phase.IDLE && phase != Phase.HEAD
                    && pending.position() > options.maxHeaderBytes() + STASH_SLACK) {
                transport.pauseReading();
            }
            outbound.flush();
        } catch (Throwable t) {
            failed(t);
        }
    }

    @Override
    public void inputClosed() {
        assert onLoop();
        try {
            switch (phase) {
                case NEW, IDLE, HEAD, BODY_BUFFERING -> closeNow(); // no request can complete now
                case BODY_STREAMING -> {
                    closeAfterExchange = true;
                    body.failStream(new IOException("connection closed before the request body ended"));
                }
                case BODY_DISCARD -> closeNow();
                case RESPONDING -> closeAfterExchange = true;
                case CLOSING, CLOSED -> {
                }
            }
        } catch (Throwable t) {
            failed(t);
        }
    }

    @Override
    public void writable() {
        outbound.writable();
    }

    @Override
    public void workerDisconnecting() {
        assert onLoop();
        try {
            draining = true;
            if (exchange == null) {
                closeNow();
            } else {
                closeAfterExchange = true;
            }
        } catch (Throwable t) {
            failed(t);
        }
    }

    @Override
    public void closed() {
        assert onLoop();
        if (phase != Phase.CLOSED) {
            moveTo(Phase.CLOSED);
        }
        share.remove(slot);
        body.failStream(new IOException("connection closed"));
        outbound.closed();
    }

    // ================================================================ server events (loop)

    /** The server started: serve a connection accepted before. Loop. */
    void serverStarted() {
        assert onLoop();
        if (phase == Phase.NEW) {
            moveTo(Phase.IDLE);
            transport.resumeReading();
            if (pending.position() > 0) {
                processPending();
                outbound.flush();
            }
        }
    }

    /** The server is stopping or the worker draining: finish the exchange in flight, then close. Loop. */
    void drain() {
        workerDisconnecting();
    }

    /** Drops the connection at once (a stop that timed out, a response that cannot be completed). Any thread. */
    void abort() {
        transport.abort();
    }

    /** The timeout of the current phase, checked by the share's sweep. Loop. */
    void checkTimeouts(long now) {
        assert onLoop();
        if (deadline == 0 || now - deadline <= 0) {
            return;
        }
        try {
            switch (phase) {
                case IDLE -> closeNow();
                case HEAD -> reject(408, "Request header timeout");
                case BODY_BUFFERING -> reject(408, "Request body timeout");
                case BODY_STREAMING -> {
                    body.failStream(new IOException("request body timeout"));
                    closeNow();
                }
                case BODY_DISCARD -> closeNow();
                default -> {
                }
            }
        } catch (Throwable t) {
            failed(t);
        }
    }

    // ================================================================ reading requests (loop)

    private void stash(ByteBuffer data) {
        int n = data.remaining();
        if (pending.remaining() < n) {
            int cap = Math.max(pending.capacity() * 2, Math.max(1024, pending.position() + n));
            ByteBuffer bigger = ByteBuffer.allocate(cap);
            pending.flip();
            bigger.put(pending);
            pending = bigger;
        }
        pending.put(data);
    }

    private void processPending() {
        pending.flip();
        try {
            process(pending);
        } finally {
            pending.compact();
        }
    }

    /** Parses and dispatches what {@code buf} holds, as far as the phase allows. */
    private void process(ByteBuffer buf) {
        processing = true;
        outbound.beginBatch();
        try {
            while (buf.hasRemaining()) {
                switch (phase) {
                    case IDLE, HEAD -> {
                        if (draining) {
                            closeNow();
                            return;
                        }
                        if (phase == Phase.IDLE) {
                            moveTo(Phase.HEAD);
                        }
                        if (!readHead(buf)) {
                            return;
                        }
                    }
                    case BODY_BUFFERING, BODY_STREAMING, BODY_DISCARD -> readBody(buf);
                    default -> {
                        return; // NEW, RESPONDING: the bytes wait; CLOSING, CLOSED: they are dropped
                    }
                }
            }
        } finally {
            processing = false;
            outbound.endBatch();
        }
    }

    /** Returns whether a head was read (and so processing may go on). */
    private boolean readHead(ByteBuffer buf) {
        switch (parser.parse(buf, requestHeaders)) {
            case RequestHead head -> {
                beginRequest(head);
                return true;
            }
            case ParseResult.Reject r -> {
                reject(r.status(), r.reason());
                return false;
            }
            case ParseResult.NeedMore n -> {
                if (deadline == 0) {
                    deadline = System.nanoTime() + options.headerReadTimeout().toNanos();
                }
                return false;
            }
        }
    }

    private void beginRequest(RequestHead head) {
        boolean keepAlive = head.keepAlive();
        if (!keepAlive) {
            closeAfterExchange = true;
        }
        ContextImpl context = share.server.findContext(head.path);
        responseHeaders.clear();
        ExchangeImpl ex = spare;
        if (ex != null) {
            spare = null;
            ex.reset(context, head, requestHeaders, responseHeaders, keepAlive);
        } else {
            ex = new ExchangeImpl(this, outbound, context, head, requestHeaders, responseHeaders, keepAlive);
        }
        exchange = ex;
        boolean hasBody = head.hasBody();
        if (head.expectContinue && hasBody) {
            outbound.stage(CONTINUE);
        }
        if (!hasBody) {
            ex.setRequestBody(body.none());
            moveTo(Phase.RESPONDING);
            dispatch(ex);
        } else if (share.server.executor() != null) {
            StreamingBody pipe = new StreamingBody(this);
            body.begin(head, pipe);
            ex.setRequestBody(pipe);
            moveTo(Phase.BODY_STREAMING);
            dispatch(ex);
        } else {
            body.begin(head, null);
            moveTo(Phase.BODY_BUFFERING);
        }
    }

    private void readBody(ByteBuffer buf) {
        deadline = System.nanoTime() + idleTimeoutNanos;
        switch (body.read(buf)) {
            case MORE -> {
            }
            case DONE -> bodyComplete();
            case INVALID -> bodyInvalid(body.error());
            case DISCARDED_TOO_MUCH -> closeNow();
        }
    }

    private void bodyComplete() {
        switch (phase) {
            case BODY_BUFFERING -> {
                exchange.setRequestBody(body.received());
                moveTo(Phase.RESPONDING);
                dispatch(exchange);
            }
            case BODY_STREAMING -> {
                body.endStream();
                moveTo(Phase.RESPONDING);
            }
            case BODY_DISCARD -> finishRequest();
            default -> throw new IllegalStateException("body complete in " + phase);
        }
    }

    private void bodyInvalid(ParseResult.Reject why) {
        switch (phase) {
            case BODY_BUFFERING -> reject(why.status(), why.reason());
            case BODY_STREAMING -> {
                // The exchange runs: its reader fails, its response still goes out, then the connection closes.
                body.failStream(new IOException("invalid request body: " + why.reason()));
                closeAfterExchange = true;
                moveTo(Phase.RESPONDING);
            }
            default -> closeNow();
        }
    }

    /** Called by the streaming body on the loop when its reader drained it below the low-water mark. */
    void bodyDrained(StreamingBody p) {
        assert onLoop();
        if (phase == Phase.BODY_STREAMING && body.streamsTo(p)) {
            transport.resumeReading();
        }
    }

    /** The reader closed the request body early: drop the rest of it. Loop. */
    void bodyClosedByReader(StreamingBody p) {
        assert onLoop();
        if (phase == Phase.BODY_STREAMING && body.streamsTo(p)) {
            body.discardRest();
            transport.resumeReading();
        }
    }

    // ================================================================ exchanges

    private void dispatch(ExchangeImpl ex) {
        var executor = share.server.executor();
        if (executor == null) {
            dispatchingInline = true;
            try {
                ex.run();
            } finally {
                dispatchingInline = false;
            }
            return;
        }
        try {
            executor.execute(ex);
        } catch (RejectedExecutionException e) {
            ex.failBeforeStart(503, "Executor rejected the exchange");
        }
    }

    /** The exchange finished its response. Any thread. */
    void exchangeFinished(ExchangeImpl ex) {
        runOnLoop(() -> exchangeFinishedOnLoop(ex));
    }

    private void exchangeFinishedOnLoop(ExchangeImpl ex) {
        if (ex != exchange || (phase != Phase.BODY_STREAMING && phase != Phase.RESPONDING)) {
            return;
        }
        lastEndedInline = dispatchingInline;
        if (ex.closeConnection()) {
            closeAfterExchange = true;
        }
        if (phase == Phase.BODY_STREAMING) {
            if (closeAfterExchange) {
                closeNow();
                return;
            }
            body.failStream(new IOException("exchange ended"));
            body.discardRest();
            moveTo(Phase.BODY_DISCARD);
            transport.resumeReading();
            return;
        }
        finishRequest();
    }

    /** The exchange and its body are both done: on to the next request, or close. */
    private void finishRequest() {
        if (lastEndedInline) {
            spare = exchange;
        } else {
            // Another thread may still hold the exchange: give the next request objects of its own.
            requestHeaders = new RequestHeaders();
            responseHeaders = new ResponseHeaders();
            spare = null;
        }
        lastEndedInline = false;
        exchange = null;
        body.release();
        if (closeAfterExchange || draining) {
            closeNow();
            return;
        }
        moveTo(Phase.IDLE);
        if (!processing) {
            if (pending.position() > 0) {
                processPending();
            }
            outbound.flush();
            if (phase == Phase.IDLE || phase == Phase.HEAD) {
                transport.resumeReading();
            }
        }
    }

    /** Whether the caller runs on this connection's loop. Any thread. */
    boolean onLoop() {
        return Thread.currentThread() == loopThread;
    }

    /** Runs {@code r} on the loop: now if the caller is on it. Any thread. */
    void runOnLoop(Runnable r) {
        if (onLoop()) {
            r.run();
        } else {
            share.ctx.execute(() -> {
                try {
                    r.run();
                } catch (Throwable t) {
                    failed(t);
                }
            });
        }
    }

    /** Whether responses should say {@code Connection: close}: the worker or server is draining. Any thread. */
    boolean draining() {
        return draining || share.draining();
    }

    /** Whether the connection is TLS. Any thread. */
    boolean isTls() {
        return transport.isTls();
    }

    /** The TLS session of the connection, or null for plain HTTP. Any thread. */
    SSLSession sslSession() {
        return transport.session();
    }

    InetSocketAddress remoteAddress() {
        return transport.remoteAddress();
    }

    InetSocketAddress localAddress() {
        return transport.localAddress();
    }

    // ================================================================ closing (loop)

    /** Answers a request that could not be parsed (or timed out), then closes. */
    private void reject(int status, String reason) {
        if (exchange == null || !exchange.headersSent()) {
            outbound.stageError(status, reason, true);
        }
        closeNow();
    }

    /** Closes after what is staged and queued is written. */
    private void closeNow() {
        if (phase != Phase.CLOSING && phase != Phase.CLOSED) {
            moveTo(Phase.CLOSING);
        }
        outbound.flush();
        transport.close();
    }

    /** An unexpected failure on the loop: log it and drop the connection; the worker keeps serving. */
    private void failed(Throwable t) {
        LOG.log(System.Logger.Level.WARNING, "HTTP connection failed: " + transport, t);
        if (phase != Phase.CLOSING && phase != Phase.CLOSED) {
            moveTo(Phase.CLOSING);
        }
        try {
            transport.abort();
        } catch (Throwable ignored) {
            // nothing more to do
        }
    }

    @Override
    public String toString() {
        return "HttpConnection[" + transport + ", " + phase + "]";
    }
}
