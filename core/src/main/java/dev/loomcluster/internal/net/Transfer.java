package dev.loomcluster.internal.net;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * A connection on its way from one worker's loop to another's: the open channel, no longer registered
 * with the old loop's selector, and the bytes the old handler had received but not consumed, to be
 * replayed to the new handler before anything else is read. Made on the old loop; read once, on the
 * new one (the queue that carries it publishes it safely). Nothing else crosses: not the old handler,
 * not its attachment, not queued output (a connection hands over only with none).
 *
 * @param channel the open, non-blocking channel
 * @param carried the unconsumed input, a read-only heap buffer (possibly empty)
 */
public record Transfer(SocketChannel channel, ByteBuffer carried) {

    /** Makes a transfer with a private copy of {@code unconsumed}'s remaining bytes (which it consumes). */
    static Transfer of(SocketChannel channel, ByteBuffer unconsumed) {
        ByteBuffer copy = ByteBuffer.allocate(unconsumed.remaining()).put(unconsumed).flip();
        return new Transfer(channel, copy.asReadOnlyBuffer());
    }

    /** Drops the connection: nobody can take it. Any thread. */
    public void close() {
        SharedServer.closeQuietly(channel);
    }
}
