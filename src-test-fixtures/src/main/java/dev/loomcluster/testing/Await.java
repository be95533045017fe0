package dev.loomcluster.testing;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Bounded waits for tests: poll a condition, or wait for a future or a latch, failing with an
 * {@link AssertionError} that names what was awaited and for how long.
 *
 * <p>Runs on the calling thread, which it blocks (polling every millisecond or so). An interrupt ends the
 * wait with an {@link AssertionError} and leaves the thread's interrupt flag set. Stateless.
 */
public final class Await {

    /** The timeout used by the overloads that take none: 10 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private Await() {
    }

    /** Polls {@code condition} until it is true; fails after {@link #DEFAULT_TIMEOUT}. */
    public static void until(String what, BooleanSupplier condition) {
        until(what, condition, DEFAULT_TIMEOUT);
    }

    /**
     * Polls {@code condition} until it is true.
     *
     * @param what names the condition in the failure message, e.g. {@code "worker 1 online"}
     * @throws AssertionError if it is still false after {@code timeout}; an exception thrown by the
     *                        condition propagates at once
     */
    public static void until(String what, BooleanSupplier condition, Duration timeout) {
        Objects.requireNonNull(condition, "condition");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms awaiting " + what);
            }
            pause(what);
        }
    }

    /**
     * Polls {@code value} until {@code accept} holds for what it returns, and returns that value.
     *
     * @throws AssertionError after {@code timeout}, naming {@code what} and the last value seen
     */
    public static <T> T value(String what, Supplier<T> value, Predicate<? super T> accept, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = value.get();
        while (!accept.test(last)) {
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms awaiting " + what
                        + "; last value: " + last);
            }
            pause(what);
            last = value.get();
        }
        return last;
    }

    /** Polls {@code value} until it equals {@code expected}; fails after {@link #DEFAULT_TIMEOUT}. */
    public static <T> T equal(String what, T expected, Supplier<T> value) {
        return value(what + " == " + expected, value, v -> Objects.equals(v, expected), DEFAULT_TIMEOUT);
    }

    /** Waits for {@code future}'s value; fails after {@link #DEFAULT_TIMEOUT}. */
    public static <T> T result(String what, Future<T> future) {
        return result(what, future, DEFAULT_TIMEOUT);
    }

    /**
     * Waits for {@code future}'s value.
     *
     * @throws AssertionError if it does not complete in time, completed exceptionally (the cause is
     *                        attached) or was cancelled
     */
    public static <T> T result(String what, Future<T> future, Duration timeout) {
        try {
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("timed out after " + timeout.toMillis() + " ms awaiting " + what);
        } catch (ExecutionException e) {
            throw new AssertionError(what + " failed: " + e.getCause(), e.getCause());
        } catch (CancellationException e) {
            throw new AssertionError(what + " was cancelled", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted awaiting " + what, e);
        }
    }

    /** Waits for {@code latch} to reach zero; fails after {@link #DEFAULT_TIMEOUT}. */
    public static void latch(String what, CountDownLatch latch) {
        latch(what, latch, DEFAULT_TIMEOUT);
    }

    /**
     * Waits for {@code latch} to reach zero.
     *
     * @throws AssertionError after {@code timeout}, naming {@code what} and the count left
     */
    public static void latch(String what, CountDownLatch latch, Duration timeout) {
        try {
            if (!latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms awaiting " + what
                        + " (" + latch.getCount() + " count(s) left)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted awaiting " + what, e);
        }
    }

    private static void pause(String what) {
        LockSupport.parkNanos(POLL_NANOS);
        if (Thread.currentThread().isInterrupted()) {
            throw new AssertionError("interrupted awaiting " + what);
        }
    }
}
