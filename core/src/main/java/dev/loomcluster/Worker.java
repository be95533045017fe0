package dev.loomcluster;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The primary's handle on one worker (Node's {@code cluster.Worker} in the primary).
 *
 * <p>Methods may be called from any thread. Listeners run on the pool's primary loop thread, in Node's
 * order: {@code online}, {@code listening}…, {@code message}…, {@code disconnect}, then {@code exit}.
 * A listener registered on the primary loop (for example inside an {@code onFork} listener, or right
 * after {@code fork()} called on that loop) sees every event of the worker; one registered from another
 * thread sees the events after its registration.
 */
public interface Worker {

    /** The worker id: starts at 1, never reused within a pool. */
    int id();

    /** The environment the worker was forked with: the pool's env overlaid with {@code fork(env)}'s. */
    Map<String, String> env();

    /**
     * Sends a message to the worker's {@link WorkerContext#onMessage} handlers.
     *
     * <p>The message is checked and copied now (see {@link WorkerPool#send}); delivery is FIFO per sender.
     *
     * @return {@code false} if the worker is disconnected or dead (the message is dropped)
     * @throws IllegalArgumentException if the message (or a part of it) is not of an allowed type
     */
    boolean send(Object message);

    /**
     * Forwards a connection a worker sent to the primary, with a message (Node's
     * {@code worker.send(message, socket)}): this worker's {@link WorkerContext#onConnection} receiver
     * gets both on its loop. The message is checked and copied now.
     *
     * @return {@code false}, with the connection still held, if this worker is disconnected, dead, or in
     * another JVM; {@code true} once it is this worker's
     * @throws IllegalStateException    if the connection was already forwarded or closed
     * @throws IllegalArgumentException if the message is not of an allowed type
     */
    boolean send(Object message, SentConnection connection);

    /**
     * Ends the worker at once, without running its disconnect hooks: {@code exit} reports
     * {@link ExitStatus#SIGTERM}. A worker thread stuck in user code cannot be stopped by the JVM: after
     * the pool's kill timeout it is reported dead with {@link ExitStatus#SIGKILL}, removed, its connections
     * closed, and counted in {@link PoolStats#leakedThreads()}.
     */
    void kill();

    /**
     * Disconnects the worker gracefully: it stops taking new connections, runs its
     * {@link WorkerContext#onDisconnect} hooks, lets open connections finish, then exits with code 0;
     * {@link #exitedAfterDisconnect()} becomes true. Idempotent.
     *
     * @return a future completed when the worker has exited (by any means)
     */
    CompletableFuture<Void> disconnect();

    /** Whether the worker has exited (its {@code exit} event is delivered or about to be). */
    boolean isDead();

    /** Whether the worker is connected to the primary: true from fork until its {@code disconnect} event. */
    boolean isConnected();

    /**
     * Whether the worker was asked to disconnect, by {@link #disconnect()} or by its own
     * {@link WorkerContext#disconnect()}. As in Node's implementation, it becomes true when the disconnect
     * is asked for, so it is already true in the {@code disconnect} and {@code exit} listeners (the value to
     * test there), and stays true however the worker then ends. False for a worker that ended any other way
     * (a crash, {@link WorkerContext#exit}, {@link #kill()} without a disconnect) and for a live worker that
     * was not asked to disconnect (where Node has {@code undefined}).
     */
    boolean exitedAfterDisconnect();

    /** How the worker ended, once it has. */
    Optional<ExitStatus> exitStatus();

    /**
     * The worker's operating-system process (Node's {@code worker.process}): present when the pool runs
     * workers as child JVMs, empty for workers that are threads of the primary's JVM.
     */
    Optional<ProcessHandle> process();

    /** The worker's statistics now. */
    WorkerStats stats();

    Registration onOnline(Runnable listener);

    Registration onListening(Consumer<InetSocketAddress> listener);

    /** Messages from the worker; a {@code null} message is delivered as {@code null}. */
    Registration onMessage(Consumer<Object> listener);

    Registration onDisconnect(Runnable listener);

    Registration onExit(Consumer<ExitStatus> listener);

    Registration onError(Consumer<Throwable> listener);
}
