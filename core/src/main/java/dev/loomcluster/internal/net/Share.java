package dev.loomcluster.internal.net;

import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;

/** One worker's share of a listening socket, made by a {@link ListenService}. */
public interface Share {

    /** The address actually bound (a real port where port 0 was asked for). Any thread. */
    InetSocketAddress address();

    /**
     * Worker loop, when it is about to wait: takes a connection from an accept queue that every share
     * takes from ({@link dev.loomcluster.SchedulingPolicy#SHARED}); {@code true} if one was handed over.
     */
    boolean pollIdle();

    /**
     * Gives back a channel this share handed over but its worker could not take (it is leaving): it goes
     * to another share, or is closed if none is left. Any thread.
     */
    void giveBack(SocketChannel channel);

    /** Stops handing connections to this worker; what is still queued goes to other shares. Any thread. */
    void close();

    /**
     * Whether another worker listens on this address in this JVM and could take a connection handed over
     * from this share's worker. A service whose workers live in other processes has none. Any thread.
     */
    default boolean canHandOver() {
        return false;
    }

    /**
     * Hands a connection over to another share of this address (round robin), whose worker adopts it on
     * its loop. Returns {@code false}, leaving the connection to the caller, when no other share is left
     * (also when the last ones close while it is offered). Any thread.
     */
    default boolean handOver(Transfer transfer) {
        return false;
    }
}
