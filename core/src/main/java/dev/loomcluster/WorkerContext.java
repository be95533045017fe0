package dev.loomcluster;

import dev.loomcluster.internal.worker.WorkerRuntime;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
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
