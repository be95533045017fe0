package dev.loomcluster.internal.process;

import dev.loomcluster.internal.loop.EventLoop;
import dev.loomcluster.internal.message.WireCodec;
import dev.loomcluster.internal.message.WireLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One end of an {@link IpcChannel} whose frames come from its own event loop ({@link IpcChannel#flushOn},
 * written once per batch of the loop) and from other threads at once (written by the sender or the writer
 * thread): every frame arrives, each sender's in the order it sent them, with frames sent before the
 * channel was attached first.
 */
class IpcChannelTest {
    private static final int PER_SENDER = 20_000;
    private static final int OTHER_SENDERS = 3;

    @TempDir
    Path dir;

    private final WireCodec codec = WireCodec.create(WireLimits.DEFAULTS, IpcChannelTest.class.getClassLoader());
    private EventLoop loop;
    private Thread loopThread;
    private final java.util.concurrent.atomic.AtomicReference<Throwable> loopFailure = new java.util.concurrent.atomic.AtomicReference<>();
    private IpcChannel ipc;
    private volatile SocketChannel peer;

    @BeforeEach
    void startLoop() {
        loop = new EventLoop("ipc-test-loop");
        loopThread = Thread.ofPlatform().name("ipc-test-loop").start(() -> {
            try {
                loop.run(message -> {
                });
            } catch (Throwable t) {
                loopFailure.set(t);
                if (peer != null) {
                    try {
                        peer.close(); // the reading test fails at once instead of waiting for frames that never come
                    } catch (IOException ignored) {
                        // closing what we discard
                    }
                }
            }
        });
    }

    @AfterEach
    void stop() throws Exception {
        if (ipc != null) {
            ipc.close();
            ipc.join(5_000);
        }
        if (peer != null) {
            peer.close();
        }
        loop.stop();
        loopThread.join(5_000);
        loop.close();
        assertFalse(loopThread.isAlive(), "the loop thread ended");
        assertEquals(null, loopFailure.get(), "the loop's tasks passed");
    }

    @Test
    @Timeout(60)
    void framesFromTheLoopAndOtherThreadsArriveCompleteAndInOrderPerSender() throws Exception {
        ipc = new IpcChannel("test", codec);
        ipc.flushOn(loop);
        CountDownLatch queued = new CountDownLatch(1);
        loop.execute(() -> { // before attach: queued in the buffer, written once the channel is attached
            assertTrue(ipc.send(Ipc.MESSAGE, List.of(-1, -1)));
            queued.countDown();
        });
        assertTrue(queued.await(10, TimeUnit.SECONDS));
        connect();

        List<Thread> senders = new ArrayList<>();
        loop.execute(new Runnable() { // the loop sends in batches of 100 tasks, as a busy loop would
            int next;

            @Override
            public void run() {
                for (int i = 0; i < 100 && next < PER_SENDER; i++) {
                    assertTrue(ipc.send(Ipc.MESSAGE, List.of(0, next++)));
                }
                if (next < PER_SENDER) {
                    loop.execute(this);
                }
            }
        });
        for (int s = 1; s <= OTHER_SENDERS; s++) {
            int sender = s;
            senders.add(Thread.ofPlatform().name("ipc-test-sender-" + s).start(() -> {
                for (int i = 0; i < PER_SENDER; i++) {
                    assertTrue(ipc.send(Ipc.MESSAGE, List.of(sender, i)));
                    if (i % 1_000 == 0) {
                        Thread.yield(); // let the channel go quiet now and then: senders also write directly
                    }
                }
            }));
        }

        int[] next = new int[OTHER_SENDERS + 1];
        IpcChannel reader = new IpcChannel("test-peer", codec);
        IpcChannel.Frame first = reader.readFrame(peer);
        assertEquals(List.of(-1, -1), first.value(), "the frame sent before attach comes first");
        for (int n = 0; n < (OTHER_SENDERS + 1) * PER_SENDER; n++) {
            IpcChannel.Frame f = reader.readFrame(peer);
            assertEquals(Ipc.MESSAGE, f.kind());
            List<?> v = (List<?>) f.value();
            int sender = (Integer) v.get(0);
            assertEquals(next[sender], v.get(1), "sender " + sender + "'s frames in order");
            next[sender]++;
        }
        for (Thread t : senders) {
            t.join(10_000);
        }
        for (int s = 0; s <= OTHER_SENDERS; s++) {
            assertEquals(PER_SENDER, next[s], "every frame of sender " + s);
        }
    }

    private void connect() throws IOException {
        Path path = dir.resolve("ipc.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            peer = SocketChannel.open(UnixDomainSocketAddress.of(path));
            ipc.attach(server.accept(), "ipc-test-out", true, Long.MAX_VALUE / 4, null);
        }
    }
}
