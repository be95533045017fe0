package dev.loomcluster.internal.primary;

import dev.loomcluster.IdleStrategy;
import dev.loomcluster.Isolation;
import dev.loomcluster.RestartPolicy;
import dev.loomcluster.SchedulingPolicy;
import dev.loomcluster.ThreadKind;
import dev.loomcluster.WorkerMain;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The immutable options of one pool, made by {@code WorkerPool.Builder}. Any thread.
 */
public record PoolOptions(
        Supplier<WorkerMain> mains,
        Optional<Class<? extends WorkerMain>> mainClass,
        String name,
        int size,
        ThreadKind threads,
        SchedulingPolicy scheduling,
        RestartPolicy restart,
        Map<String, String> env,
        Duration shutdownTimeout,
        Duration killTimeout,
        int connectionBacklog,
        Isolation isolation,
        List<String> jvmOptions,
        Optional<Path> startupCache,
        IdleStrategy idle,
        Duration blockedLoopThreshold,
        Duration drainGrace) {

    public PoolOptions {
        Objects.requireNonNull(mains, "mains");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(threads, "threads");
        Objects.requireNonNull(scheduling, "scheduling");
        Objects.requireNonNull(restart, "restart");
        Objects.requireNonNull(mainClass, "mainClass");
        Objects.requireNonNull(isolation, "isolation");
        Objects.requireNonNull(idle, "idle");
        env = Map.copyOf(env);
        jvmOptions = List.copyOf(jvmOptions);
        Objects.requireNonNull(startupCache, "startupCache");
        Objects.requireNonNull(blockedLoopThreshold, "blockedLoopThreshold");
        Objects.requireNonNull(drainGrace, "drainGrace");
    }

    /** Checks that {@code d} is positive; returns it. */
    public static Duration positive(Duration d, String what) {
        if (Objects.requireNonNull(d, what).isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive: " + d);
        }
        return d;
    }

    /** The public no-argument constructor of a worker main class, or an exception naming what is wrong. */
    public static Constructor<? extends WorkerMain> constructorOf(Class<? extends WorkerMain> type) {
        if (Modifier.isAbstract(type.getModifiers()) || type.isInterface()) {
            throw new IllegalArgumentException(type.getName() + " is abstract; a worker main class must be concrete");
        }
        try {
            Constructor<? extends WorkerMain> c = type.getConstructor();
            if (!Modifier.isPublic(type.getModifiers())) {
                throw new IllegalArgumentException(type.getName() + " must be public");
            }
            Module core = PoolOptions.class.getModule();
            if (!type.getModule().isExported(type.getPackageName(), core)) {
                throw new IllegalArgumentException("module " + type.getModule().getName() + " does not export "
                        + type.getPackageName() + " to " + core.getName() + ", which must make instances of "
                        + type.getName() + ": add 'exports " + type.getPackageName() + " to " + core.getName()
                        + ";' to its module-info");
            }
            return c;
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(type.getName() + " has no public no-argument constructor", e);
        }
    }

    /** A new instance from {@code c}; failures surface as the worker's start failure. */
    public static WorkerMain instantiate(Constructor<? extends WorkerMain> c) {
        try {
            return c.newInstance();
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("constructor of " + c.getDeclaringClass().getName() + " failed",
                    e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot instantiate " + c.getDeclaringClass().getName(), e);
        }
    }

}
