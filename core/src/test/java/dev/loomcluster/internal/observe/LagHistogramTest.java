package dev.loomcluster.internal.observe;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LagHistogramTest {

    @Test
    void everyValueFallsInABucketThatBoundsItWithinAQuarter() {
        int previous = 0;
        for (long v = 1024; v < (1L << 36); v += Math.max(1, v / 7)) {
            int i = LagHistogram.index(v);
            assertTrue(i >= previous, "indexes grow with the value: " + v);
            previous = i;
            long upper = LagHistogram.upperBound(i);
            assertTrue(upper > v && upper <= v * 1.25 + 1, v + " -> bucket " + i + " bound " + upper);
            assertTrue(i == 0 || LagHistogram.upperBound(i - 1) <= v, v + " above the previous bucket");
        }
        assertEquals(0, LagHistogram.index(-5));
        assertEquals(0, LagHistogram.index(1023));
        assertEquals(LagHistogram.BUCKETS - 1, LagHistogram.index(Long.MAX_VALUE));
    }

    @Test
    void percentilesComeFromTheRecordedDistribution() {
        LagHistogram h = new LagHistogram();
        assertEquals(0, h.percentile(0.5));
        for (int i = 0; i < 98; i++) {
            h.record(100_000);          // 100 µs
        }
        h.record(50_000_000);           // 50 ms
        h.record(2_000_000_000);        // 2 s
        assertEquals(100, h.count());
        long p50 = h.percentile(0.5);
        assertTrue(p50 > 100_000 && p50 <= 125_000, "p50 " + p50);
        long p99 = h.percentile(0.99);
        assertTrue(p99 > 50_000_000 && p99 <= 62_500_000, "p99 " + p99);
        long max = h.percentile(1.0);
        assertTrue(max > 2_000_000_000L && max <= 2_500_000_000L, "max " + max);
    }
}
