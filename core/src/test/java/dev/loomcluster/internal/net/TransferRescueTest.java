package dev.loomcluster.internal.net;

import dev.loomcluster.SchedulingPolicy;
import dev.loomcluster.internal.loop.EventLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A connection handed over to a sibling's share whose worker stops listening at the same moment is never
 * closed: it stays with the worker that offered it, or the sibling's loop takes it (and serves it while it
 * drains, when no other share is left). The pool's close disconnects every worker at once, so one worker
 * hands its idle keep-alive connections to a sibling that is closing its share too; the client had often
 * sent its next request already, which was then lost ("connection ended before any answer").
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TransferRescueTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private ServerSocketChannel peers;

    @AfterEach
    void closeAll() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
        if (peers != null) {
            peers.close();
        }
    }

    /** A worker's side of a share: records what it adopts, on its loop. */
    private static final class Owner implements ShareOwner {
        final EventLoop loop;
        final ConcurrentLinkedQueue<Transfer> adopted = new ConcurrentLinkedQueue<>();
        final AtomicInteger adoptedOffLoop = new AtomicInteger();

        Owner(String name) {
            this.loop = new EventLoop(name);
        }

        @Override
        public EventLoop loop() {
            return loop;
        }

        @Override
        public void adopt(SocketChannel channel) {
            SharedServer.closeQuietly(channel);
        }

        @Override
        public void adoptTransfer(Transfer transfer) {
            if (!loop.inLoop()) {
                adoptedOffLoop.incrementAndGet();
            }
            adopted.add(transfer);
        }

        /** Runs the loop on a thread of its own until {@link #stop()}. */
        Owner start() {
            Thread.ofPlatform().daemon(true).name(loop.name()).start(() -> {
                try {
                    loop.run(message -> { });
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                } finally {
                    loop.close();
                }
            });
            return this;
        }

        void stop() {
            loop.stop();
        }
    }

    /** An open connection's server side, as a worker would hold it (its client end is kept open too). */
    private Transfer connection() throws IOException {
        if (peers == null) {
            peers = ServerSocketChannel.open().bind(LOOPBACK);
        }
        SocketChannel client = SocketChannel.open(peers.getLocalAddress());
        SocketChannel server = peers.accept();
        server.configureBlocking(false);
        cleanup.add(client);
        cleanup.add(server);
        return new Transfer(server, ByteBuffer.wrap("GET / HTTP/1.1\r\n\r\n".getBytes()).asReadOnlyBuffer());
    }

    /**
     * The sibling stops listening on another thread than its loop (a {@code NetServer.close()} from any
     * thread) while a handed-over connection waits in its queue and no other share is left: its loop
     * takes it once it runs, rather than the closing thread closing it.
     */
    @Test
    void aShareClosedOffItsLoopLeavesQueuedTransfersToTheLoop() throws Exception {
        SharedServers servers = new SharedServers("rescue-off-loop", SchedulingPolicy.ROUND_ROBIN, 16);
        Owner a = new Owner("rescue-a");
        Owner b = new Owner("rescue-b"); // not running yet: as a loop busy with something else
        AcceptorShare shareA = (AcceptorShare) servers.listen(LOOPBACK, a);
        AcceptorShare shareB = (AcceptorShare) servers.listen(shareA.address(), b);
        Transfer t = connection();

        assertTrue(shareA.handOver(t), "queued on the sibling's share");
        shareA.close();
        shareB.close(); // the test thread: not b's loop
        assertTrue(t.channel().isOpen(), "a handed-over connection is not closed by a thread that cannot serve it");

        b.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (b.adopted.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertEquals(List.of(t), List.copyOf(b.adopted), "the sibling's loop serves it while it drains");
            assertEquals(0, b.adoptedOffLoop.get());
            assertTrue(t.channel().isOpen());
        } finally {
            b.stop();
            servers.closeAll();
        }
    }

    /**
     * One worker hands a connection over while its only sibling closes its share on its own loop, both at
     * once, many times: each connection either stays with the first (the hand-over says false) or is
     * adopted by the sibling; none is closed. The race is narrow, so it runs many rounds.
     */
    @Test
    void aHandOverRacingTheSiblingsCloseNeverDropsTheConnection() throws Exception {
        Owner b = new Owner("race-b").start();
        Owner a = new Owner("race-a");
        try {
            Transfer t = connection();
            for (int i = 0; i < 4_000; i++) {
                SharedServers servers = new SharedServers("race" + i, SchedulingPolicy.ROUND_ROBIN, 16);
                AcceptorShare shareA = (AcceptorShare) servers.listen(LOOPBACK, a);
                AcceptorShare shareB = (AcceptorShare) servers.listen(shareA.address(), b);
                shareA.close(); // a is disconnecting: its share is closed, b's still open
                b.adopted.clear();
                // Both sides spin until the flag turns, then race: a offers (this thread plays a's loop),
                // b's loop closes its share; the skew shifts b's close across the offer's few instructions.
                var go = new AtomicBoolean();
                var closed = new CompletableFuture<Void>();
                int skew = i % 64;
                b.loop.execute(() -> {
                    while (!go.get()) {
                        Thread.onSpinWait();
                    }
                    for (int s = 0; s < skew; s++) {
                        Thread.onSpinWait();
                    }
                    shareB.close();
                    closed.complete(null);
                });
                go.set(true);
                boolean handedOver = shareA.handOver(t);
                closed.get(10, TimeUnit.SECONDS);
                // b's loop ran its close (which rescues on the loop); what the offer scheduled there runs first
                var settled = new CompletableFuture<Void>();
                b.loop.execute(() -> settled.complete(null));
                settled.get(10, TimeUnit.SECONDS);
                assertTrue(t.channel().isOpen(), "round " + i + ": the connection was closed (handed over: "
                        + handedOver + ")");
                if (handedOver) {
                    assertEquals(List.of(t), List.copyOf(b.adopted), "round " + i + ": handed over, so b adopts it");
                } else {
                    assertTrue(b.adopted.isEmpty(), "round " + i + ": refused, so it is still a's");
                }
                assertEquals(0, b.adoptedOffLoop.get());
                servers.closeAll();
            }
        } finally {
            b.stop();
        }
    }
}
