package dev.loomcluster.internal.worker;

import dev.loomcluster.ExitStatus;

import java.net.InetSocketAddress;

/**
 * Lifecycle notices a worker posts to its outbox, in order with its messages, for the primary loop.
 * Made on the worker's thread, read on the primary loop (in a child JVM they cross the IPC channel in order with the messages).
 */
public sealed interface Signal {
    /** The worker's loop runs. */
    record Online() implements Signal {
    }

    /** The worker listens on an address. */
    record Listening(InetSocketAddress address) implements Signal {
    }

    /** The worker's start, a task or a handler threw. */
    record Failed(Throwable error) implements Signal {
    }

    /**
     * The worker sends one of its connections, detached from its loop, with an isolated message
     * ({@code ctx.send(message, connection)}). Only within one JVM.
     */
    record Sent(Object message, dev.loomcluster.internal.net.Transfer transfer) implements Signal {
    }

    /** The worker's channel to the primary is closed: it takes no more messages. */
    record Disconnected() implements Signal {
    }

    /** The worker's loop has ended. */
    record Exited(ExitStatus status) implements Signal {
    }

    Online ONLINE = new Online();
    Disconnected DISCONNECTED = new Disconnected();
}
