package dev.loomcluster;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/** Bounded waits for tests: every wait has a deadline and fails the test, naming what it waited for. */
final class Await {
    /** How long a test waits for something that should happen promptly. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private Await() {
    }

    /** Polls {@code condition} (every millisecond) until it holds; fails after {@link #TIMEOUT}. */
    static void until(String what, BooleanSupplier condition) {
        until(what, TIMEOUT, condition);
    }

    static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + timeout + " waiting for " + what);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** The future's value; fails if it does not complete within {@link #TIMEOUT}. */
    static <T> T get(String what, Future<T> future) {
        try {
            return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return fail("timed out after " + TIMEOUT + " waiting for " + what);
        } catch (ExecutionException e) {
            return fail(what + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted waiting for " + what);
        }
    }

    /** The next element of {@code queue}; fails if none comes within {@link #TIMEOUT}. */
    static <T> T take(String what, BlockingQueue<T> queue) {
        try {
            T t = queue.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (t == null) {
                fail("timed out after " + TIMEOUT + " waiting for " + what);
            }
            return t;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted waiting for " + what);
        }
    }

    static void latch(String what, CountDownLatch latch) {
        try {
            if (!latch.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                fail("timed out after " + TIMEOUT + " waiting for " + what);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted waiting for " + what);
        }
    }

    /** Waits for {@code thread} to end; fails after {@link #TIMEOUT}. */
    static void join(Thread thread) {
        try {
            if (!thread.join(TIMEOUT)) {
                fail("thread " + thread + " did not end within " + TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted joining " + thread);
        }
    }
}
