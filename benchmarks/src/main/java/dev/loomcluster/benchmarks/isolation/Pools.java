package dev.loomcluster.benchmarks.isolation;

import dev.loomcluster.Isolation;
import dev.loomcluster.WorkerMain;
import dev.loomcluster.WorkerPool;

import java.util.ArrayList;
import java.util.List;

/** Builders shared by the isolation benchmarks. Any thread. */
final class Pools {
    private Pools() {
    }

    /**
     * A one-worker pool running {@code main} in {@code isolation}; {@code childOptions} ("none" or
     * space-separated JVM options) go to each child JVM.
     */
    static WorkerPool.Builder builder(String name, Isolation isolation, Class<? extends WorkerMain> main,
                                      String childOptions) {
        List<String> options = new ArrayList<>();
        if (!childOptions.isBlank() && !childOptions.equals("none")) {
            options.addAll(List.of(childOptions.trim().split("\\s+")));
        }
        return WorkerPool.builder(main).name(name).isolation(isolation).size(1).jvmOptions(options);
    }
}
