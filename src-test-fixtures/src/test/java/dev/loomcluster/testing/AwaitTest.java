package dev.loomcluster.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class AwaitTest {

    @Test
    void untilReturnsOnceTrue() {
        AtomicInteger calls = new AtomicInteger();
        Await.until("third call", () -> calls.incrementAndGet() >= 3, Duration.ofSeconds(5));
        assertEquals(3, calls.get());
    }

    @Test
    void untilFailureNamesWhatWasAwaited() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> Await.until("the moon", () -> false, Duration.ofMillis(20)));
        assertTrue(e.getMessage().contains("the moon") && e.getMessage().contains("20 ms"), e.getMessage());
    }

    @Test
    void valueReportsLastValue() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> Await.value("count", () -> 7, v -> v > 10, Duration.ofMillis(20)));
        assertTrue(e.getMessage().contains("last value: 7"), e.getMessage());
        assertEquals(7, Await.equal("seven", 7, () -> 7));
    }

    @Test
    void futures() {
        assertEquals("x", Await.result("done", CompletableFuture.completedFuture("x")));
        AssertionError timeout = assertThrows(AssertionError.class,
                () -> Await.result("never", new CompletableFuture<>(), Duration.ofMillis(10)));
        assertTrue(timeout.getMessage().contains("never"));
        IllegalStateException boom = new IllegalStateException("boom");
        AssertionError failed = assertThrows(AssertionError.class,
                () -> Await.result("failing", CompletableFuture.failedFuture(boom)));
        assertSame(boom, failed.getCause());
    }

    @Test
    void latches() {
        CountDownLatch latch = new CountDownLatch(2);
        latch.countDown();
        AssertionError e = assertThrows(AssertionError.class,
                () -> Await.latch("both", latch, Duration.ofMillis(10)));
        assertTrue(e.getMessage().contains("1 count(s) left"), e.getMessage());
        latch.countDown();
        Await.latch("both", latch);
    }
}
