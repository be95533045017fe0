package dev.loomcluster;

import java.time.Duration;
import java.util.Objects;

/**
 * What the pool does when a worker crashes: exits with a non-zero code, or fails, without having been
 * asked to by {@link Worker#disconnect()} or {@link Worker#kill()}.
 *
 * <p>{@link #never()} is Node's behaviour (the application re-forks in an {@code exit} listener).
 * {@link #onCrash()} re-forks the crashed worker (a new id, the same env) after an exponential backoff:
 * {@code initialBackoff * factor^(n-1)}, capped at {@code maxBackoff}, where {@code n} counts the
 * consecutive crashes of that slot; a worker that stayed up for {@code resetAfter} resets {@code n}.
 * Like an Erlang/OTP supervisor, the pool gives up once more than {@code maxRestarts} restarts
 * would fall within {@code window}: it stops restarting and reports it through {@code onError}.
 * A worker that exited after {@code disconnect()} or was killed is never restarted.
 *
 * @param enabled        whether crashed workers are restarted at all
 * @param initialBackoff delay before the first restart of a slot
 * @param factor         growth of the delay per consecutive crash, at least 1
 * @param maxBackoff     longest delay
 * @param resetAfter     uptime after which a worker counts as stable again
 * @param maxRestarts    restarts allowed within {@code window}, across the pool
 * @param window         the intensity window
 */
public record RestartPolicy(
        boolean enabled,
        Duration initialBackoff,
        double factor,
        Duration maxBackoff,
        Duration resetAfter,
        int maxRestarts,
        Duration window) {

    private static final RestartPolicy NEVER = new RestartPolicy(false, Duration.ZERO, 1, Duration.ZERO,
            Duration.ZERO, 0, Duration.ofSeconds(1));

    public RestartPolicy {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(resetAfter, "resetAfter");
        Objects.requireNonNull(window, "window");
        if (initialBackoff.isNegative() || maxBackoff.isNegative() || resetAfter.isNegative()) {
            throw new IllegalArgumentException("durations must not be negative");
        }
        if (!(factor >= 1)) {
            throw new IllegalArgumentException("factor must be at least 1: " + factor);
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff " + maxBackoff + " is below initialBackoff " + initialBackoff);
        }
        if (maxRestarts < 0) {
            throw new IllegalArgumentException("maxRestarts must not be negative: " + maxRestarts);
        }
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive: " + window);
        }
    }

    /** Never restart (Node's default). */
    public static RestartPolicy never() {
        return NEVER;
    }

    /**
     * Restart crashed workers: backoff 100 ms doubling up to 10 s, reset after 30 s of uptime, at most
     * 10 restarts in 60 s.
     */
    public static RestartPolicy onCrash() {
        return new RestartPolicy(true, Duration.ofMillis(100), 2, Duration.ofSeconds(10), Duration.ofSeconds(30),
                10, Duration.ofSeconds(60));
    }

    /** This policy with another backoff. */
    public RestartPolicy withBackoff(Duration initial, double factor, Duration max) {
        return new RestartPolicy(enabled, initial, factor, max, resetAfter, maxRestarts, window);
    }

    /** This policy with another stable-uptime reset. */
    public RestartPolicy withResetAfter(Duration resetAfter) {
        return new RestartPolicy(enabled, initialBackoff, factor, maxBackoff, resetAfter, maxRestarts, window);
    }

    /** This policy with another intensity limit: at most {@code maxRestarts} in {@code window}. */
    public RestartPolicy withIntensity(int maxRestarts, Duration window) {
        return new RestartPolicy(enabled, initialBackoff, factor, maxBackoff, resetAfter, maxRestarts, window);
    }

    /** The delay before restarting after the {@code n}-th consecutive crash (n starts at 1). */
    public Duration backoff(int n) {
        double nanos = initialBackoff.toNanos() * Math.pow(factor, Math.max(0, n - 1));
        return nanos >= maxBackoff.toNanos() ? maxBackoff : Duration.ofNanos((long) nanos);
    }
}
