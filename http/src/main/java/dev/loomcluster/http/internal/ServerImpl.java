package dev.loomcluster.http.internal;

import dev.loomcluster.WorkerContext;
import dev.loomcluster.WorkerPool;
import dev.loomcluster.http.HttpOptions;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@link HttpServer} of loomcluster. Any thread: configuration is guarded by a lock, and what the
 * loops read per request (contexts, executor) is published through volatile fields.
 *
 * <p>Created inside a worker (on its loop), {@link #bind} listens on the pool's shared socket through
 * {@link WorkerContext#listen}: every worker that does the same shares the port, and the pool fires
 * {@code listening}. Created anywhere else, it starts a private one-worker pool and listens from that
 * worker's loop: a one-loop server. Either way requests are parsed and, with no executor, handled on
 * that loop.
 */
public final class ServerImpl extends HttpServer {
    private final HttpOptions options;
    private final boolean https;
    private final Object lock = new Object();

    // ---- guarded by lock, published to the loops through volatile
    private volatile ContextImpl[] contexts = new ContextImpl[0];
    private volatile Executor executor;
    private volatile HttpsConfigurator httpsConfigurator;
    /** What contexts call their server: this, or the HttpsServer that wraps it. */
    private volatile HttpServer facade = this;
    private volatile WorkerShare share;
    private WorkerPool ownPool;
    private boolean started;
    private boolean stopped;

    private ServerImpl(HttpOptions options, boolean https) {
        this.options = Objects.requireNonNull(options, "options");
        this.https = https;
    }

    /**
     * A server with these limits, bound to {@code address} unless it is {@code null} (the JDK's
     * convention for {@code HttpServer.create(null, 0)}).
     */
    public static ServerImpl create(HttpOptions options, InetSocketAddress address, int backlog) throws IOException {
        ServerImpl s = new ServerImpl(options, false);
        if (address != null) {
            s.bind(address, backlog);
        }
        return s;
    }

    /** An unbound server whose connections speak TLS, for {@link HttpsServerImpl}, which it reports as its face. */
    static ServerImpl unboundHttps(HttpOptions options, HttpServer facade) {
        ServerImpl s = new ServerImpl(options, true);
        s.facade = facade;
        return s;
    }

    HttpOptions options() {
        return options;
    }

    boolean isHttps() {
        return https;
    }

    HttpServer facade() {
        return facade;
    }

    HttpsConfigurator httpsConfigurator() {
        return httpsConfigurator;
    }

    void setHttpsConfigurator(HttpsConfigurator configurator) {
        Objects.requireNonNull(configurator, "null HttpsConfigurator");
        synchronized (lock) {
            if (started) {
                throw new IllegalStateException("server already started");
            }
            this.httpsConfigurator = configurator;
        }
    }

    Executor executor() {
        return executor;
    }

    /** The context whose path is the longest prefix of {@code path}, or null. Any thread, no allocation. */
    ContextImpl findContext(String path) {
        ContextImpl best = null;
        int bestLength = -1;
        for (ContextImpl c : contexts) {
            String p = c.getPath();
            if (p.length() > bestLength && path.startsWith(p)) {
                best = c;
                bestLength = p.length();
            }
        }
        return best;
    }

    /** The backlog is the pool's: accepted connections queue per worker. */
    @Override
    public void bind(InetSocketAddress addr, int backlog) throws IOException {
        Objects.requireNonNull(addr, "null address");
        synchronized (lock) {
            if (share != null) {
                throw new BindException("HttpServer already bound");
            }
            if (stopped) {
                throw new IllegalStateException("server stopped");
            }
            Optional<WorkerContext> worker = WorkerContext.current();
            if (worker.isPresent()) {
                share = new WorkerShare(this, worker.get(), addr);
            } else {
                warnStandaloneOnce(addr);
                share = standalone(addr);
            }
        }
    }

    private static final AtomicBoolean STANDALONE_NOTED = new AtomicBoolean();

    /**
     * A server made off every worker's loop runs on a private loop of its own: right in a plain program,
     * a surprise when the caller meant the pool's port but called from a thread a worker started (the
     * worker context is the loop's, not inherited). Said once per JVM, with what to do.
     */
    /** Forgets that the note was given, so that a test can see it again. */
    static void forgetStandaloneNote() {
        STANDALONE_NOTED.set(false);
    }

    private static void warnStandaloneOnce(InetSocketAddress addr) {
        if (STANDALONE_NOTED.compareAndSet(false, true)) {
            System.getLogger("dev.loomcluster.http").log(System.Logger.Level.INFO, "HttpServer for " + addr
                    + " created on thread '" + Thread.currentThread().getName() + "', which is no worker's loop:"
                    + " it serves from a private event loop of its own and does not share a pool's port. To"
                    + " serve on a pool, create it on the worker's loop (in WorkerMain.start, or from another"
                    + " thread through WorkerContext.execute). Said once.");
        }
    }

    /**
     * Binds through {@code ctx} as if the calling thread were that worker's loop: for benchmarks and
     * tests that drive the server's connection handlers without a pool. Not for applications.
     */
    public void bindThrough(WorkerContext ctx, InetSocketAddress addr) throws IOException {
        Objects.requireNonNull(ctx, "ctx");
        Objects.requireNonNull(addr, "addr");
        synchronized (lock) {
            if (share != null) {
                throw new BindException("HttpServer already bound");
            }
            share = new WorkerShare(this, ctx, addr);
        }
    }

    private WorkerShare standalone(InetSocketAddress addr) throws IOException {
        CompletableFuture<WorkerShare> ready = new CompletableFuture<>();
        WorkerPool pool = WorkerPool.builder(ctx -> ready.complete(new WorkerShare(this, ctx, addr)))
                .size(0)
                .name("loomcluster-http")
                .shutdownTimeout(Duration.ofSeconds(5))
                .build();
        pool.onError((w, t) -> ready.completeExceptionally(t));
        pool.onExit((w, status) -> ready.completeExceptionally(new IOException("HTTP server loop exited: " + status)));
        pool.fork();
        try {
            WorkerShare s = ready.get(30, TimeUnit.SECONDS);
            ownPool = pool;
            return s;
        } catch (ExecutionException e) {
            pool.close();
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException("cannot start the HTTP server loop", cause);
        } catch (TimeoutException e) {
            pool.close();
            throw new IOException("the HTTP server loop did not start in time", e);
        } catch (InterruptedException e) {
            pool.close();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting the HTTP server loop", e);
        }
    }

    @Override
    public void start() {
        WorkerShare s;
        synchronized (lock) {
            if (share == null || started || stopped) {
                throw new IllegalStateException("server in wrong state");
            }
            if (https && httpsConfigurator == null) {
                throw new IllegalStateException("HttpsConfigurator not set: call setHttpsConfigurator before start");
            }
            started = true;
            s = share;
        }
        s.onLoop(s::start);
    }

    @Override
    public void setExecutor(Executor executor) {
        synchronized (lock) {
            if (started) {
                throw new IllegalStateException("server already started");
            }
            this.executor = executor;
        }
    }

    @Override
    public Executor getExecutor() {
        return executor;
    }

    /**
     * The JDK's contract: closes the listening share at once (no new exchanges), lets the exchanges in
     * flight finish for up to {@code delay} seconds (their responses carry {@code Connection: close}; idle
     * connections close at once), then closes every connection left. Blocks the caller until then, except
     * on the server's own loop (a handler, or a worker's {@code onDisconnect} hook), which it must not
     * block: there it returns at once and the drain goes on, bounded by {@code delay}. Either way the
     * worker's disconnect waits for these connections, so a worker stopped this way exits only after the
     * exchanges were finished or dropped.
     */
    @Override
    public void stop(int delay) {
        if (delay < 0) {
            throw new IllegalArgumentException("negative delay parameter");
        }
        WorkerShare s;
        WorkerPool pool;
        synchronized (lock) {
            if (stopped) {
                return;
            }
            stopped = true;
            s = share;
            pool = ownPool;
        }
        if (s == null) {
            return;
        }
        if (Thread.currentThread() == s.loopThread) {
            CompletableFuture<Void> drained = s.drain();
            var timer = s.ctx.schedule(Duration.ofSeconds(delay), s::abortAll);
            drained.whenComplete((v, e) -> {
                timer.cancel();
                s.abortAll();
                if (pool != null) {
                    Thread.ofPlatform().name("loomcluster-http-stop").start(pool::close);
                }
            });
            return;
        }
        CompletableFuture<Void> drained = new CompletableFuture<>();
        s.onLoop(() -> s.drain().whenComplete((v, e) -> drained.complete(null)));
        try {
            drained.get(delay, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // time is up: drop what is left
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        CompletableFuture<Void> aborted = new CompletableFuture<>();
        s.onLoop(() -> {
            s.abortAll();
            aborted.complete(null);
        });
        try {
            aborted.get(5, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // the loop is gone: nothing left to abort
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (pool != null) {
            pool.close();
        }
    }

    @Override
    public HttpContext createContext(String path, HttpHandler handler) {
        if (handler == null || path == null) {
            throw new NullPointerException("null handler, or path parameter");
        }
        return addContext(path, handler);
    }

    @Override
    public HttpContext createContext(String path) {
        if (path == null) {
            throw new NullPointerException("null path parameter");
        }
        return addContext(path, null);
    }

    private HttpContext addContext(String path, HttpHandler handler) {
        if (path.isEmpty() || path.charAt(0) != '/') {
            throw new IllegalArgumentException("Illegal value for path or protocol");
        }
        synchronized (lock) {
            for (ContextImpl c : contexts) {
                if (c.getPath().equals(path)) {
                    throw new IllegalArgumentException("cannot add context to list");
                }
            }
            ContextImpl c = new ContextImpl(this, path, handler);
            ContextImpl[] next = Arrays.copyOf(contexts, contexts.length + 1);
            next[next.length - 1] = c;
            contexts = next;
            return c;
        }
    }

    @Override
    public void removeContext(String path) {
        Objects.requireNonNull(path, "null path parameter");
        synchronized (lock) {
            for (ContextImpl c : contexts) {
                if (c.getPath().equals(path)) {
                    remove(c);
                    return;
                }
            }
        }
        throw new IllegalArgumentException("cannot remove element from list");
    }

    @Override
    public void removeContext(HttpContext context) {
        Objects.requireNonNull(context, "null context parameter");
        synchronized (lock) {
            for (ContextImpl c : contexts) {
                if (c == context) {
                    remove(c);
                    return;
                }
            }
        }
        throw new IllegalArgumentException("no such context in list");
    }

    private void remove(ContextImpl c) {
        contexts = Arrays.stream(contexts).filter(x -> x != c).toArray(ContextImpl[]::new);
    }

    @Override
    public InetSocketAddress getAddress() {
        WorkerShare s = share;
        return s == null ? null : s.address();
    }

    @Override
    public String toString() {
        return "LoomHttpServer[" + getAddress() + "]";
    }
}
