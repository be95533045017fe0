package dev.loomcluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static dev.loomcluster.TestPools.builder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The blocked-loop watchdog: a task that holds a loop longer than the threshold is logged once, at
 * WARNING on {@code dev.loomcluster.loop}, with the loop thread's stack.
 */
@Timeout(60)
class BlockedLoopTest {

    /** The case the watchdog exists for, with the default threshold (2 s): a handler sleeps 3 s. */
    @Test
    void aHandlerSleepingThreeSecondsIsLoggedWithItsStack() {
        var done = new LinkedBlockingQueue<String>();
        try (LogCapture log = LogCapture.of("dev.loomcluster.loop", Level.WARNING)) {
            WorkerPool pool = builder("blocked", ThreadKind.PLATFORM, ctx -> ctx.onMessage(m -> {
                sleepOnTheLoop(3000);
                ctx.send("slept");
            })).build();
            try (pool) {
                pool.onMessage((w, m) -> done.add((String) m));
                Events events = Events.of(pool);
                pool.start();
                events.awaitCount("online", e -> e.startsWith("online "), 1);
                pool.send(1, "sleep");
                assertEquals("slept", Await.take("the handler's reply", done));
            }
            List<LogRecord> slow = slowTaskRecords(log);
            assertEquals(1, slow.size(), "logged once: " + log.messages());
            LogRecord r = slow.get(0);
            assertEquals(Level.WARNING, r.getLevel());
            String expected = "loop " + pool.name() + "-worker-1 (worker 1 of pool " + pool.name()
                    + ") has been running one task for ";
            assertTrue(r.getMessage().startsWith(expected), r.getMessage());
            assertTrue(r.getMessage().contains("over the blocked-loop threshold of 2000 ms"), r.getMessage());
        }
    }

    /** Each slow task is reported once, however long it runs past the threshold; each occurrence is. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void eachSlowTaskIsReportedOnce(ThreadKind kind) {
        var done = new LinkedBlockingQueue<String>();
        try (LogCapture log = LogCapture.of("dev.loomcluster.loop", Level.WARNING)) {
            WorkerPool pool = builder("blocked", kind, ctx -> ctx.onMessage(m -> {
                sleepOnTheLoop(1000); // 15 samples past a 200 ms threshold
                ctx.send("slept");
            })).blockedLoopThreshold(Duration.ofMillis(200)).build();
            try (pool) {
                pool.onMessage((w, m) -> done.add((String) m));
                Events events = Events.of(pool);
                pool.start();
                events.awaitCount("online", e -> e.startsWith("online "), 1);
                pool.send(1, "sleep");
                pool.send(1, "sleep");
                Await.take("the first reply", done);
                Await.take("the second reply", done);
            }
            List<LogRecord> slow = slowTaskRecords(log);
            assertEquals(2, slow.size(), "one record per slow task: " + log.messages());
            for (LogRecord r : slow) {
                assertTrue(r.getMessage().contains("over the blocked-loop threshold of 200 ms"), r.getMessage());
            }
        }
    }

    /** The primary loop runs user listeners too; it is watched the same way. */
    @Test
    void aListenerBlockingThePrimaryLoopIsReported() {
        try (LogCapture log = LogCapture.of("dev.loomcluster.loop", Level.WARNING)) {
            WorkerPool pool = builder("blockedprimary", ThreadKind.PLATFORM, ctx -> { })
                    .blockedLoopThreshold(Duration.ofMillis(200)).build();
            try (pool) {
                var listened = new LinkedBlockingQueue<Integer>();
                pool.onOnline(w -> {
                    sleepOnTheLoop(1000);
                    listened.add(w.id());
                });
                pool.start();
                Await.take("the slow online listener", listened);
            }
            List<LogRecord> slow = slowTaskRecords(log);
            assertEquals(1, slow.size(), log.messages().toString());
            assertTrue(slow.get(0).getMessage().startsWith("loop " + pool.name() + "-primary (the primary loop of pool "
                    + pool.name() + ")"), slow.get(0).getMessage());
        }
    }

    @Test
    void zeroTurnsTheWatchdogOff() {
        try (LogCapture log = LogCapture.of("dev.loomcluster.loop", Level.WARNING)) {
            var done = new LinkedBlockingQueue<String>();
            WorkerPool pool = builder("blockedoff", ThreadKind.PLATFORM, ctx -> ctx.onMessage(m -> {
                sleepOnTheLoop(600);
                ctx.send("slept");
            })).blockedLoopThreshold(Duration.ZERO).build();
            try (pool) {
                pool.onMessage((w, m) -> done.add((String) m));
                pool.start();
                pool.send(1, "sleep");
                Await.take("the reply", done);
            }
            assertEquals(List.of(), slowTaskRecords(log));
        }
    }

    /**
     * The records for {@link #sleepOnTheLoop}, recognized by the stack they carry (other loops of this
     * JVM, such as another test's, could be reported too on a loaded machine).
     */
    private static List<LogRecord> slowTaskRecords(LogCapture log) {
        return log.matching(r -> {
            Throwable t = r.getThrown();
            return t != null && Arrays.stream(t.getStackTrace())
                    .anyMatch(f -> f.getMethodName().equals("sleepOnTheLoop")
                            && f.getClassName().equals(BlockedLoopTest.class.getName()));
        });
    }

    private static void sleepOnTheLoop(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void theRecordCarriesTheLoopThreadsStackTopFirst() {
        try (LogCapture log = LogCapture.of("dev.loomcluster.loop", Level.WARNING)) {
            var done = new LinkedBlockingQueue<String>();
            WorkerPool pool = builder("blockedstack", ThreadKind.VIRTUAL, ctx -> ctx.execute(() -> {
                sleepOnTheLoop(800);
                ctx.send("slept");
            })).blockedLoopThreshold(Duration.ofMillis(200)).build();
            try (pool) {
                pool.onMessage((w, m) -> done.add((String) m));
                pool.start();
                Await.take("the reply", done);
            }
            List<LogRecord> slow = slowTaskRecords(log);
            assertEquals(1, slow.size(), log.messages().toString());
            Throwable t = slow.get(0).getThrown();
            assertNotNull(t);
            StackTraceElement[] stack = t.getStackTrace();
            int sleep = indexOf(stack, "sleepOnTheLoop");
            int loop = indexOf(stack, "run", "dev.loomcluster.internal.loop.EventLoop");
            assertTrue(sleep >= 0 && loop > sleep, Arrays.toString(stack));
        }
    }

    private static int indexOf(StackTraceElement[] stack, String method) {
        for (int i = 0; i < stack.length; i++) {
            if (stack[i].getMethodName().equals(method)) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOf(StackTraceElement[] stack, String method, String className) {
        for (int i = 0; i < stack.length; i++) {
            if (stack[i].getMethodName().equals(method) && stack[i].getClassName().equals(className)) {
                return i;
            }
        }
        return -1;
    }
}
