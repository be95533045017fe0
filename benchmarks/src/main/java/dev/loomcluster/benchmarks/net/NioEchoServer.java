package dev.loomcluster.benchmarks.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;

/**
 * The baseline of the shared-socket benchmark: one {@link ServerSocketChannel} and one platform thread
 * running a non-blocking {@link Selector} loop that accepts, echoes whatever it reads and closes a
 * connection when its peer half-closes: the smallest single event loop doing the same work as one
 * loomcluster worker, without the pool's acceptor hand-off.
 *
 * <p>Threads: the loop runs on its own platform thread named {@code nio-echo}; {@link #close()} (any
 * thread) wakes it and waits for it to end.
 */
final class NioEchoServer implements EchoServer {

    private final ServerSocketChannel server;
    private final Selector selector;
    private final Thread loop;
    private volatile boolean closed;

    NioEchoServer(InetSocketAddress bind, int backlog) throws IOException {
        selector = Selector.open();
        server = ServerSocketChannel.open();
        server.bind(bind, backlog);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        loop = Thread.ofPlatform().name("nio-echo").start(this::run);
    }

    @Override
    public InetSocketAddress address() {
        try {
            return (InetSocketAddress) server.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void run() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        try {
            while (!closed) {
                selector.select();
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        accept();
                    } else {
                        serve(key, buffer);
                    }
                }
            }
        } catch (IOException | ClosedSelectorException e) {
            if (!closed) {
                throw new IllegalStateException("nio echo loop failed", e);
            }
        }
    }

    private void accept() throws IOException {
        SocketChannel channel;
        while ((channel = server.accept()) != null) {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.register(selector, SelectionKey.OP_READ);
        }
    }

    private static void serve(SelectionKey key, ByteBuffer buffer) {
        SocketChannel channel = (SocketChannel) key.channel();
        try {
            if (key.isWritable()) {
                ByteBuffer pending = (ByteBuffer) key.attachment();
                channel.write(pending);
                if (pending.hasRemaining()) {
                    return;
                }
                key.attach(null);
                key.interestOps(SelectionKey.OP_READ);
            }
            if (!key.isReadable()) {
                return;
            }
            buffer.clear();
            int n = channel.read(buffer);
            if (n < 0) {
                channel.close(); // the peer half-closed: close, as the worker's default onInputClosed does
                return;
            }
            buffer.flip();
            channel.write(buffer);
            if (buffer.hasRemaining()) { // rare with small payloads: keep the rest and wait for OP_WRITE
                ByteBuffer pending = ByteBuffer.allocate(buffer.remaining()).put(buffer).flip();
                key.attach(pending);
                key.interestOps(SelectionKey.OP_WRITE);
            }
        } catch (IOException e) {
            key.cancel();
            try {
                channel.close();
            } catch (IOException ignored) {
                // already failing
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        selector.wakeup();
        EchoServer.joinQuietly(loop, 5_000);
        for (SelectionKey key : selector.keys()) {
            key.channel().close();
        }
        selector.close();
        server.close();
    }
}
