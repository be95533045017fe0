package dev.loomcluster;

import dev.loomcluster.testing.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static dev.loomcluster.TestPools.builder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A peer I/O failure that closes a connection is logged at DEBUG on {@code dev.loomcluster.net}. */
@Timeout(60)
class PeerFailureLoggingTest {

    @Test
    void aConnectionResetByThePeerIsLoggedAtDebug() throws Exception {
        var closed = new CompletableFuture<Void>();
        try (LogCapture log = LogCapture.of("dev.loomcluster.net", Level.FINE)) {
            WorkerPool pool = builder("peerreset", ThreadKind.PLATFORM, ctx -> ctx.listen(FreePorts.loopback(0),
                    c -> new ConnectionHandler() {
                        @Override
                        public void onData(Connection connection, ByteBuffer data) {
                            data.position(data.limit()); // read and drop: the reset comes on a later read
                        }

                        @Override
                        public void onClose(Connection connection) {
                            closed.complete(null);
                        }
                    })).build();
            try (pool) {
                var address = new CompletableFuture<InetSocketAddress>();
                pool.onListening((w, a) -> address.complete(a));
                pool.start();
                InetSocketAddress a = Await.get("listening", address);
                try (Socket s = new Socket(FreePorts.LOOPBACK, a.getPort())) {
                    s.getOutputStream().write("hello".getBytes());
                    s.setSoLinger(true, 0); // close() sends RST
                }
                Await.get("the server side closed", closed);
            }
            List<LogRecord> resets = log.matching(r -> r.getMessage().startsWith("read failed on Connection["));
            assertEquals(1, resets.size(), log.messages().toString());
            assertEquals(Level.FINE, resets.get(0).getLevel());
            assertTrue(resets.get(0).getMessage().contains("Connection reset"), resets.get(0).getMessage());
        }
    }
}
