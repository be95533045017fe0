package dev.loomcluster.internal.net;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * How a worker gets its {@link Share} of a listening socket: {@link SharedServers} binds and accepts inside
 * this JVM; a process-backed worker asks its primary over IPC. Any thread.
 */
public interface ListenService {

    /**
     * Joins the socket listening on {@code address} (binding it first if no worker listens there yet);
     * accepted connections are handed to {@code owner} on its loop.
     *
     * @throws IOException if the address cannot be bound
     */
    Share listen(InetSocketAddress address, ShareOwner owner) throws IOException;

    /** Closes every socket this service bound (pool shutdown). */
    void closeAll();
}
