package dev.loomcluster.benchmarks;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A reusable counter that one thread bumps ({@link #signal()}, typically from a pool listener on the
 * primary loop) and one other thread waits on ({@link #await(long)}, the benchmark thread), without
 * allocating per operation.
 *
 * <p>The waiter spins with {@link Thread#onSpinWait()} for up to {@code spinNanos}, then parks; a
 * signaller that sees a parked waiter unparks it. A virtual waiter parks at once: spinning would hold the
 * carrier that the threads it waits for need. A waiter that never gets its signal fails after
 * {@link #TIMEOUT} with an {@link IllegalStateException} instead of hanging the benchmark. Any number of
 * signalling threads; one waiting thread at a time.
 */
public final class Signal {

    /** How long {@link #await(long)} waits before giving up: 10 seconds. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final AtomicLong count = new AtomicLong();
    private final long spinNanos;
    private volatile Thread waiter;

    /** A signal whose waiter spins up to {@code spinNanos} before parking (0 parks at once). */
    public Signal(long spinNanos) {
        this.spinNanos = spinNanos;
    }

    /** Adds one and wakes the waiter if it is parked. Any thread. */
    public void signal() {
        count.incrementAndGet();
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    /** The signals so far. */
    public long count() {
        return count.get();
    }

    /**
     * Waits until {@link #count()} reaches {@code target}.
     *
     * @throws IllegalStateException after {@link #TIMEOUT}
     */
    public void await(long target) {
        await(target, TIMEOUT);
    }

    /**
     * Waits until {@link #count()} reaches {@code target}.
     *
     * @throws IllegalStateException after {@code timeout}
     */
    public void await(long target, Duration timeout) {
        if (count.get() >= target) {
            return;
        }
        long start = System.nanoTime();
        if (spinNanos > 0 && !Thread.currentThread().isVirtual()) {
            int i = 0;
            while (count.get() < target) {
                Thread.onSpinWait();
                if ((++i & 63) == 0 && System.nanoTime() - start > spinNanos) {
                    break;
                }
            }
            if (count.get() >= target) {
                return;
            }
        }
        long deadline = start + timeout.toNanos();
        waiter = Thread.currentThread();
        try {
            // The volatile write of waiter above and the read of count below pair with signal()'s write of
            // count and read of waiter: at least one side sees the other, so no wake-up is lost.
            while (count.get() < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("timed out after " + timeout.toMillis() + " ms waiting for signal "
                            + target + " (got " + count.get() + ")");
                }
                LockSupport.parkNanos(this, Math.min(left, 1_000_000));
            }
        } finally {
            waiter = null;
        }
    }
}
