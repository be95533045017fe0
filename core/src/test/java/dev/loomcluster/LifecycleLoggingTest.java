package dev.loomcluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static dev.loomcluster.TestPools.builder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lifecycle, restart, give-up and drain events reach the {@code System.Logger} loggers. */
@Timeout(60)
class LifecycleLoggingTest {

    @Test
    void logsForkOnlineCrashRestartGiveUpAndShutdown() {
        try (LogCapture log = LogCapture.of("dev.loomcluster.pool", Level.FINE)) {
            WorkerPool pool = builder("lclog", ThreadKind.PLATFORM, ctx -> ctx.onMessage(m -> ctx.exit(3)))
                    .restart(RestartPolicy.onCrash().withBackoff(Duration.ofMillis(1), 1, Duration.ofMillis(1))
                            .withIntensity(1, Duration.ofMinutes(1)))
                    .build();
            String p = "pool " + pool.name() + ": ";
            Events events = Events.of(pool);
            try (pool) {
                pool.start();
                events.awaitCount("online 1", e -> e.equals("online 1"), 1);
                pool.send(1, "crash");                      // crash 1: restarted as worker 2
                events.awaitCount("online 2", e -> e.equals("online 2"), 1);
                pool.send(2, "crash");                      // crash 2: over the intensity, given up
                events.awaitCount("give-up", e -> e.startsWith("error 2 IllegalStateException restart intensity"), 1);
            }
            List<String> m = log.messages();
            assertContains(m, p + "worker 1 forked");
            assertContains(m, p + "worker 1 online after ");
            assertContains(m, p + "worker 1 exited with code 3, up ");
            assertContains(m, p + "worker 1 crashed (code 3), restart 1 of its slot in ");
            assertContains(m, p + "worker 2 forked (restart 1 of its slot)");
            assertContains(m, p + "more than 1 restarts within PT1M (worker 2 crashed last); no more workers will be restarted");
            assertContains(m, p + "closing, disconnecting 0 workers");
            assertContains(m, p + "closed");
            LogRecord exit = only(log, p + "worker 1 exited");
            assertEquals(Level.WARNING, exit.getLevel(), "a crash is a warning");
            assertEquals(Level.FINE, only(log, p + "worker 1 forked").getLevel(), "the happy path is DEBUG");
            assertEquals(Level.FINE, only(log, p + "worker 1 online").getLevel());
            assertEquals(Level.INFO, only(log, p + "worker 1 crashed").getLevel(), "a restart is INFO");
            assertEquals(Level.WARNING, only(log, p + "more than 1 restarts").getLevel());
        }
    }

    @Test
    void logsTheWorkersFailureAndItsDisconnectAndDrain() {
        try (LogCapture pool = LogCapture.of("dev.loomcluster.pool", Level.FINE);
             LogCapture worker = LogCapture.of("dev.loomcluster.worker", Level.FINE)) {
            WorkerPool p = builder("lcdrain", ThreadKind.VIRTUAL, ctx -> ctx.onMessage(m -> {
                throw new IllegalStateException("handler boom");
            })).size(2).build();
            Events events = Events.of(p);
            try (p) {
                p.start();
                events.awaitCount("online", e -> e.startsWith("online "), 2);
                p.send(1, "boom");
                events.awaitCount("exit 1", e -> e.startsWith("exit 1 "), 1);
                Await.get("disconnect", p.workers().get(2).disconnect());
            }
            String prefix = "pool " + p.name() + ": ";
            LogRecord failed = only(pool, prefix + "worker 1 failed");
            assertEquals(Level.WARNING, failed.getLevel());
            assertEquals("handler boom", failed.getThrown().getMessage());
            LogRecord normal = only(pool, prefix + "worker 2 exited");
            assertEquals(Level.FINE, normal.getLevel(), normal.getMessage());
            assertTrue(normal.getMessage().contains("after a disconnect"), normal.getMessage());
            assertContains(worker.messages(), prefix + "worker 2 disconnecting, draining 0 open connections");
            assertContains(worker.messages(), prefix + "worker 2 drained, exiting");
        }
    }

    @Test
    void logsAShutdownThatHadToKill() {
        try (LogCapture log = LogCapture.of("dev.loomcluster.pool", Level.INFO)) {
            var busy = new java.util.concurrent.CountDownLatch(1);
            WorkerPool pool = builder("lckill", ThreadKind.PLATFORM, ctx -> ctx.onMessage(m -> {
                busy.countDown();
                try {
                    Thread.sleep(30_000); // the kill interrupts it
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            })).shutdownTimeout(Duration.ofMillis(200)).blockedLoopThreshold(Duration.ZERO).build();
            try (pool) {
                pool.start();
                pool.send(1, "hold");
                Await.latch("the worker is busy", busy);
            }
            String p = "pool " + pool.name() + ": ";
            LogRecord timedOut = only(log, p + "shutdown timeout passed, killing the 1 workers still running");
            assertEquals(Level.WARNING, timedOut.getLevel());
            LogRecord killed = only(log, p + "worker 1 exited with SIGTERM (code 143)");
            assertEquals(Level.INFO, killed.getLevel());
        }
    }

    private static void assertContains(List<String> messages, String prefix) {
        assertFalse(messages.stream().noneMatch(s -> s.startsWith(prefix)),
                "no message starting with \"" + prefix + "\" in " + messages);
    }

    private static LogRecord only(LogCapture log, String prefix) {
        List<LogRecord> r = log.matching(x -> x.getMessage().startsWith(prefix));
        assertEquals(1, r.size(), "records starting with " + prefix + ": " + r.stream().map(LogRecord::getMessage).toList());
        return r.get(0);
    }
}
