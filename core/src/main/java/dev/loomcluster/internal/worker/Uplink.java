package dev.loomcluster.internal.worker;

/**
 * A running worker's channel to its primary: the primary's {@code Worker} handle when the worker is a
 * thread of this JVM, an IPC connection when it is a child JVM. Any thread of the worker.
 */
public interface Uplink {

    /** Queues an isolated message, or a {@link Signal}, for the primary; order is kept. */
    void post(Object entry);

    /** Whether the primary still takes messages from this worker: false once it is disconnected. */
    boolean isConnected();

    /**
     * The worker asks to be disconnected ({@code ctx.disconnect()}): as in Node, the primary marks it
     * {@code exitedAfterDisconnect} and then disconnects it.
     */
    void requestDisconnect();

    /**
     * Whether connections can be sent to the primary ({@link Signal.Sent}): only when the primary is in
     * this JVM, as a connection's channel cannot cross a process boundary here.
     */
    default boolean carriesConnections() {
        return false;
    }
}
