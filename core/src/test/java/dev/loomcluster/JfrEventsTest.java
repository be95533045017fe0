package dev.loomcluster;

import dev.loomcluster.internal.observe.HandOverEvent;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static dev.loomcluster.TestPools.builder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pool's JFR events, recorded to a file and read back as {@code jfr print} would. */
@Timeout(60)
class JfrEventsTest {
    private static final List<String> EVENTS = List.of("Fork", "Online", "Exit", "Restart", "RestartGiveUp",
            "HandOver", "SlowLoopTask");

    @Test
    void forkOnlineExitRestartGiveUpSlowTaskAndHandOverAreRecorded(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("lc.jfr");
        String name;
        try (Recording recording = new Recording()) {
            for (String e : EVENTS) {
                recording.enable("dev.loomcluster." + e);
            }
            recording.start();
            WorkerPool pool = builder("jfr", ThreadKind.PLATFORM, ctx -> ctx.onMessage(m -> {
                if ("slow".equals(m)) {
                    sleepOnTheLoop(700);
                } else {
                    ctx.exit(3);
                }
            })).restart(RestartPolicy.onCrash().withBackoff(Duration.ofMillis(1), 1, Duration.ofMillis(1))
                    .withIntensity(1, Duration.ofMinutes(1)))
                    .blockedLoopThreshold(Duration.ofMillis(200)).build();
            name = pool.name();
            try (pool) {
                Events events = Events.of(pool);
                pool.start();
                events.awaitCount("online 1", e -> e.equals("online 1"), 1);
                pool.send(1, "slow");
                pool.send(1, "crash");
                events.awaitCount("online 2", e -> e.equals("online 2"), 1);
                pool.send(2, "crash");
                events.awaitCount("give-up", e -> e.startsWith("error 2 IllegalStateException restart intensity"), 1);
                HandOverEvent.commit(name, 1, 2, "127.0.0.1:8080", 3);
            }
            recording.stop();
            recording.dump(file);
        }
        String pool = name;
        List<RecordedEvent> all = RecordingFile.readAllEvents(file).stream()
                .filter(e -> pool.equals(e.getString("pool"))).toList();

        List<RecordedEvent> forks = of(all, "Fork");
        assertEquals(List.of(1, 2), forks.stream().map(e -> e.getInt("workerId")).toList());
        assertEquals(List.of(0, 1), forks.stream().map(e -> e.getInt("restarts")).toList());
        assertEquals(List.of("loomcluster"), forks.get(0).getEventType().getCategoryNames());
        assertEquals("Worker Fork", forks.get(0).getEventType().getLabel());

        List<RecordedEvent> online = of(all, "Online");
        assertEquals(List.of(1, 2), online.stream().map(e -> e.getInt("workerId")).toList());
        assertTrue(online.get(0).getDuration("sinceFork").compareTo(Duration.ZERO) > 0);

        List<RecordedEvent> exits = of(all, "Exit");
        assertEquals(List.of(1, 2), exits.stream().map(e -> e.getInt("workerId")).toList());
        assertEquals(List.of(3, 3), exits.stream().map(e -> e.getInt("exitCode")).toList());
        assertEquals("", exits.get(0).getString("signal"));
        assertFalse(exits.get(0).getBoolean("afterDisconnect"));

        RecordedEvent restart = only(all, "Restart");
        assertEquals(1, restart.getInt("workerId"));
        assertEquals(3, restart.getInt("exitCode"));
        assertEquals(1, restart.getInt("restart"));
        assertEquals(Duration.ofMillis(1), restart.getDuration("backoff"));

        RecordedEvent giveUp = only(all, "RestartGiveUp");
        assertEquals(2, giveUp.getInt("workerId"));
        assertEquals(1, giveUp.getInt("maxRestarts"));
        assertEquals(Duration.ofMinutes(1), giveUp.getDuration("window"));

        // on a loaded machine another task (the primary loop's first fork) can be slow too: pick ours by its stack
        List<RecordedEvent> ours = of(all, "SlowLoopTask").stream()
                .filter(e -> e.getString("loopStack").contains(JfrEventsTest.class.getName() + ".sleepOnTheLoop")).toList();
        assertEquals(1, ours.size(), ours.toString());
        RecordedEvent slow = ours.get(0);
        assertEquals(1, slow.getInt("workerId"));
        assertEquals(pool + "-worker-1", slow.getString("loop"));
        assertTrue(slow.getDuration("runningFor").compareTo(Duration.ofMillis(200)) >= 0, slow.toString());
        assertEquals(Duration.ofMillis(200), slow.getDuration("threshold"));

        RecordedEvent handOver = only(all, "HandOver");
        assertEquals(1, handOver.getInt("fromWorker"));
        assertEquals(2, handOver.getInt("toWorker"));
        assertEquals("127.0.0.1:8080", handOver.getString("address"));
        assertEquals(3, handOver.getInt("connections"));
    }

    private static List<RecordedEvent> of(List<RecordedEvent> all, String event) {
        return all.stream().filter(e -> e.getEventType().getName().equals("dev.loomcluster." + event)).toList();
    }

    private static RecordedEvent only(List<RecordedEvent> all, String event) {
        List<RecordedEvent> l = of(all, event);
        assertEquals(1, l.size(), event + ": " + l);
        return l.get(0);
    }

    private static void sleepOnTheLoop(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
