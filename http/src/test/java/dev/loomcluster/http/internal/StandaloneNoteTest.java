package dev.loomcluster.http.internal;

import dev.loomcluster.http.HttpOptions;
import dev.loomcluster.testing.FreePorts;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A server made on no worker's loop says once what it is and how to serve on a pool instead. */
class StandaloneNoteTest {

    @Test
    void saysOnceThatTheServerIsPrivateAndHowToShareAPoolsPort() throws Exception {
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger("dev.loomcluster.http");
        logger.addHandler(handler);
        ServerImpl.forgetStandaloneNote();
        try {
            ServerImpl first = ServerImpl.create(HttpOptions.defaults(), new InetSocketAddress(FreePorts.LOOPBACK, 0), 0);
            ServerImpl second = ServerImpl.create(HttpOptions.defaults(), new InetSocketAddress(FreePorts.LOOPBACK, 0), 0);
            first.stop(0);
            second.stop(0);
        } finally {
            logger.removeHandler(handler);
        }
        List<LogRecord> notes = records.stream().filter(r -> r.getMessage().contains("no worker's loop")).toList();
        assertEquals(1, notes.size(), "said once: " + records);
        String text = notes.getFirst().getMessage();
        assertTrue(text.contains("private event loop") && text.contains("WorkerMain.start")
                && text.contains("WorkerContext.execute"), text);
    }
}
