package dev.loomcluster.benchmarks.net;

import java.io.IOException;
import java.net.InetSocketAddress;

/** One echo server variant of the shared-socket benchmark. Any thread. */
interface EchoServer extends AutoCloseable {

    /** Where clients connect. */
    InetSocketAddress address();

    /** How connections were spread over the server's loops, e.g. {@code "812/790"}; "-" if one loop. */
    default String distribution() {
        return "-";
    }

    @Override
    void close() throws IOException;

    /** Waits up to {@code millis} for {@code thread} to end; keeps the interrupt flag if interrupted. */
    static void joinQuietly(Thread thread, long millis) {
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
