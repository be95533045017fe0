package dev.loomcluster;

/**
 * How accepted connections of a shared listening socket reach the workers listening on it.
 */
public enum SchedulingPolicy {
    /**
     * Node's {@code SCHED_RR}, the default: one acceptor thread accepts and hands each connection to the
     * next worker in turn, through that worker's lock-free queue. A worker that is disconnecting, dead or
     * holds more than its backlog of queued connections is skipped; when every worker is full, accepting
     * pauses and the kernel's backlog holds the rest.
     */
    ROUND_ROBIN,
    /**
     * Node's {@code SCHED_NONE}, done in user space: accepted connections go into one shared queue from
     * which workers take a connection whenever their loop is about to wait. A busy worker takes less.
     * Unlike Node, where every worker calls {@code accept} on the same socket and the kernel picks the
     * winner (which tends to favour a few processes), the choice here is made by which loop is idle.
     */
    SHARED
}
