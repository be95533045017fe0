package dev.loomcluster.internal.process;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Child JVM main for {@link ChildJvmTest}: inherits the listening socket in non-blocking mode, then for
 * every turn byte the primary sends on the Unix socket accepts at most one connection, writes its name (the
 * payload that came with the descriptor) to it, closes it, and answers {@link #ACCEPTED} or {@link #NOTHING}.
 * Exits 0 when the primary closes the Unix socket.
 */
public final class TurnChild {
    static final byte TURN = 'T';
    static final byte ACCEPTED = '1';
    static final byte NOTHING = '0';

    private TurnChild() {
    }

    public static void main(String[] args) throws IOException {
        ChildSide side = ChildSide.inherit();
        side.listener().configureBlocking(false);
        byte[] turn = new byte[1];
        while (NativeSockets.receive(side.ipcFd(), turn, 0, 1) > 0) {
            if (turn[0] != TURN) {
                System.err.println("child: unexpected byte " + turn[0]);
                System.exit(4);
            }
            byte[] answer = {NOTHING};
            try (SocketChannel conn = side.listener().accept()) {
                if (conn != null) {
                    conn.write(ByteBuffer.wrap(side.payload()));
                    answer[0] = ACCEPTED;
                }
            }
            NativeSockets.sendFully(side.ipcFd(), answer, 0, 1);
        }
        System.exit(0);
    }
}
