package dev.loomcluster.http.internal;

import dev.loomcluster.http.HttpOptions;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
 * in {@link #pending} (reading pauses if they pile up), so responses go out in request order. The next
 * pipelined request starts only while the transport is writable: a client that sends requests but does
 * not read the answers holds at most one response over the high-water mark.
 *
 * <p>When the worker disconnects ({@link #workerDisconnecting}) the connection finishes the exchange in
 * flight and, between requests, hands itself over with its unparsed bytes to a worker that stays on the
 * address: its responses keep the connection alive and the client sees nothing. With no worker left (the
 * pool is closing) it serves what arrives for the pool's drain grace, each response saying
 * {@code Connection: close}, and closes when the grace is over. A server {@code stop} ({@link #drain})
 * closes idle connections at once, as the JDK's server does.
 */
final class HttpConnection implements Transport.Listener {
    private static final System.Logger LOG = System.getLogger("dev.loomcluster.http");
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /** Pipelined bytes kept beyond the header limit while an exchange is in flight before reading pauses. */
    private static final int STASH_SLACK = 64 * 1024;
    /** How soon a leaving connection whose last answer is still queued tries again to hand itself over. */
    private static final Duration HAND_OVER_RETRY = Duration.ofMillis(1);

    /**
     * Whether, and how, the connection is leaving its worker; independent of the {@link Phase}, changed
     * only by {@link #moveTo(Leave)}. From {@code STAYING} the worker's disconnect leads to
     * {@code HANDING_OVER} (another worker can take the connection) or {@code GRACE} (none can), a hand-over
     * found impossible later leads from {@code HANDING_OVER} to {@code GRACE}, the grace timer to
     * {@code GRACE_OVER}, and a server stop from any of them to {@code STOPPING}.
     */
    enum Leave {
        /** Serving as usual. */
        STAYING,
        /** Responses keep the connection alive; between requests it moves to another worker. */
        HANDING_OVER,
        /** No worker can take it: requests that arrive are answered with {@code Connection: close}. */
        GRACE,
        /** The drain grace is over: idle, it closes; busy, it closes after the exchange. */
        GRACE_OVER,
        /** The server stops: idle, it closes at once; busy, after the exchange. */
        STOPPING;

        boolean mayMoveTo(Leave next) {
            return switch (this) {
                case STAYING -> next != STAYING && next != GRACE_OVER;
                case HANDING_OVER -> next == GRACE || next == STOPPING;
                case GRACE -> next == GRACE_OVER || next == STOPPING;
                case GRACE_OVER -> next == STOPPING;
                case STOPPING -> false;
            };
        }

        /** Whether responses say {@code Connection: close} in this state. */
        boolean closesResponses() {
            return this != STAYING && this != HANDING_OVER;
        }

        /** Whether nothing more is read from the connection when idle. */
        boolean endsIdle() {
            return this == GRACE_OVER || this == STOPPING;
        }
    }

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
    private dev.loomcluster.Cancellable grace;

    // ---- any thread (written by the loop)
    /** Whether and how the connection leaves its worker; read by handler threads through {@link #draining()}. */
    private volatile Leave leave = Leave.STAYING;

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

    /** The one place {@link #leave} changes. Loop. */
    private void moveTo(Leave next) {
        assert onLoop();
        assert leave.mayMoveTo(next) : leave + " -> " + next;
        leave = next;
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
                drain();
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
            leaveIfBetweenRequests();
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
        try {
            if (phase == Phase.IDLE && exchange == null && pending.position() > 0) {
                processPending(); // pipelined requests waited for the answers before them to drain
                outbound.flush();
                if (phase == Phase.IDLE || phase == Phase.HEAD) {
                    transport.resumeReading();
                }
            }
            leaveIfBetweenRequests();
        } catch (Throwable t) {
            failed(t);
        }
    }

    @Override
    public void workerDisconnecting() {
        assert onLoop();
        try {
            if (leave != Leave.STAYING || phase == Phase.CLOSING || phase == Phase.CLOSED) {
                return;
            }
            if (transport.canHandOver()) {
                moveTo(Leave.HANDING_OVER);
            } else {
                startGrace(); // responses from now on say Connection: close
            }
            if (exchange == null) {
                leaveIfBetweenRequests();
            }
        } catch (Throwable t) {
            failed(t);
        }
    }

    /**
     * Between requests of a leaving connection: hands it over (staged output first written, queued output
     * flushed), or, when no worker can take it, serves for the drain grace. Loop.
     */
    private void leaveIfBetweenRequests() {
        if (leave != Leave.HANDING_OVER || processing || exchange != null
                || (phase != Phase.NEW && phase != Phase.IDLE && phase != Phase.HEAD)) {
            return;
        }
        outbound.flush();
        if (transport.canHandOver()) {
            if (transport.pendingBytes() > 0) { // the last answer is on its way: try again once it is out
                share.ctx.schedule(HAND_OVER_RETRY, () -> {
                    try {
                        leaveIfBetweenRequests();
                    } catch (Throwable t) {
                        failed(t);
                    }
                });
                return;
            }
            pending.flip();
            if (transport.handOver(pending)) {
                return; // closed() ran: the connection is another worker's now
            }
            pending.compact();
        }
        startGrace();
        if (pending.position() > 0 && (phase == Phase.IDLE || phase == Phase.HEAD)) {
            processPending();
            outbound.flush();
        }
    }

    /** No worker can take the connection: answer with Connection: close for the drain grace, then close. */
    private void startGrace() {
        moveTo(Leave.GRACE);
        if (grace == null) {
            grace = share.ctx.schedule(share.ctx.drainGrace(), () -> {
                try {
                    if (leave != Leave.GRACE) {
                        return; // stopping meanwhile
                    }
                    moveTo(Leave.GRACE_OVER);
                    if (exchange == null && (phase == Phase.NEW || phase == Phase.IDLE)) {
                        closeNow();
                    } else {
                        closeAfterExchange = true;
                    }
                } catch (Throwable t) {
                    failed(t);
                }
            });
        }
    }

    @Override
    public void closed() {
        assert onLoop();
        if (grace != null) {
            grace.cancel();
        }
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

    /** The server is stopping: finish the exchange in flight, then close; an idle connection closes now. Loop. */
    void drain() {
        assert onLoop();
        try {
            if (leave != Leave.STOPPING) {
                moveTo(Leave.STOPPING);
            }
            if (exchange == null) {
                closeNow();
            } else {
                closeAfterExchange = true;
            }
        } catch (Throwable t) {
            failed(t);
        }
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
                        if (leave.endsIdle()) {
                            closeNow();
                            return;
                        }
                        if (leave == Leave.HANDING_OVER) {
                            return; // the bytes go with the connection to the worker that takes it
                        }
                        if (phase == Phase.IDLE && !transport.isWritable()) {
                            return; // the next request waits until the answers before it drain
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
        // instanceof, not a pattern switch: this runs once per request and stays a plain type check.
        ParseResult result = parser.parse(buf, requestHeaders);
        if (result instanceof RequestHead head) {
            beginRequest(head);
            return true;
        }
        if (result instanceof ParseResult.Reject r) {
            reject(r.status(), r.reason());
        } else if (deadline == 0) { // NEED_MORE: the head arrives in pieces, so its read is timed from now
            deadline = System.nanoTime() + options.headerReadTimeout().toNanos();
        }
        return false;
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
        share.metrics.requestServed();
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
        if (closeAfterExchange || leave.endsIdle()) {
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
            leaveIfBetweenRequests();
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
        return leave.closesResponses() || share.draining();
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
