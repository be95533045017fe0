package dev.loomcluster.internal.process;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Child JVM main for {@link ChildJvmTest}: inherits the listening socket, accepts {@value #CONNECTIONS}
 * connections on it one after the other, echoes each until its client shuts down output, then exits 0.
 */
public final class EchoChild {
    static final int CONNECTIONS = 3;

    private EchoChild() {
    }

    public static void main(String[] args) throws IOException {
        ChildSide side = ChildSide.inherit();
        ByteBuffer buf = ByteBuffer.allocate(1024);
        for (int i = 0; i < CONNECTIONS; i++) {
            try (SocketChannel conn = side.listener().accept()) {
                while (conn.read(buf.clear()) >= 0) {
                    buf.flip();
                    while (buf.hasRemaining()) {
                        conn.write(buf);
                    }
                }
            }
        }
        side.listener().close();
        NativeSockets.close(side.ipcFd());
        System.exit(0);
    }
}
