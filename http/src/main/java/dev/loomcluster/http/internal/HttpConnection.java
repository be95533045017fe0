package dev.loomcluster.http.internal;

import dev.loomcluster.Connection;
import dev.loomcluster.ConnectionHandler;
import dev.loomcluster.http.HttpOptions;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One HTTP/1.1 connection: the state machine between the core's non-blocking {@link Connection} and the
 * exchanges. Every {@link ConnectionHandler} callback and every field marked "loop" belongs to the
 * worker's loop thread. Exchanges may run on another thread (an executor); they reach the connection
 * through {@link #onLoop()}, {@link #runOnLoop} and the thread-safe {@link Connection} methods.
 *
 * <p>Requests are served one at a time, in order: while an exchange is in flight, pipelined bytes wait
 * in {@link #in} (reading pauses if they pile up), so responses go out in request order. Responses
 * written on the loop are staged in {@link #out} and written once per read, so a batch of pipelined
 * requests is answered with one write.
 */
final class HttpConnection implements ConnectionHandler {
    private static final System.Logger LOG = System.getLogger("dev.loomcluster.http");
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private static final int OUT_CAPACITY = 16 * 1024;
    /** Pipelined bytes kept beyond the header limit while an exchange is in flight before reading pauses. */
    private static final int STASH_SLACK = 64 * 1024;
    /** Off-loop writers wait while more than this is queued on the connection. */
    static final long OFFLOOP_HIGH_WATER = 256 * 1024;
    /** Body bytes discarded after the exchange ended before the connection is closed instead. */
    private static final long MAX_DISCARD = 1024 * 1024;
    /** Body buffers up to this size are kept for the next request; bigger ones are dropped. */
    private static final int BODY_KEEP = 64 * 1024;

    private static final int HEAD = 0;
    private static final int BODY = 1;
    private static final int WAIT = 2;

    // ---- immutable
    final WorkerShare share;
    final Connection conn;
    final HttpOptions options;
    final Thread loopThread;

    // ---- loop
    private final RequestParser parser;
    private ChunkedDecoder chunkedDecoder;
    /** Bytes received but not parsed yet (a partial head, pipelined requests); write mode. */
    private ByteBuffer in = EMPTY;
    /** Response bytes staged by the loop; write mode. */
    private ByteBuffer out;
    private int state = HEAD;
    private boolean processing;
    private boolean closing;
    private boolean closeAfterExchange;
    private volatile boolean draining; // written by the loop, read by handler threads
    private boolean inputClosed;
    private boolean readPaused;
    private boolean pausedBeforeStart;
    private ExchangeImpl exchange;
    private boolean bodyDone;
    private boolean exchangeDone;
    private boolean bodyChunked;
    private long bodyRemaining;
    private byte[] body = new byte[0];
    private int bodyLength;
    private StreamingBody pipe;
    private boolean discarding;
    private long discarded;
    private final BufferedBody bufferedBody = new BufferedBody();
    private ResponseHeaders responseHeaders = new ResponseHeaders();
    /** An exchange that ended inside its handler's call on the loop: reused for the next request. */
    private ExchangeImpl spare;
    private boolean dispatchingInline;
    private boolean lastEndedInline;
    long headDeadline;
    long idleDeadline;
    long bodyDeadline;
    int index = -1;
    /** A response stream with a chunk open in {@link #out}: closed before {@code out} is written. */
    ResponseStream openChunk;

    // ---- any thread
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Condition writeSpace = writeLock.newCondition();
    private volatile boolean closed;
    /** Off-loop staging buffer of the exchange in flight; used by one handler thread at a time. */
    private ByteBuffer offLoopStage;

    HttpConnection(WorkerShare share, Connection conn) {
        this.share = share;
        this.conn = conn;
        this.options = share.server.options();
        this.loopThread = share.loopThread;
        this.parser = new RequestParser(options);
    }

    // ================================================================ ConnectionHandler (loop)

    @Override
    public void onOpen(Connection c) {
        try {
            if (!share.add(this)) {
                closing = true;
                writeError(503, "Too many connections", true);
                flushOut();
                conn.close();
                return;
            }
            idleDeadline = System.nanoTime() + options.idleTimeout().toNanos();
            if (!share.started()) {
                pausedBeforeStart = true;
                conn.pauseReading();
            }
            if (share.draining()) {
                onWorkerDisconnect(c);
            }
        } catch (Throwable t) {
            failed(t);
        }
    }

    @Override
    public void onData(Connection c, ByteBuffer data) {
        if (closing) {
            data.position(data.limit());
            return;
        }
        try {
            if (in.position() == 0) {
                process(data);
                if (data.hasRemaining() && !closing) {
                    stash(data);
                }
            } else {
                stash(data);
                in.flip();
                try {
                    process(in);
                } finally {
                    in.compact();
                }
            }
            if (!closing && state != HEAD && in.position() > options.maxHeaderBytes() + STASH_SLACK && !readPaused) {
                readPaused = true;
                conn.pauseReading();
            }
            flushOut();
        } catch (Throwable t) {
            failed(t);
        }
    }

    @Override
    public void onInputClosed(Connection c) {
        try {
            inputClosed = true;
            if (exchange == null) {
                closeNow();
            } else {
                closeAfterExchange = true;
                if (!bodyDone && pipe != null) {
                    pipe.fail(new IOException("connection closed before the request body ended"));
                }
            }
        } catch (Throwable t) {
            failed(t);
        }
    }

    @Override
    public void onWritabilityChanged(Connection c, boolean writable) {
        if (writable) {
            signalWriters();
        }
    }

    @Override
    public void onWorkerDisconnect(Connection c) {
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
    public void onClose(Connection c) {
        closed = true;
        closing = true;
        share.remove(this);
        StreamingBody p = pipe;
        if (p != null) {
            p.fail(new IOException("connection closed"));
        }
        signalWriters();
    }

    /** The server started: serve connections accepted before. Loop. */
    void serverStarted() {
        if (pausedBeforeStart) {
            pausedBeforeStart = false;
            idleDeadline = System.nanoTime() + options.idleTimeout().toNanos();
            conn.resumeReading();
        }
    }

    /** The server is stopping or the worker draining: finish the exchange in flight, then close. Loop. */
    void drain() {
        onWorkerDisconnect(conn);
    }

    /** Timeouts, checked by the share's sweep. Loop. */
    void checkTimeouts(long now) {
        try {
            if (closing) {
                return;
            }
            if (headDeadline != 0 && now - headDeadline > 0 && state == HEAD) {
                reject(408, "Request header timeout");
            } else if (idleDeadline != 0 && now - idleDeadline > 0 && state == HEAD && exchange == null) {
                closeNow();
            } else if (bodyDeadline != 0 && now - bodyDeadline > 0 && state == BODY) {
                if (pipe != null || exchangeDone) {
                    if (pipe != null) {
                        pipe.fail(new IOException("request body timeout"));
                    }
                    closeNow();
                } else {
                    reject(408, "Request body timeout");
                }
            }
        } catch (Throwable t) {
            failed(t);
        }
    }

    // ================================================================ parsing (loop)

    private void stash(ByteBuffer data) {
        int n = data.remaining();
        if (in.remaining() < n) {
            int cap = Math.max(in.capacity() * 2, Math.max(1024, in.position() + n));
            ByteBuffer bigger = ByteBuffer.allocate(cap);
            in.flip();
            bigger.put(in);
            in = bigger;
        }
        in.put(data);
    }

    private void process(ByteBuffer buf) {
        processing = true;
        try {
            while (!closing) {
                if (state == HEAD) {
                    if (!buf.hasRemaining()) {
                        break;
                    }
                    if (draining) {
                        closeNow();
                        break;
                    }
                    int start = buf.position();
                    if (headDeadline == 0) {
                        headDeadline = System.nanoTime() + options.headerReadTimeout().toNanos();
                        idleDeadline = 0;
                    }
                    int end = parser.scan(buf, start, buf.limit());
                    if (end == RequestParser.NEED_MORE) {
                        break;
                    }
                    if (end == RequestParser.ERROR) {
                        reject(parser.errorStatus, parser.errorReason);
                        break;
                    }
                    boolean ok = parser.parse(buf, start + parser.headStart(), end);
                    parser.resetScan();
                    buf.position(end);
                    headDeadline = 0;
                    if (!ok) {
                        reject(parser.errorStatus, parser.errorReason);
                        break;
                    }
                    beginRequest();
                } else if (state == BODY) {
                    if (!buf.hasRemaining()) {
                        break;
                    }
                    readBody(buf);
                } else {
                    break;
                }
            }
        } finally {
            processing = false;
        }
    }

    private void beginRequest() {
        boolean keepAlive = parser.minorVersion == 1 ? !parser.connectionClose
                : parser.connectionKeepAlive && !parser.connectionClose;
        if (!keepAlive) {
            closeAfterExchange = true;
        }
        bodyChunked = parser.chunked;
        bodyRemaining = Math.max(0, parser.contentLength);
        boolean hasBody = bodyChunked || bodyRemaining > 0;
        ContextImpl context = share.server.findContext(parser.path());
        responseHeaders.clear();
        ExchangeImpl ex = spare;
        if (ex != null) {
            spare = null;
            ex.reset(context, parser, responseHeaders, keepAlive);
        } else {
            ex = new ExchangeImpl(this, context, parser, responseHeaders, keepAlive);
        }
        exchange = ex;
        exchangeDone = false;
        discarding = false;
        discarded = 0;
        if (parser.expectContinue && hasBody) {
            stage(CONTINUE, 0, CONTINUE.length);
        }
        boolean streaming = hasBody && share.server.executor() != null;
        if (!hasBody) {
            bodyDone = true;
            state = WAIT;
            bufferedBody.reset(body, 0);
            ex.setRequestBody(bufferedBody);
            dispatch(ex);
        } else {
            bodyDone = false;
            state = BODY;
            bodyDeadline = System.nanoTime() + options.idleTimeout().toNanos();
            if (bodyChunked) {
                if (chunkedDecoder == null) {
                    chunkedDecoder = new ChunkedDecoder(options.maxBodyBytes(), options.maxHeaderBytes());
                }
                chunkedDecoder.reset();
            }
            if (streaming) {
                pipe = new StreamingBody(this);
                ex.setRequestBody(pipe);
                dispatch(ex);
            } else {
                bodyLength = 0;
                if (!bodyChunked && body.length < bodyRemaining) {
                    body = new byte[(int) Math.min(bodyRemaining, Integer.MAX_VALUE - 8)];
                }
            }
        }
    }

    private final ChunkedDecoder.Sink sink = this::deliver;

    private void readBody(ByteBuffer buf) {
        bodyDeadline = System.nanoTime() + options.idleTimeout().toNanos();
        if (bodyChunked) {
            int r = chunkedDecoder.decode(buf, sink);
            if (r == ChunkedDecoder.ERROR) {
                bodyError(chunkedDecoder.errorStatus, chunkedDecoder.errorReason);
            } else if (r == ChunkedDecoder.DONE) {
                bodyComplete();
            }
        } else {
            int n = (int) Math.min(bodyRemaining, buf.remaining());
            deliver(buf, n);
            bodyRemaining -= n;
            if (bodyRemaining == 0) {
                bodyComplete();
            }
        }
    }

    private void deliver(ByteBuffer src, int n) {
        if (discarding || exchangeDone) {
            src.position(src.position() + n);
            discarded += n;
            if (discarded > MAX_DISCARD) {
                closeNow();
            }
        } else if (pipe != null) {
            if (pipe.offer(src, n) > StreamingBody.HIGH_WATER && !readPaused) {
                readPaused = true;
                conn.pauseReading();
            }
        } else {
            if (body.length - bodyLength < n) {
                long want = Math.max((long) body.length * 2, (long) bodyLength + n);
                body = java.util.Arrays.copyOf(body, (int) Math.min(want, Integer.MAX_VALUE - 8));
            }
            src.get(body, bodyLength, n);
            bodyLength += n;
        }
    }

    private void bodyComplete() {
        bodyDone = true;
        bodyDeadline = 0;
        state = WAIT;
        if (pipe != null) {
            pipe.end();
            pipe = null;
        } else if (!exchangeDone && !discarding) {
            bufferedBody.reset(body, bodyLength);
            exchange.setRequestBody(bufferedBody);
            dispatch(exchange);
            return;
        }
        if (exchangeDone) {
            finishRequest();
        }
    }

    private void bodyError(int status, String reason) {
        if (pipe != null || exchangeDone) {
            if (pipe != null) {
                pipe.fail(new IOException("invalid request body: " + reason));
                pipe = null;
            }
            closeAfterExchange = true;
            if (exchangeDone) {
                closeNow();
            } else {
                closing = true; // stop parsing; the exchange's response still goes out, then we close
                state = WAIT;
            }
        } else {
            reject(status, reason);
        }
    }

    /** Called by the streaming body on the loop when its reader drained it below the low-water mark. */
    void bodyDrained(StreamingBody p) {
        if (readPaused && state == BODY && pipe == p) {
            readPaused = false;
            conn.resumeReading();
        }
    }

    /** The reader closed the request body early: drop the rest of it. Loop. */
    void bodyClosedByReader(StreamingBody p) {
        if (state == BODY && !bodyDone && pipe == p) {
            discarding = true;
            pipe = null;
            if (readPaused) {
                readPaused = false;
                conn.resumeReading();
            }
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

    /** The exchange finished its response (any thread). */
    void exchangeFinished(ExchangeImpl ex) {
        if (onLoop()) {
            exchangeFinishedOnLoop(ex);
        } else {
            share.ctx.execute(() -> {
                try {
                    exchangeFinishedOnLoop(ex);
                } catch (Throwable t) {
                    failed(t);
                }
            });
        }
    }

    private void exchangeFinishedOnLoop(ExchangeImpl ex) {
        if (ex != exchange || exchangeDone) {
            return;
        }
        exchangeDone = true;
        share.metrics.requestServed();
        lastEndedInline = dispatchingInline;
        if (ex.closeConnection()) {
            closeAfterExchange = true;
        }
        if (!bodyDone) {
            if (closeAfterExchange) {
                closeNow();
                return;
            }
            discarding = true;
            StreamingBody p = pipe;
            pipe = null;
            if (p != null) {
                p.fail(new IOException("exchange ended"));
            }
            if (readPaused) {
                readPaused = false;
                conn.resumeReading();
            }
            return;
        }
        finishRequest();
    }

    private void finishRequest() {
        if (lastEndedInline) {
            spare = exchange;
        } else {
            // Another thread may still hold the exchange: give the next request objects of its own.
            parser.headers = new RequestHeaders();
            responseHeaders = new ResponseHeaders();
            spare = null;
        }
        lastEndedInline = false;
        exchange = null;
        if (body.length > BODY_KEEP) {
            body = new byte[0]; // do not hold a big upload's buffer for the life of the connection
        }
        exchangeDone = false;
        bodyDone = false;
        discarding = false;
        if (closeAfterExchange || draining || inputClosed) {
            closeNow();
            return;
        }
        state = HEAD;
        if (!processing) {
            if (in.position() > 0) {
                in.flip();
                try {
                    process(in);
                } finally {
                    in.compact();
                }
            }
            flushOut();
            if (readPaused && state == HEAD) {
                readPaused = false;
                conn.resumeReading();
            }
        }
        if (state == HEAD && !closing && in.position() == 0 && !parser.started()) {
            idleDeadline = System.nanoTime() + options.idleTimeout().toNanos();
        }
    }

    /** Whether the caller runs on this connection's loop. */
    boolean onLoop() {
        return Thread.currentThread() == loopThread;
    }

    boolean isProcessing() {
        return processing;
    }

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

    boolean isClosed() {
        return closed;
    }

    // ================================================================ output

    /** The loop's staging buffer. Loop. */
    ByteBuffer out(int need) {
        if (out == null) {
            out = ByteBuffer.allocate(Math.max(OUT_CAPACITY, need));
        } else if (out.remaining() < need) {
            if (out.position() > 0) {
                flushOut();
            }
            if (out.capacity() < need) {
                out = ByteBuffer.allocate(need);
            }
        }
        return out;
    }

    /** The off-loop staging buffer; any single handler thread. */
    ByteBuffer offLoopStage(int need) {
        ByteBuffer s = offLoopStage;
        if (s == null || s.capacity() < need) {
            s = ByteBuffer.allocate(Math.max(OUT_CAPACITY, need));
            offLoopStage = s;
        }
        return s;
    }

    private void stage(byte[] b, int off, int len) {
        out(len).put(b, off, len);
    }

    /** Writes what the loop staged. Loop. */
    void flushOut() {
        ResponseStream chunk = openChunk;
        if (chunk != null) {
            chunk.closeChunk();
        }
        if (out != null && out.position() > 0) {
            out.flip();
            conn.write(out);
            out.clear();
        }
    }

    /** Writes bytes from a thread other than the loop (copied), waiting while too much is queued. */
    void writeOffLoop(ByteBuffer data) throws IOException {
        if (closed || !conn.isOpen()) {
            throw new IOException("connection closed");
        }
        conn.write(data);
        if (conn.pendingBytes() > OFFLOOP_HIGH_WATER) {
            writeLock.lock();
            try {
                while (conn.pendingBytes() > OFFLOOP_HIGH_WATER / 2 && conn.isOpen() && !closed) {
                    writeSpace.await(10, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while writing", e);
            } finally {
                writeLock.unlock();
            }
            if (closed) {
                throw new IOException("connection closed");
            }
        }
    }

    private void signalWriters() {
        writeLock.lock();
        try {
            writeSpace.signalAll();
        } finally {
            writeLock.unlock();
        }
    }

    /** Answers a request that could not be parsed (or timed out), then closes. Loop. */
    private void reject(int status, String reason) {
        closing = true;
        state = WAIT;
        if (exchange == null || !exchange.headersSent()) {
            writeError(status, reason, true);
        }
        flushOut();
        conn.close();
    }

    /** Stages a complete small error response. Loop. */
    void writeError(int status, String reason, boolean close) {
        byte[] text = (status + " " + Status.reason(status) + ": " + reason + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer o = out(512 + text.length);
        o.put(Status.line(status));
        o.put(DateCache.headerLine());
        put(o, "Content-Type: text/plain; charset=utf-8\r\nContent-Length: ");
        put(o, Integer.toString(text.length));
        put(o, close ? "\r\nConnection: close\r\n\r\n" : "\r\n\r\n");
        o.put(text);
    }

    private static void put(ByteBuffer o, String ascii) {
        for (int i = 0, n = ascii.length(); i < n; i++) {
            o.put((byte) ascii.charAt(i));
        }
    }

    /** Closes after what is staged and queued is written. Loop. */
    void closeNow() {
        closing = true;
        state = WAIT;
        flushOut();
        conn.close();
    }

    /** An unexpected failure on the loop: log it and drop the connection; the worker keeps serving. */
    void failed(Throwable t) {
        LOG.log(System.Logger.Level.WARNING, "HTTP connection failed: " + conn, t);
        closing = true;
        try {
            conn.abort();
        } catch (Throwable ignored) {
            // nothing more to do
        }
    }

    boolean draining() {
        return draining || share.draining();
    }
}
