package dev.loomcluster;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The builder's isolation options: what a child JVM cannot be given is refused at build time. */
class IsolationOptionsTest {

    @Test
    void processIsolationRefusesAMainGivenAsAnInstance() {
        var builder = WorkerPool.builder(ctx -> { }).isolation(Isolation.PROCESS);
        var e = assertThrows(IllegalStateException.class, builder::build);
        assertTrue(e.getMessage().contains("WorkerPool.builder(Class)"), e.getMessage());
    }

    @Test
    void jvmOptionsAreCopied() {
        var options = new java.util.ArrayList<>(List.of("-Xmx64m"));
        var builder = WorkerPool.builder(ctx -> { }).jvmOptions(options);
        options.add(null); // a later change to the caller's list must not reach the builder
        try (WorkerPool pool = builder.size(0).build()) {
            assertTrue(pool.workers().isEmpty());
        }
    }

    @Test
    void startupCacheIsIgnoredByThreadWorkersAsJvmOptionsAre() throws Exception {
        Path dir = Files.createTempDirectory("startup-cache").resolve("cache");
        try (WorkerPool pool = WorkerPool.builder(ctx -> { }).startupCache(dir).jvmOptions(List.of("-Xmx64m"))
                .size(1).build()) {
            Events events = Events.of(pool);
            pool.start();
            events.await("online 1");
            assertTrue(pool.workers().get(1).process().isEmpty());
        }
        assertFalse(Files.exists(dir), "a thread pool makes no cache directory");
        Files.delete(dir.getParent());
    }

    @Test
    void startupCacheRefusesNull() {
        assertThrows(NullPointerException.class, () -> WorkerPool.builder(ctx -> { }).startupCache(null));
    }
}
