package dev.loomcluster.net;

import dev.loomcluster.Connection;
import dev.loomcluster.ConnectionHandler;
import dev.loomcluster.ThreadKind;
import dev.loomcluster.WorkerPool;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Writes past the high-water mark turn a connection unwritable, and draining turns it writable again. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BackPressureTest {
    private static final int CHUNK = 64 * 1024;
    private static final int CHUNKS = 512; // 32 MiB: far more than loopback socket buffers hold

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void offLoopWritesReportWritabilityBothWays(ThreadKind kind) throws Exception {
        List<Boolean> changes = new CopyOnWriteArrayList<>();
        var sawUnwritable = new LinkedBlockingQueue<Boolean>();
        var address = new LinkedBlockingQueue<InetSocketAddress>();
        try (WorkerPool pool = WorkerPool.builder(ctx -> ctx.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        c -> new ConnectionHandler() {
                            @Override
                            public void onOpen(Connection connection) {
                                Thread.ofPlatform().start(() -> { // a writer that is not the loop
                                    boolean unwritable = false;
                                    byte[] chunk = new byte[CHUNK];
                                    for (int i = 0; i < CHUNKS; i++) {
                                        unwritable |= !connection.write(chunk, 0, chunk.length);
                                    }
                                    sawUnwritable.add(unwritable);
                                });
                            }

                            @Override
                            public void onData(Connection connection, ByteBuffer data) {
                            }

                            @Override
                            public void onWritabilityChanged(Connection connection, boolean writable) {
                                changes.add(writable);
                            }
                        }))
                .size(1).threads(kind).build()) {
            pool.onListening((w, a) -> address.add(a));
            pool.start();
            InetSocketAddress bound = address.poll(10, TimeUnit.SECONDS);
            assertNotNull(bound);
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), bound.getPort())) {
                s.setSoTimeout(20_000);
                Boolean unwritable = sawUnwritable.poll(20, TimeUnit.SECONDS); // the peer reads nothing yet
                assertEquals(Boolean.TRUE, unwritable, "write() reported the connection unwritable");
                InputStream in = s.getInputStream();
                long total = (long) CHUNK * CHUNKS;
                long read = 0;
                byte[] buffer = new byte[256 * 1024];
                while (read < total) {
                    int n = in.read(buffer);
                    if (n < 0) {
                        break;
                    }
                    read += n;
                }
                assertEquals(total, read, "every byte arrives");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                // Writability may flip more than twice while the writer and the reader race; once every byte
                // is read the queue is empty, so the last change must become "writable".
                while ((changes.isEmpty() || !changes.getLast()) && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertFalse(changes.isEmpty(), "a writability change was reported");
                assertEquals(Boolean.FALSE, changes.getFirst(), "first unwritable: " + changes);
                assertEquals(Boolean.TRUE, changes.getLast(), "writable again once drained: " + changes);
            }
        }
    }
}
