package dev.loomcluster.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class ThreadsTest {

    @Test
    void seesPlatformAndVirtualThreadsUntilTheyEnd() throws Exception {
        List<String> before = Threads.all();
        CountDownLatch release = new CountDownLatch(1);
        Runnable park = () -> {
            try {
                release.await();
            } catch (InterruptedException ignored) {
                // end
            }
        };
        Thread p = Thread.ofPlatform().name("fixture-plat \"q\"").start(park);
        Thread v = Thread.ofVirtual().name("fixture-virt").start(park);
        try {
            assertTrue(Threads.platform().contains("fixture-plat \"q\""), Threads.platform()::toString);
            assertFalse(Threads.platform().contains("fixture-virt"));
            List<String> all = Threads.all();
            assertTrue(all.contains("fixture-virt") && all.contains("fixture-plat \"q\""), all::toString);
            assertTrue(Threads.newSince(before, all).containsAll(List.of("fixture-virt", "fixture-plat \"q\"")));
            AssertionError e = assertThrows(AssertionError.class,
                    () -> Threads.awaitNone("fixtures", n -> n.startsWith("fixture-"), true, Duration.ofMillis(30)));
            assertTrue(e.getMessage().contains("fixture-virt"), e.getMessage());
        } finally {
            release.countDown();
            p.join(5000);
            v.join(5000);
        }
        Threads.awaitNone("fixtures", n -> n.startsWith("fixture-"), true, Duration.ofSeconds(5));
    }

    @Test
    void newSinceCountsRepeats() {
        assertEquals(List.of("x"), Threads.newSince(List.of("a", "x"), List.of("a", "x", "x")));
        assertEquals(List.of(), Threads.newSince(List.of("a", "b"), List.of("a")));
    }
}
