package dev.loomcluster.internal.primary;

import dev.loomcluster.internal.observe.LoopProbe;

import java.util.Optional;

/**
 * The primary's link to one running worker, whatever runs it: a thread of this JVM ({@link ThreadLink})
 * or a child JVM. The worker answers through the {@link WorkerHandle}'s outbox, as
 * {@link dev.loomcluster.internal.worker.Signal}s and messages. Any thread unless a method says otherwise.
 */
public interface WorkerLink {

    /** Starts the worker. Primary loop, once. */
    void start();

    /** Hands an isolated message to the worker; {@code false} if it no longer takes messages. */
    boolean deliver(Object isolated);

    /**
     * Hands a connection sent by a worker, with an isolated message, to this worker; {@code false} if it
     * cannot take it (ending, or in another JVM), the connection then stays the caller's.
     */
    default boolean deliverConnection(Object isolated, dev.loomcluster.internal.net.Transfer transfer) {
        return false;
    }

    /** Asks the worker to disconnect gracefully. */
    void requestDisconnect();

    /** Ends the worker at once (SIGTERM for a process). */
    void kill();

    /**
     * The kill timeout passed and the worker has not reported its exit: forces it (SIGKILL for a process,
     * abandoning a thread stuck in user code), releases what it held. Primary loop. Returns whether a
     * thread was left running (leaked).
     */
    boolean forceEnd();

    /** A thread that may still be finishing after the worker reported its exit, for {@code close()} to join. */
    Optional<Thread> exitingThread();

    /** Whether the calling thread is this worker's own (a thread mode worker closing its own pool). */
    boolean isCurrentThread();

    /** The child process, in process mode. */
    Optional<ProcessHandle> process();

    /** Counters for {@code WorkerStats}. */
    Counters counters();

    /**
     * The probe of the worker's loop when that loop runs in this JVM, for the blocked-loop watchdog;
     * empty for a child JVM, whose own watchdog watches it.
     */
    default Optional<LoopProbe> loopProbe() {
        return Optional.empty();
    }

    /** What the worker has counted so far; lag in nanoseconds. */
    record Counters(long messagesIn, long messagesOut, int mailboxDepth, double utilization,
                    long connectionsReceived, long connectionsOpen,
                    long loopLagP50, long loopLagP99, long loopLagSamples, long requestsServed) {

        /** Counters without loop lag and requests (zero). */
        Counters(long messagesIn, long messagesOut, int mailboxDepth, double utilization,
                 long connectionsReceived, long connectionsOpen) {
            this(messagesIn, messagesOut, mailboxDepth, utilization, connectionsReceived, connectionsOpen, 0, 0, 0, 0);
        }
    }
}
