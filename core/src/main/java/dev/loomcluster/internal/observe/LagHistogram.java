package dev.loomcluster.internal.observe;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A fixed-size histogram of delays in nanoseconds: {@value #SUB_BUCKETS} linear sub-buckets per power of
 * two from 1 µs up (a value is reported as its bucket's upper bound, so at most 25% high), everything
 * below 1 µs in bucket 0, everything from about 69 s up in the last. Recording allocates nothing.
 *
 * <p>One writer, the loop that owns it; any thread may read percentiles. Each count is written with an
 * opaque store and read with an opaque load: a reader sees every count as it was at some recent moment,
 * not all of them at one instant, which is what a statistics snapshot needs.
 */
public final class LagHistogram {
    private static final int SUB_BITS = 2;
    private static final int SUB_BUCKETS = 1 << SUB_BITS;
    private static final int MIN_SHIFT = 10;                  // 2^10 ns ~ 1 µs
    private static final int OCTAVES = 27;                    // 2^10 .. 2^36 ns (~69 s)
    static final int BUCKETS = 1 + OCTAVES * SUB_BUCKETS;
    private static final VarHandle COUNTS = MethodHandles.arrayElementVarHandle(long[].class);

    // ---- written by the owning loop only, read by any thread
    private final long[] counts = new long[BUCKETS];

    /** Records one delay; negative counts as 0. Owning loop only. */
    public void record(long nanos) {
        int i = index(nanos);
        COUNTS.setOpaque(counts, i, (long) COUNTS.getOpaque(counts, i) + 1);
    }

    static int index(long nanos) {
        if (nanos < (1L << MIN_SHIFT)) {
            return 0;
        }
        int log = 63 - Long.numberOfLeadingZeros(nanos);           // nanos in [2^log, 2^(log+1))
        if (log >= MIN_SHIFT + OCTAVES) {
            return BUCKETS - 1;
        }
        int sub = (int) (nanos >>> (log - SUB_BITS)) & (SUB_BUCKETS - 1);
        return 1 + (log - MIN_SHIFT) * SUB_BUCKETS + sub;
    }

    /** The largest delay bucket {@code i} holds (exclusive upper bound, in ns). */
    static long upperBound(int i) {
        if (i == 0) {
            return 1L << MIN_SHIFT;
        }
        int octave = (i - 1) / SUB_BUCKETS;
        int sub = (i - 1) % SUB_BUCKETS;
        int log = MIN_SHIFT + octave;
        return (1L << log) + ((long) (sub + 1) << (log - SUB_BITS));
    }

    /** Samples recorded so far. Any thread. */
    public long count() {
        long n = 0;
        for (int i = 0; i < BUCKETS; i++) {
            n += (long) COUNTS.getOpaque(counts, i);
        }
        return n;
    }

    /**
     * The delay at or below which {@code fraction} of the samples fell (the upper bound of the bucket it is
     * in), in nanoseconds; 0 if nothing was recorded. Any thread.
     */
    public long percentile(double fraction) {
        long[] snapshot = new long[BUCKETS];
        long total = 0;
        for (int i = 0; i < BUCKETS; i++) {
            snapshot[i] = (long) COUNTS.getOpaque(counts, i);
            total += snapshot[i];
        }
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(fraction * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += snapshot[i];
            if (seen >= rank) {
                return upperBound(i);
            }
        }
        return upperBound(BUCKETS - 1);
    }
}
