package dev.loomcluster.internal.observe;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Executor;

/**
 * What one event loop publishes for the {@link LoopWatchdog} and for loop-lag statistics. The loop calls
 * {@link #taskStarted()} before each task it runs (mailbox entry, timer, I/O callback, idle poll) and
 * {@link #idle()} before it waits: each is one plain increment and one opaque store, no time read, no
 * allocation. The watchdog samples that state from its own thread; a state that stays the same, with
 * the busy bit set, across samples spanning the threshold is one task running that long.
 *
 * <p>Threads: the "loop" methods run on the owning loop's thread; the "watchdog" fields are read and
 * written by the watchdog thread only; the rest is any thread.
 */
public final class LoopProbe {
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(LoopProbe.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // ---- immutable
    private final String name;
    private final Executor loop;
    private final LagHistogram lag = new LagHistogram();
    private final Runnable lagSample = this::runLagSample;

    // ---- any thread
    /** (tasks started << 1) | 1 while a task runs, tasks started << 1 while idle; written by the loop only. */
    @SuppressWarnings("unused") // through STATE
    private long state;
    private volatile Thread thread;
    private volatile boolean ended;
    private volatile boolean lagSampleQueued;
    private volatile long lagSamplePostedAt;
    private volatile long lagSampleTask;           // the task count the last lag sample ran as
    private volatile Watch watch;                  // null while not watched

    // ---- loop thread
    private long tasks;

    // ---- watchdog thread
    long lastState = -1;
    long lastChangeNanos;
    boolean reported;

    /** What the watchdog needs to know about a watched loop. */
    record Watch(long thresholdNanos, String pool, int workerId) {
    }

    /**
     * @param name the loop's name (its thread's)
     * @param loop where {@link LoopWatchdog} posts the lag sample: the loop itself
     */
    public LoopProbe(String name, Executor loop) {
        this.name = name;
        this.loop = loop;
    }

    public String name() {
        return name;
    }

    // ---------------------------------------------------------------- loop thread

    /** The loop starts running on the calling thread. */
    public void running() {
        thread = Thread.currentThread();
    }

    /** A task is about to run. */
    public void taskStarted() {
        STATE.setOpaque(this, (++tasks << 1) | 1);
    }

    /** The loop is about to wait for work. */
    public void idle() {
        STATE.setOpaque(this, tasks << 1);
    }

    /** A timer due at {@code deadline} starts at {@code now} ({@code System.nanoTime()}). */
    public void timerStarted(long deadline, long now) {
        lag.record(now - deadline);
    }

    /** The loop is closed: the watchdog forgets it. Any thread. */
    public void ended() {
        ended = true;
    }

    private void runLagSample() {
        lag.record(System.nanoTime() - lagSamplePostedAt);
        lagSampleTask = tasks;
        lagSampleQueued = false;
    }

    // ---------------------------------------------------------------- any thread

    /** Whether the watchdog's lag sample sits in the loop's mailbox (so it is not counted as pending work). */
    public boolean lagSampleQueued() {
        return lagSampleQueued;
    }

    /** Delays between tasks' due time and their start (timers; sampled mailbox entries). */
    public LagHistogram lag() {
        return lag;
    }

    boolean isEnded() {
        return ended;
    }

    Thread thread() {
        return thread;
    }

    long state() {
        return (long) STATE.getOpaque(this);
    }

    Watch watch() {
        return watch;
    }

    void watch(Watch w) {
        watch = w;
    }

    // ---------------------------------------------------------------- watchdog thread

    /**
     * Whether the loop ran anything since the previous sample but the watchdog's own lag sample, given
     * the state read now and the one read then.
     */
    boolean activeSince(long previous, long now) {
        long ran = (now >>> 1) - (previous >>> 1);
        long sampleTask = lagSampleTask;
        if (sampleTask > (previous >>> 1) && sampleTask <= (now >>> 1)) {
            ran--;
        }
        return ran > 0 || ((now & 1) != 0 && (now >>> 1) != sampleTask);
    }

    /** Posts one lag sample to the loop unless the previous one has not run yet. */
    void postLagSample() {
        if (lagSampleQueued) {
            return;
        }
        lagSampleQueued = true;
        lagSamplePostedAt = System.nanoTime();
        loop.execute(lagSample);
    }
}
