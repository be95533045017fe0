package dev.loomcluster;

import java.time.Duration;
import java.util.Objects;

/**
 * What an event loop (the primary's and each worker's) does when it has nothing to do. Immutable; any
 * thread.
 *
 * <ul>
 *   <li>{@link #park()}: wait at once (park, or block in the selector). Waking such a loop from another
 *   thread is an OS wake-up, tens of microseconds on a busy or power-saving machine.</li>
 *   <li>{@link #backoff(Duration, Duration)}: first spin ({@link Thread#onSpinWait()}, polling the mailbox
 *   and, if the loop has channels, {@code selectNow}), then {@link Thread#yield()}, then wait. A message
 *   that arrives while the loop spins is picked up in well under a microsecond, at the price of the CPU the
 *   loop burns while idle.</li>
 *   <li>{@link #auto()}, the default: the backoff with {@value #AUTO_SPIN_MICROS} µs of spinning and
 *   {@value #AUTO_YIELD_MICROS} µs of yielding for loops on platform threads, but only while no more event
 *   loops run than this JVM has CPUs ({@link Runtime#availableProcessors()}), checked each time a loop goes
 *   idle: this JVM's loops and those of its {@link Isolation#PROCESS} pools in other JVMs (a primary counts
 *   its children's, a child its pool's primary loop and its siblings'); otherwise, and always on virtual threads (where a hand-off is a continuation switch, and
 *   spinning would hold the carrier the other side needs), {@link #park()}. Spinning when loops outnumber
 *   CPUs makes everything slower: the spinners take the CPUs from the threads they wait for.</li>
 * </ul>
 *
 * <p>{@link #auto()} is the default because it helps where it can and stays out of the way elsewhere. On
 * the 2-CPU machine this was measured on, quiet, a platform-thread pool of one worker (two loops) answered
 * a message from the primary's listener in 1.1 µs at the median instead of 55 µs with {@link #park()}
 * (p99 18 vs 77 µs), and sent as many one-way messages a second; an HTTP pool of two workers (three loops
 * on two CPUs) never spins, so it costs what {@link #park()} costs. With other work taking the CPUs, it
 * measured the same median as {@link #park()} and a longer p99 (see the README's performance section).
 * Choose {@link #park()} to never spend CPU on an idle loop.
 */
public final class IdleStrategy {
    /** Spinning of {@link #auto()}, in microseconds. */
    public static final int AUTO_SPIN_MICROS = 20;
    /** Yielding of {@link #auto()} after the spin, in microseconds. */
    public static final int AUTO_YIELD_MICROS = 30;

    private static final IdleStrategy PARK = new IdleStrategy(0, 0, false);
    private static final IdleStrategy AUTO = new IdleStrategy(
            AUTO_SPIN_MICROS * 1_000L, AUTO_YIELD_MICROS * 1_000L, true);

    // ---- immutable
    private final long spinNanos;
    private final long yieldNanos;
    private final boolean adaptive;

    private IdleStrategy(long spinNanos, long yieldNanos, boolean adaptive) {
        this.spinNanos = spinNanos;
        this.yieldNanos = yieldNanos;
        this.adaptive = adaptive;
    }

    /** Wait at once: no spinning, no yielding. */
    public static IdleStrategy park() {
        return PARK;
    }

    /**
     * Spin for {@code spin}, then yield for {@code yield}, then wait; on any thread kind and however many
     * loops run (the caller knows its CPUs are free). Both zero is {@link #park()}.
     *
     * @throws IllegalArgumentException if either is negative
     */
    public static IdleStrategy backoff(Duration spin, Duration yield) {
        long s = nonNegative(spin, "spin");
        long y = nonNegative(yield, "yield");
        return s == 0 && y == 0 ? PARK : new IdleStrategy(s, y, false);
    }

    /** Backoff on platform threads while loops do not outnumber CPUs, else park. */
    public static IdleStrategy auto() {
        return AUTO;
    }

    /** How long an idle loop spins before yielding. */
    public Duration spin() {
        return Duration.ofNanos(spinNanos);
    }

    /** How long an idle loop yields, after spinning, before it waits. */
    public Duration yielding() {
        return Duration.ofNanos(yieldNanos);
    }

    /** Whether this is {@link #auto()}: it backs off only on platform threads with a CPU per loop. */
    public boolean isAuto() {
        return adaptive;
    }

    private static long nonNegative(Duration d, String what) {
        if (Objects.requireNonNull(d, what).isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative: " + d);
        }
        return d.toNanos();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdleStrategy i && i.spinNanos == spinNanos && i.yieldNanos == yieldNanos
                && i.adaptive == adaptive;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(spinNanos) * 31 + Long.hashCode(yieldNanos) * 7 + (adaptive ? 1 : 0);
    }

    @Override
    public String toString() {
        return this == PARK ? "IdleStrategy.park()" : adaptive ? "IdleStrategy.auto()"
                : "IdleStrategy.backoff(" + spin() + ", " + yielding() + ")";
    }
}
