package dev.loomcluster;

/**
 * How workers are isolated from each other and from the primary: Node's {@code worker_threads} against
 * its {@code cluster}.
 */
public enum Isolation {
    /**
     * Each worker is an event loop on a thread of the primary's JVM: cheap to fork and to message, and a
     * hand-off of a connection between workers costs nothing; a worker that exhausts the heap or crashes
     * the JVM takes its siblings with it.
     */
    THREAD,
    /**
     * Each worker is a child JVM running the same {@link WorkerMain}: real isolation (own heap, own
     * statics, own crash), at the price of a JVM start per fork and a codec per message. Needs a main
     * class ({@link WorkerPool#builder(Class)}).
     */
    PROCESS
}
