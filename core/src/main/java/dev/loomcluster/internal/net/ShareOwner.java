package dev.loomcluster.internal.net;

import dev.loomcluster.internal.loop.EventLoop;

import java.nio.channels.SocketChannel;

/** What a {@link Share} hands accepted connections to: one worker's server on one address. */
public interface ShareOwner {

    /** The worker's loop, on which {@link #adopt} must run. */
    EventLoop loop();

    /** A connection accepted for this worker. Worker loop. */
    void adopt(SocketChannel channel);

    /** A connection another worker handed over to this one, with its unconsumed input. Worker loop. */
    void adoptTransfer(Transfer transfer);
}
