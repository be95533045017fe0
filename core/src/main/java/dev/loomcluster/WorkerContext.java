package dev.loomcluster;

import dev.loomcluster.internal.worker.WorkerRuntime;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A worker's view of itself and of its pool (Node's {@code cluster.worker} and {@code process} inside a
 * worker).
 *
 * <p>Handlers and timers registered here run on the worker's event loop thread, one at a time, so
 * worker state needs no locks. Every method may be called from any thread. A handler or timer that throws
 * ends the worker with exit code 1 and an {@code error} event; the other workers keep running.
 */
public interface WorkerContext {

    /**
     * The context of the worker whose loop runs the calling thread, if any: Node's
     * {@code cluster.isWorker} and {@code cluster.worker}.
     */
    static Optional<WorkerContext> current() {
        return Optional.ofNullable(WorkerRuntime.current());
    }

    /** The worker id, as the primary sees it. */
    int id();

    /** The worker's environment: the pool's env overlaid with the one given to {@code fork}. */
    Map<String, String> env();

    /**
     * Sends a message to the primary ({@link Worker#onMessage} and {@link WorkerPool#onMessage}). Checked
     * and copied now, like {@link WorkerPool#send}.
     *
     * @return {@code false} if the worker is disconnected (the message is dropped)
     * @throws IllegalArgumentException if the message is not of an allowed type
     */
    boolean send(Object message);

    /**
     * Sends one of this worker's connections to the primary with a message (Node's
     * {@code process.send(message, socket)}); the primary's {@link WorkerPool#onConnection} listeners
     * receive it as a {@link SentConnection} and may forward it to any worker. On success the connection
     * leaves this worker at once: its handler gets {@code onClose}, the socket stays open. {@code unconsumed}
     * (bytes this handler received but did not consume) goes with it and reaches the receiving handler
     * first. The handler and the attachment do not go; see {@link Connection#handOver} for the rules.
     *
     * <p>Loop thread only (from a handler callback). Only for workers in the primary's JVM
     * ({@link Isolation#THREAD}); a child JVM's worker gets {@code false}.
     *
     * @return {@code false}, with the connection unchanged, if it cannot be sent: this worker is
     * disconnected, the connection is not this worker's, it is closing, or output is still queued
     * @throws IllegalArgumentException if the message is not of an allowed type
     * @throws IllegalStateException    if called from another thread than this worker's loop
     */
    boolean send(Object message, Connection connection, java.nio.ByteBuffer unconsumed);

    /** {@link #send(Object, Connection, java.nio.ByteBuffer)} with no unconsumed input. */
    default boolean send(Object message, Connection connection) {
        return send(message, connection, java.nio.ByteBuffer.allocate(0));
    }

    /**
     * Receives connections forwarded to this worker ({@link Worker#send(Object, SentConnection)}, Node's
     * {@code process.on('message', (message, socket) -> ...)}): on this worker's loop, {@code handlers} is
     * given the message and the connection and returns the connection's handler, which then gets
     * {@code onOpen}, the carried input, and what the peer sends next. One receiver at a time; while none
     * is registered, connections sent here are closed.
     *
     * @throws IllegalStateException if a receiver is registered already
     */
    Registration onConnection(BiFunction<Object, Connection, ConnectionHandler> handlers);

    /**
     * How long a disconnecting worker whose connections cannot be handed over (no other worker listens on
     * their address: the pool is closing) keeps serving what arrives on them before closing
     * ({@link WorkerPool.Builder#drainGrace}).
     */
    Duration drainGrace();

    /** Handles messages from the primary, on this worker's loop. */
    Registration onMessage(Consumer<Object> handler);

    /** Runs when the worker starts disconnecting, on its loop, before open connections are drained. */
    Registration onDisconnect(Runnable hook);

    /** Runs a task on this worker's loop. */
    void execute(Runnable task);

    /** Runs a task once on this worker's loop after a delay. */
    Cancellable schedule(Duration delay, Runnable task);

    /** Runs a task on this worker's loop after {@code initialDelay}, then every {@code period}. */
    Cancellable scheduleAtFixedRate(Duration initialDelay, Duration period, Runnable task);

    /**
     * Listens on an address shared by the pool: the first worker to listen on it makes the pool bind it,
     * every other worker listening on it shares that socket, and the pool fires {@code listening}. Port 0
     * binds a random port the first time; every later {@code listen} on port 0 gets that same port.
     * Accepted connections are handed to this worker as the pool's {@link SchedulingPolicy} decides, and
     * {@code handlers} is asked for each one's handler on this worker's loop.
     *
     * @throws IOException if the address cannot be bound (in use, no permission)
     */
    NetServer listen(InetSocketAddress address, Function<Connection, ConnectionHandler> handlers) throws IOException;

    /** {@link #listen(InetSocketAddress, Function)} on all local addresses at {@code port}. */
    default NetServer listen(int port, Function<Connection, ConnectionHandler> handlers) throws IOException {
        return listen(new InetSocketAddress(port), handlers);
    }

    /** Whether the worker is disconnecting (it takes no new connections) or exiting. */
    boolean isDisconnecting();

    /**
     * Disconnects this worker gracefully (see {@link Worker#disconnect()}); it exits with code 0 once its
     * connections are closed.
     */
    void disconnect();

    /**
     * Exits the worker with the given code as soon as the current task returns: pending tasks are dropped,
     * connections closed. Code 0 counts as a normal exit, anything else as a crash.
     */
    void exit(int code);
}
