package dev.loomcluster;

import org.junit.jupiter.api.Test;

import java.util.List;

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
}
