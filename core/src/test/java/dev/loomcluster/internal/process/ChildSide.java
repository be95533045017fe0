package dev.loomcluster.internal.process;

import dev.loomcluster.internal.process.NativeSockets.ReceivedFd;

import java.io.IOException;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;

/**
 * The child's half of the hand-over, as the process mode will do it: connect to the primary's Unix socket,
 * receive the listening descriptor, {@code dup2} it onto fd 0 and take {@link System#inheritedChannel()}.
 * Also arms a watchdog so that a child whose test died still exits. Runs on the child's main thread.
 */
record ChildSide(int ipcFd, ServerSocketChannel listener, byte[] payload) {

    /** Exit status of a child whose inherited channel was not a listening socket. */
    static final int NOT_A_SERVER_SOCKET = 2;
    /** Exit status of a child stopped by its watchdog. */
    static final int WATCHDOG = 3;

    static ChildSide inherit() throws IOException {
        Thread.ofPlatform().daemon(true).name("watchdog").start(() -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("child: watchdog fired after 60 s");
            Runtime.getRuntime().halt(WATCHDOG);
        });
        int ipc = NativeSockets.connectUnix(Path.of(System.getenv(ChildJvm.SOCKET_ENV)));
        ReceivedFd received = NativeSockets.receiveFd(ipc);
        NativeSockets.dup2(received.fd(), 0);
        NativeSockets.close(received.fd());
        Channel inherited = System.inheritedChannel();
        if (!(inherited instanceof ServerSocketChannel listener)) {
            System.err.println("child: inheritedChannel() is " + inherited + ", not a ServerSocketChannel");
            System.exit(NOT_A_SERVER_SOCKET);
            throw new AssertionError("unreachable");
        }
        return new ChildSide(ipc, listener, received.payload());
    }
}
