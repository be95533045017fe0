package dev.loomcluster;

import dev.loomcluster.internal.primary.PoolImpl;
import dev.loomcluster.internal.primary.PoolOptions;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The primary (Node's {@code cluster} in the primary process): forks workers, routes messages and
 * connections to them, and reports their lifecycle.
 *
 * <p>Methods may be called from any thread. All listeners run on one <em>primary loop</em> thread, in
 * Node's order, so code there needs no locks: for each worker {@code fork}, {@code online},
 * {@code listening}…, {@code disconnect}, then {@code exit}. A worker leaves {@link #workers()} before its
 * {@code disconnect} event runs. A listener that throws is reported to the JVM's logger and skipped.
 *
 * <pre>{@code
 * try (WorkerPool pool = WorkerPool.builder(ctx -> ctx.onMessage(ctx::send)).size(4).build()) {
 *     pool.onMessage((worker, msg) -> System.out.println(worker.id() + ": " + msg));
 *     pool.start();
 *     pool.broadcast("ping");
 * }
 * }</pre>
 */
public interface WorkerPool extends AutoCloseable {

    /** A builder for an in-JVM pool whose workers all run {@code main}. */
    static Builder builder(WorkerMain main) {
        Objects.requireNonNull(main, "main");
        return new Builder(() -> main, null, main.getClass().getSimpleName());
    }

    /**
     * A builder for a pool that makes a new instance of {@code mainClass} (public no-argument constructor)
     * for each worker. This is the only form a multi-process pool can accept. On the module path, the
     * class's package must be exported to {@code dev.loomcluster} ({@code exports my.pkg to dev.loomcluster;}).
     *
     * @throws IllegalArgumentException if the class is abstract, not public, has no public no-argument
     *                                  constructor, or is in a package its module does not export to loomcluster
     */
    static Builder builder(Class<? extends WorkerMain> mainClass) {
        Objects.requireNonNull(mainClass, "mainClass");
        var constructor = PoolOptions.constructorOf(mainClass);
        return new Builder(() -> PoolOptions.instantiate(constructor), mainClass, mainClass.getSimpleName());
    }

    /** Forks {@code size} workers. May be called once. */
    WorkerPool start();

    /** Forks one worker with the pool's env. Works with or without {@link #start()}. */
    Worker fork();

    /** Forks one worker whose env is the pool's overlaid with {@code env}. */
    Worker fork(Map<String, String> env);

    /** Live workers by id (Node's {@code cluster.workers}): an unmodifiable, live, id-ordered view. */
    Map<Integer, Worker> workers();

    /**
     * Sends a message to one worker.
     *
     * <p>Allowed types: {@code null}, {@code String}, boxed primitives, enums, {@code byte[]} (copied),
     * records whose components are of allowed types, and {@code List}/{@code Set}/{@code Map} of allowed
     * types (copied into unmodifiable collections). Anything else is refused here with an
     * {@link IllegalArgumentException} naming the type. After {@code send} returns, nothing the sender does
     * can change what the receiver sees. Delivery is FIFO per sender and receiver.
     *
     * @return {@code false} if there is no such live, connected worker
     */
    boolean send(int workerId, Object message);

    /** Sends a message to every connected worker; returns how many it was sent to. */
    int broadcast(Object message);

    /** Disconnects every worker gracefully; the future completes when all have exited. */
    CompletableFuture<Void> disconnect();

    /**
     * Disconnects every worker and waits up to the shutdown timeout, then kills those left, then stops the
     * primary loop. No thread the pool started is left running afterwards, except worker threads stuck in
     * user code (counted in {@link PoolStats#leakedThreads()}). Idempotent.
     */
    @Override
    void close();

    /** A snapshot of every live worker's statistics. */
    PoolStats stats();

    /** The pool's name, used in thread names. */
    String name();

    Registration onFork(Consumer<Worker> listener);

    Registration onOnline(Consumer<Worker> listener);

    Registration onListening(BiConsumer<Worker, InetSocketAddress> listener);

    /** Messages from any worker; a {@code null} message is delivered as {@code null}. */
    Registration onMessage(BiConsumer<Worker, Object> listener);

    Registration onDisconnect(Consumer<Worker> listener);

    Registration onExit(BiConsumer<Worker, ExitStatus> listener);

    /**
     * Connections workers send with a message ({@link WorkerContext#send(Object, Connection,
     * java.nio.ByteBuffer)}), on the primary loop. A listener forwards one with
     * {@link Worker#send(Object, SentConnection)} or closes it; one left held when the listeners return
     * stays open until it is forwarded, closed, or the pool closes. With no listener registered, sent
     * connections are closed.
     */
    Registration onConnection(BiConsumer<Worker, SentConnection> listener);

    /**
     * Replaces every worker, one at a time, with a fresh one (PM2's {@code reload}): for each worker live
     * when it starts, forks a new worker with the same env, waits until the new one listens on every
     * address the old one listened on (or is online, if the old one listened on nothing), then disconnects
     * the old one, whose idle connections are handed over to the workers still listening (so clients see
     * nothing close), and waits for its exit. Reloads asked for while one runs run after it.
     *
     * <p>In {@link Isolation#PROCESS} every new worker is a fresh JVM, so classes and jars changed on disk
     * since the old one started are picked up; in {@link Isolation#THREAD} the workers run the same code
     * (the pool's {@code WorkerMain} source) again.
     *
     * <p>A worker is {@code online} as soon as its loop runs, before its {@code start} returns: for a
     * worker that listens on nothing, a replacement that then fails in {@code start} has already replaced
     * its predecessor. One that listens is ready only once it listens.
     *
     * @return completed when every worker has been replaced; completed exceptionally, stopping the reload,
     * if a new worker exits before it is ready (the old one then keeps running)
     */
    CompletableFuture<Void> reload();

    /**
     * Grows or shrinks the pool to {@code n} live workers: forks what is missing, or disconnects the
     * newest first (their idle connections are handed over to the workers that stay).
     *
     * @return completed when every new worker is online and every removed one has exited
     * @throws IllegalArgumentException if {@code n} is negative
     */
    CompletableFuture<Void> scale(int n);

    /**
     * Failures: a worker whose start, task or handler threw (before its {@code exit}), and the restart
     * policy reaching its intensity limit (an {@link IllegalStateException}, with the worker that crashed
     * last; see {@link RestartPolicy} for what it does then).
     */
    Registration onError(BiConsumer<Worker, Throwable> listener);

    /** Builds a {@link WorkerPool}. Not thread-safe; each {@code build()} makes a new, independent pool. */
    final class Builder {
        private final Supplier<WorkerMain> mains;
        private final Class<? extends WorkerMain> mainClass; // null when built from an instance
        private String name;
        private int size = Runtime.getRuntime().availableProcessors();
        private ThreadKind threads = ThreadKind.PLATFORM;
        private SchedulingPolicy scheduling = SchedulingPolicy.ROUND_ROBIN;
        private RestartPolicy restart = RestartPolicy.never();
        private Map<String, String> env = Map.of();
        private Duration shutdownTimeout = Duration.ofSeconds(10);
        private Duration killTimeout = Duration.ofSeconds(2);
        private int connectionBacklog = 256;
        private Isolation isolation = Isolation.THREAD;
        private List<String> jvmOptions = List.of();
        private Optional<Path> startupCache = Optional.empty();
        private IdleStrategy idle = IdleStrategy.auto();
        private Duration blockedLoopThreshold = Duration.ofSeconds(2);
        private Duration drainGrace = dev.loomcluster.internal.worker.WorkerSpec.DEFAULT_DRAIN_GRACE;

        private Builder(Supplier<WorkerMain> mains, Class<? extends WorkerMain> mainClass, String name) {
            this.mains = mains;
            this.mainClass = mainClass;
            this.name = name.isEmpty() ? "loomcluster" : name;
        }

        /** Workers forked by {@link WorkerPool#start()}; default {@code Runtime.availableProcessors()}. */
        public Builder size(int size) {
            if (size < 0) {
                throw new IllegalArgumentException("size must not be negative: " + size);
            }
            this.size = size;
            return this;
        }

        /** The kind of thread each worker's loop runs on; default {@link ThreadKind#PLATFORM}. */
        public Builder threads(ThreadKind threads) {
            this.threads = Objects.requireNonNull(threads, "threads");
            return this;
        }

        /** How shared sockets distribute connections; default {@link SchedulingPolicy#ROUND_ROBIN}. */
        public Builder scheduling(SchedulingPolicy scheduling) {
            this.scheduling = Objects.requireNonNull(scheduling, "scheduling");
            return this;
        }

        /** What happens when a worker crashes; default {@link RestartPolicy#never()}. */
        public Builder restart(RestartPolicy restart) {
            this.restart = Objects.requireNonNull(restart, "restart");
            return this;
        }

        /** The env every worker starts with (copied). */
        public Builder env(Map<String, String> env) {
            this.env = Map.copyOf(env);
            return this;
        }

        /** The name used in thread names; default the main class's simple name. */
        public Builder name(String name) {
            if (Objects.requireNonNull(name, "name").isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            this.name = name;
            return this;
        }

        /** How long {@link WorkerPool#close()} waits for a graceful disconnect before killing; default 10 s. */
        public Builder shutdownTimeout(Duration timeout) {
            this.shutdownTimeout = PoolOptions.positive(timeout, "shutdownTimeout");
            return this;
        }

        /** How long a killed worker's thread has to stop before it is abandoned as leaked; default 2 s. */
        public Builder killTimeout(Duration timeout) {
            this.killTimeout = PoolOptions.positive(timeout, "killTimeout");
            return this;
        }

        /**
         * Accepted connections that may wait in one worker's queue (round robin) before it is skipped as
         * overloaded; default 256.
         */
        public Builder connectionBacklog(int backlog) {
            if (backlog < 1) {
                throw new IllegalArgumentException("connectionBacklog must be positive: " + backlog);
            }
            this.connectionBacklog = backlog;
            return this;
        }

        /**
         * How workers are isolated; default {@link Isolation#THREAD}. {@link Isolation#PROCESS} needs a
         * builder made by {@link WorkerPool#builder(Class)}: each worker is a child JVM started with this
         * JVM's {@code java}, class path or module path, and {@link #jvmOptions}; its real environment is
         * this JVM's overlaid with the worker's env; it writes to this JVM's stdout and stderr and exits
         * within two seconds if this JVM dies. Messages cross a Unix domain socket, encoded by loomcluster's
         * own codec (never Java serialization). Shared sockets need Linux (the listening descriptor is
         * passed to each child) and {@code --enable-native-access=ALL-UNNAMED} (class path) or
         * {@code =dev.loomcluster} (module path) on this JVM; a child serves one listening address.
         */
        public Builder isolation(Isolation isolation) {
            this.isolation = Objects.requireNonNull(isolation, "isolation");
            return this;
        }

        /**
         * Extra options for each child JVM in {@link Isolation#PROCESS} (Node's {@code execArgv}), such as
         * {@code -Xmx64m}; default none. Ignored by thread workers. A child also gets
         * {@code -XX:+UseSerialGC -Xshare:auto -XX:+ExitOnOutOfMemoryError} (a small footprint, the JDK's
         * class-data archive, and an {@code exit} instead of a broken loop when its heap runs out), each
         * unless these options choose the same thing (another GC, an AOT cache or CDS archive, another
         * out-of-memory action). For a quicker start, see {@link #startupCache}, or add
         * {@code -XX:TieredStopAtLevel=1} (C1 only: a few milliseconds sooner, much slower code).
         */
        public Builder jvmOptions(List<String> options) {
            this.jvmOptions = List.copyOf(options);
            return this;
        }

        /**
         * A directory where the pool keeps a start-up cache for its child JVMs in {@link Isolation#PROCESS}:
         * a JDK AOT cache (JEP 483) of the classes a child loads and links, with which a child comes online
         * sooner (fork to online about 40% less: a median of 175 ms without, 100 ms with, on a busy 2-CPU
         * machine); default none. Ignored by thread workers, like {@link #jvmOptions}.
         *
         * <p>The pool trains the cache itself. The cache is one file, {@code <directory>/loomcluster-<key>.aot},
         * whose key is a hash of everything a cache is only valid for: the JDK ({@code java.home}, version),
         * the child's whole command line (options, class path, module path), and the path, size and
         * modification time of every jar on the class path and module path. (JDK 25 itself does not notice
         * a rebuilt class path jar: it would serve the old jar's classes from the cache.) A changed jar or
         * option gives a new file name, so a stale cache is never used; old files are not removed. While
         * the file does not exist, one child at a time, the first forked while none is training, runs with
         * {@code -XX:AOTCacheOutput} (JEP 514); the JVM writes the cache when that child exits (by a
         * disconnect, kill or crash; not by SIGKILL), to a temporary name the pool renames into place, and
         * children forked meanwhile start without a cache. Every child forked after that, by this pool or
         * by a later run of the application with the same key, starts with {@code -XX:AOTCache}; a pool
         * whose first child lives as long as the application uses the cache from the next run on. A cache
         * that was not written completely is deleted, and a later fork trains again (three times at most
         * per pool).
         *
         * <p>Costs: the training child's exit takes about one second longer (its JVM writes the cache
         * through a second JVM it starts); the file takes about 15 MB for loomcluster's own classes, more
         * for an application with more. That child's JVM prints six lines about the cache on stderr when it
         * exits; every other message the JVM has about the cache (a corrupt file, say) goes to stderr too,
         * never to stdout.
         *
         * <p>Constraints: the class path must be jars, and the module path jars or directories of jars.
         * If an entry is a directory of classes (such as {@code target/classes} in an IDE or a test run),
         * or if {@link #jvmOptions} or the {@code JAVA_TOOL_OPTIONS}-style variables of the environment
         * choose an archive themselves ({@code -XX:AOTCache}, {@code -XX:AOTMode}, {@code -XX:SharedArchiveFile},
         * {@code -Xshare}, ...), children start without a cache, as if this option were not set, and the
         * reason is logged once at INFO on the logger {@code dev.loomcluster.pool}. The directory is made if
         * it does not exist; a directory this user cannot write is only read (a cache trained elsewhere
         * with the same key is used).
         */
        public Builder startupCache(Path directory) {
            this.startupCache = Optional.of(Objects.requireNonNull(directory, "directory").toAbsolutePath());
            return this;
        }

        /**
         * What the pool's event loops (primary and workers, in child JVMs too) do when idle; default
         * {@link IdleStrategy#auto()} (it spins briefly only on platform threads, and only while the loops on
         * this machine, the JVM's and its child JVMs', fit its CPUs).
         */
        public Builder idleStrategy(IdleStrategy idle) {
            this.idle = Objects.requireNonNull(idle, "idle");
            return this;
        }

        /**
         * How long one task may hold a loop (the primary's or a worker's: a message handler, a timer, a
         * connection callback, a task given to {@code execute}) before it is reported; default 2 s, as
         * Vert.x's blocked-thread checker. A task running longer is logged once at WARNING on the logger
         * {@code dev.loomcluster.loop}, with the loop thread's stack, and recorded as a
         * {@code dev.loomcluster.SlowLoopTask} JFR event. It is seen within a quarter of the threshold
         * after crossing it. {@link Duration#ZERO} turns the check off.
         */
        public Builder blockedLoopThreshold(Duration threshold) {
            if (Objects.requireNonNull(threshold, "threshold").isNegative()) {
                throw new IllegalArgumentException("blockedLoopThreshold must not be negative: " + threshold);
            }
            this.blockedLoopThreshold = threshold;
            return this;
        }

        /**
         * How long a disconnecting worker keeps serving connections it cannot hand over to another worker
         * (none is left on their address: the pool is closing, or the last worker of an address leaves)
         * before closing them; default 5 s. During the grace the HTTP server answers the requests that
         * arrive with {@code Connection: close}; a raw handler learns it through
         * {@link WorkerContext#drainGrace()}. Keep it below {@link #shutdownTimeout}: the pool kills
         * workers still running after that.
         */
        public Builder drainGrace(Duration grace) {
            if (Objects.requireNonNull(grace, "drainGrace").isNegative()) {
                throw new IllegalArgumentException("drainGrace must not be negative: " + grace);
            }
            this.drainGrace = grace;
            return this;
        }

        /**
         * Builds the pool and starts its primary loop; no worker is forked until {@code start()}/{@code fork()}.
         *
         * @throws IllegalStateException if {@link Isolation#PROCESS} is asked of a builder made from a
         *                               {@link WorkerMain} instance (a child JVM cannot receive it)
         */
        public WorkerPool build() {
            if (isolation == Isolation.PROCESS && mainClass == null) {
                throw new IllegalStateException("Isolation.PROCESS needs WorkerPool.builder(Class): a child JVM"
                        + " makes its own instance of the main class, and cannot receive a lambda or an object");
            }
            return PoolImpl.create(new PoolOptions(mains, Optional.ofNullable(mainClass), name, size, threads,
                    scheduling, restart, new LinkedHashMap<>(env), shutdownTimeout, killTimeout, connectionBacklog,
                    isolation, jvmOptions, startupCache, idle, blockedLoopThreshold, drainGrace));
        }
    }
}
