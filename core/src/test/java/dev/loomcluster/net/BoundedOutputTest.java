package dev.loomcluster.net;

import dev.loomcluster.Connection;
import dev.loomcluster.ConnectionHandler;
import dev.loomcluster.ThreadKind;
import dev.loomcluster.WorkerPool;
import dev.loomcluster.testing.Await;
import dev.loomcluster.testing.FreePorts;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A peer that sends without ever reading cannot make a connection queue output without bound: the
 * connection stops reading while its queued output is over the high-water mark, whether the handler
 * writes on the loop or from an executor (pausing reading while its work is queued there); the worker
 * keeps serving other clients meanwhile.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BoundedOutputTest {
    /** High-water mark plus what one event's reads can echo before the loop sees the mark crossed. */
    private static final long BOUND = 64 * 1024 + 4 * 64 * 1024 + 64 * 1024;
    private static final int AMPLIFY = 4; // each byte read is answered with 4: output outgrows input

    @ParameterizedTest
    @CsvSource({"PLATFORM,false", "PLATFORM,true", "VIRTUAL,false", "VIRTUAL,true"})
    void nonReadingPeerIsThrottled(ThreadKind kind, boolean offLoop) throws Exception {
        InetSocketAddress address = FreePorts.loopbackAddress();
        AtomicLong maxPending = new AtomicLong();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try (WorkerPool pool = WorkerPool.builder(ctx -> ctx.listen(address, conn -> new ConnectionHandler() {
                    @Override
                    public void onData(Connection c, ByteBuffer data) {
                        byte[] in = new byte[data.remaining()];
                        data.get(in);
                        if (in.length > 0 && in[0] == 'E') { // an echo client: answer as is
                            c.write(in, 0, in.length);
                            return;
                        }
                        Runnable answer = () -> {
                            for (int i = 0; i < AMPLIFY; i++) {
                                c.write(in, 0, in.length);
                            }
                            maxPending.accumulateAndGet(c.pendingBytes(), Math::max);
                        };
                        if (offLoop) { // one piece of work at a time, as Connection's javadoc asks
                            c.pauseReading();
                            executor.execute(() -> {
                                answer.run();
                                c.resumeReading();
                            });
                        } else {
                            answer.run();
                        }
                    }
                })).name("bounded" + kind + offLoop).threads(kind).size(1).build()) {
            var listening = new java.util.concurrent.CountDownLatch(1);
            pool.onListening((w, a) -> listening.countDown());
            pool.start();
            Await.latch("listening", listening);
            try (Socket greedy = new Socket()) {
                greedy.connect(address, 5_000);
                greedy.setReceiveBufferSize(64 * 1024);
                AtomicLong sent = new AtomicLong();
                Thread writer = Thread.ofPlatform().daemon(true).start(() -> {
                    byte[] chunk = new byte[16 * 1024];
                    try {
                        OutputStream out = greedy.getOutputStream();
                        while (true) {
                            out.write(chunk);
                            sent.addAndGet(chunk.length);
                        }
                    } catch (Exception closed) {
                        // the test closes the socket
                    }
                });
                // The writer stalls once the kernel buffers on both sides are full and the server stopped reading.
                long last = -1;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (sent.get() != last && System.nanoTime() < deadline) {
                    last = sent.get();
                    Thread.sleep(300);
                }
                assertTrue(sent.get() == last, "the peer was throttled: its writes stalled at " + sent.get() + " bytes");
                executor.submit(() -> { }).get(10, TimeUnit.SECONDS); // off-loop answers done
                assertTrue(maxPending.get() <= BOUND, "queued output peaked at " + maxPending.get() + " bytes");
                assertTrue(maxPending.get() > 64 * 1024, "the mark was reached: " + maxPending.get());
                Echo.assertEcho(address, "E: another client is served meanwhile");
                writer.interrupt();
            }
        } finally {
            executor.shutdownNow();
        }
    }
}
