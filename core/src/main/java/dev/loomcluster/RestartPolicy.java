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
 * Once more than {@code maxRestarts} restarts would fall within {@code window} (the intensity limit),
 * {@code whenExceeded} decides:
 * <ul>
 *   <li>{@link Exceeded#GIVE_UP} (the default, as an Erlang/OTP supervisor): the pool stops restarting
 *   for good. For a server this is a total outage once the last worker has crashed: no worker is left,
 *   the shared socket is closed (the port refuses connections), and the pool stays up with no workers
 *   until the application forks again or closes it.</li>
 *   <li>{@link Exceeded#KEEP_RESTARTING} (PM2's and systemd's choice, {@link #keepRestarting()}): the
 *   pool keeps restarting, each restart over the limit waiting {@code maxBackoff}, so a crash loop costs
 *   capacity, not the service.</li>
 * </ul>
 * Either way every restart over the limit, and the give-up, is reported through {@code onError} (an
 * {@link IllegalStateException}) and logged as a warning on the {@code dev.loomcluster} System.Logger.
 * A worker that exited after {@code disconnect()} or was killed is never restarted.
 *
 * @param enabled        whether crashed workers are restarted at all
 * @param initialBackoff delay before the first restart of a slot
 * @param factor         growth of the delay per consecutive crash, at least 1
 * @param maxBackoff     longest delay
 * @param resetAfter     uptime after which a worker counts as stable again
 * @param maxRestarts    restarts allowed within {@code window}, across the pool
 * @param window         the intensity window
 * @param whenExceeded   what the pool does once the intensity limit is reached
 */
public record RestartPolicy(
        boolean enabled,
        Duration initialBackoff,
        double factor,
        Duration maxBackoff,
        Duration resetAfter,
        int maxRestarts,
        Duration window,
        Exceeded whenExceeded) {

    /** What the pool does once the intensity limit is reached. */
    public enum Exceeded {
        /** Stop restarting, for good. */
        GIVE_UP,
        /** Go on restarting, each restart over the limit after {@code maxBackoff}. */
        KEEP_RESTARTING
    }

    private static final RestartPolicy NEVER = new RestartPolicy(false, Duration.ZERO, 1, Duration.ZERO,
            Duration.ZERO, 0, Duration.ofSeconds(1));

    /** A policy that gives up at the intensity limit. */
    public RestartPolicy(boolean enabled, Duration initialBackoff, double factor, Duration maxBackoff,
                         Duration resetAfter, int maxRestarts, Duration window) {
        this(enabled, initialBackoff, factor, maxBackoff, resetAfter, maxRestarts, window, Exceeded.GIVE_UP);
    }

    public RestartPolicy {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(resetAfter, "resetAfter");
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(whenExceeded, "whenExceeded");
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
        return new RestartPolicy(enabled, initial, factor, max, resetAfter, maxRestarts, window, whenExceeded);
    }

    /** This policy with another stable-uptime reset. */
    public RestartPolicy withResetAfter(Duration resetAfter) {
        return new RestartPolicy(enabled, initialBackoff, factor, maxBackoff, resetAfter, maxRestarts, window,
                whenExceeded);
    }

    /** This policy with another intensity limit: at most {@code maxRestarts} in {@code window}. */
    public RestartPolicy withIntensity(int maxRestarts, Duration window) {
        return new RestartPolicy(enabled, initialBackoff, factor, maxBackoff, resetAfter, maxRestarts, window,
                whenExceeded);
    }

    /**
     * This policy, but past the intensity limit it keeps restarting, each time after {@code maxBackoff},
     * instead of giving up.
     */
    public RestartPolicy keepRestarting() {
        return new RestartPolicy(enabled, initialBackoff, factor, maxBackoff, resetAfter, maxRestarts, window,
                Exceeded.KEEP_RESTARTING);
    }

    /** The delay before restarting after the {@code n}-th consecutive crash (n starts at 1). */
    public Duration backoff(int n) {
        double nanos = initialBackoff.toNanos() * Math.pow(factor, Math.max(0, n - 1));
        return nanos >= maxBackoff.toNanos() ? maxBackoff : Duration.ofNanos((long) nanos);
    }
}
