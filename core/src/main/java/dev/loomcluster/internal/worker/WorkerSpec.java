package dev.loomcluster.internal.worker;

import dev.loomcluster.WorkerMain;

import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What a worker is started with: its id, its environment, the pool's name (for its loop's thread name)
 * and where its {@link WorkerMain} comes from. Immutable; any thread.
 */
public record WorkerSpec(int id, Map<String, String> env, String poolName, Supplier<WorkerMain> main) {
    public WorkerSpec {
        env = Map.copyOf(env);
        Objects.requireNonNull(poolName, "poolName");
        Objects.requireNonNull(main, "main");
    }

    /** The name of the worker's loop and thread. */
    public String loopName() {
        return poolName + "-worker-" + id;
    }
}
