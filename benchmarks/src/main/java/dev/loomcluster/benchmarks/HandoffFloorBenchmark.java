package dev.loomcluster.benchmarks;

import dev.loomcluster.ThreadKind;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A control for {@link MessageRoundTripBenchmark}, using no loomcluster code: the same three hand-offs
 * (benchmark thread → "worker" thread → "primary" thread → benchmark thread) with the smallest possible
 * mailbox (a counter) and the same wait discipline as loomcluster's event loop (a loop with nothing to do
 * publishes "sleeping", re-checks, and parks at once; a poster unparks it only if it was sleeping), and
 * the same {@link Signal} for the last hop. Its p50 is the floor that the thread hand-offs alone cost on
 * this machine; the difference to {@code MessageRoundTripBenchmark} is what loomcluster's message path
 * adds (message checks, JCTools queues, listener dispatch).
 *
 * <p>With {@code loopSpinMicros > 0} the two loops spin that long before parking, which loomcluster's
 * loop does not do: a what-if for the hand-off cost, not a measurement of loomcluster.
 *
 * <p>Threads: JMH's benchmark thread posts and waits; the "worker" is a platform or virtual thread
 * ({@code threads}), the "primary" a platform thread, as in a pool.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class HandoffFloorBenchmark {

    /** The "worker" thread's kind. */
    @Param({"PLATFORM", "VIRTUAL"})
    public ThreadKind threads;

    /** How long the benchmark thread spins for the reply before parking, in microseconds. */
    @Param({"50"})
    public long spinMicros;

    /**
     * How long the "worker" and "primary" loops spin before parking, in microseconds: 0 is what
     * loomcluster's event loop does; a positive value shows what spinning before parking would buy.
     */
    @Param({"0"})
    public long loopSpinMicros;

    private Signal replies;
    private ParkingLoop worker;
    private ParkingLoop primary;
    private long sent;

    @Setup(Level.Trial)
    public void setUp() {
        replies = new Signal(TimeUnit.MICROSECONDS.toNanos(spinMicros));
        long loopSpin = TimeUnit.MICROSECONDS.toNanos(loopSpinMicros);
        primary = new ParkingLoop(replies::signal, loopSpin);
        worker = new ParkingLoop(primary::post, loopSpin);
        primary.start(Thread.ofPlatform().name("floor-primary").daemon().unstarted(primary));
        worker.start((threads == ThreadKind.VIRTUAL ? Thread.ofVirtual() : Thread.ofPlatform().daemon())
                .name("floor-worker").unstarted(worker));
        sent = 0;
    }

    @Benchmark
    public long roundTrip() {
        worker.post();
        replies.await(++sent);
        return sent;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        worker.stop();
        primary.stop();
    }

    /** A loop whose whole mailbox is a counter of posts; for each post it runs {@code next}. */
    static final class ParkingLoop implements Runnable {
        private final Runnable next;
        private final long spinNanos;
        private final AtomicLong posted = new AtomicLong();
        private volatile boolean sleeping;
        private volatile boolean stopped;
        private volatile Thread thread;
        private long handled;

        ParkingLoop(Runnable next, long spinNanos) {
            this.next = next;
            this.spinNanos = spinNanos;
        }

        void start(Thread t) {
            thread = t;
            t.start();
        }

        /** Any thread. */
        void post() {
            posted.incrementAndGet();
            if (sleeping) {
                LockSupport.unpark(thread);
            }
        }

        void stop() throws InterruptedException {
            stopped = true;
            LockSupport.unpark(thread);
            thread.join(5_000);
        }

        @Override
        public void run() {
            while (!stopped) {
                if (posted.get() != handled) {
                    handled++;
                    next.run();
                    continue;
                }
                if (spinNanos > 0 && spinUntilPosted()) {
                    continue;
                }
                sleeping = true;
                if (posted.get() == handled && !stopped) {
                    LockSupport.park(this);
                }
                sleeping = false;
            }
        }

        private boolean spinUntilPosted() {
            long start = System.nanoTime();
            int i = 0;
            while (posted.get() == handled) {
                Thread.onSpinWait();
                if ((++i & 63) == 0 && System.nanoTime() - start > spinNanos) {
                    return false;
                }
            }
            return true;
        }
    }
}
