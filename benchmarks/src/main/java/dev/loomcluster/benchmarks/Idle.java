package dev.loomcluster.benchmarks;

import dev.loomcluster.IdleStrategy;

import java.time.Duration;

/** The idle strategies the benchmarks compare, by the name of their {@code idle} parameter. Any thread. */
public final class Idle {
    private Idle() {
    }

    /**
     * {@code park} ({@link IdleStrategy#park()}), {@code auto} ({@link IdleStrategy#auto()}, the default) or
     * {@code backoff} ({@link IdleStrategy#backoff} with auto's spin and yield, whatever the thread kind and
     * the number of loops).
     */
    public static IdleStrategy of(String name) {
        return switch (name) {
            case "park" -> IdleStrategy.park();
            case "auto" -> IdleStrategy.auto();
            case "backoff" -> IdleStrategy.backoff(Duration.ofNanos(IdleStrategy.AUTO_SPIN_MICROS * 1_000L),
                    Duration.ofNanos(IdleStrategy.AUTO_YIELD_MICROS * 1_000L));
            default -> throw new IllegalArgumentException("idle must be park, auto or backoff: " + name);
        };
    }
}
