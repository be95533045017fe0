package dev.loomcluster.internal.worker;

import dev.loomcluster.WorkerMain;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What a worker is started with: its id, its environment, the pool's name (for its loop's thread name),
 * where its {@link WorkerMain} comes from and the pool's drain grace. Immutable; any thread.
 */
public record WorkerSpec(int id, Map<String, String> env, String poolName, Supplier<WorkerMain> main,
                         Duration drainGrace) {
    /** The drain grace of a pool that sets none. */
    public static final Duration DEFAULT_DRAIN_GRACE = Duration.ofSeconds(5);

    public WorkerSpec {
        env = Map.copyOf(env);
        Objects.requireNonNull(poolName, "poolName");
        Objects.requireNonNull(main, "main");
        Objects.requireNonNull(drainGrace, "drainGrace");
    }

    public WorkerSpec(int id, Map<String, String> env, String poolName, Supplier<WorkerMain> main) {
        this(id, env, poolName, main, DEFAULT_DRAIN_GRACE);
    }

    /** The name of the worker's loop and thread. */
    public String loopName() {
        return poolName + "-worker-" + id;
    }
}
