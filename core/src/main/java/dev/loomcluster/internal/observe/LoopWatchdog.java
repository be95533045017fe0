package dev.loomcluster.internal.observe;

import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The blocked-loop detector (as Vert.x's {@code BlockedThreadChecker}): one daemon thread for the JVM
 * samples every watched {@link LoopProbe} every quarter of the smallest threshold (at least 10 ms). A
 * probe whose state has not changed, busy, for at least its threshold is one task holding the loop:
 * it is reported once, with the loop thread's stack, as a WARNING on {@code dev.loomcluster.loop} and a
 * {@code dev.loomcluster.SlowLoopTask} JFR event. At each sample it also posts a lag sample to every
 * loop that ran something since the previous one (idle loops are not woken).
 *
 * <p>The thread starts with the first watched loop and ends at the first sample that finds none left
 * (closed loops are dropped), so a JVM whose pools are closed has no watchdog thread. {@link #watch}
 * may be called from any thread; everything else runs on the watchdog thread.
 */
public final class LoopWatchdog {
    static final String THREAD_NAME = "dev.loomcluster.loop-watchdog";
    private static final long MIN_INTERVAL = TimeUnit.MILLISECONDS.toNanos(10);
    private static final int STACK_FRAMES_IN_EVENT = 32;

    // ---- guarded by LOCK (any thread)
    private static final Object LOCK = new Object();
    private static final ArrayList<LoopProbe> PROBES = new ArrayList<>();
    private static Thread thread;

    private LoopWatchdog() {
    }

    /**
     * Watches {@code probe}'s loop until it is closed, reporting tasks that run {@code thresholdNanos} or
     * longer; {@code threshold <= 0} does nothing. Any thread.
     *
     * @param workerId the worker the loop runs, 0 for a pool's primary loop
     */
    public static void watch(LoopProbe probe, long thresholdNanos, String pool, int workerId) {
        if (thresholdNanos <= 0) {
            return;
        }
        synchronized (LOCK) {
            if (probe.watch() == null) {
                PROBES.add(probe);
            }
            probe.watch(new LoopProbe.Watch(thresholdNanos, pool, workerId));
            if (thread == null) {
                thread = Thread.ofPlatform().name(THREAD_NAME).daemon(true).unstarted(LoopWatchdog::run);
                thread.start();
            }
        }
    }

    private static void run() {
        ArrayList<LoopProbe> probes = new ArrayList<>();
        while (true) {
            probes.clear();
            synchronized (LOCK) {
                PROBES.removeIf(LoopProbe::isEnded);
                if (PROBES.isEmpty()) {
                    thread = null;
                    return;
                }
                probes.addAll(PROBES);
            }
            long interval = Long.MAX_VALUE;
            long now = System.nanoTime();
            for (LoopProbe p : probes) {
                LoopProbe.Watch w = p.watch();
                interval = Math.min(interval, w.thresholdNanos() / 4);
                sample(p, w, now);
            }
            LockSupport.parkNanos(Math.max(MIN_INTERVAL, interval));
        }
    }

    private static void sample(LoopProbe p, LoopProbe.Watch w, long now) {
        if (p.thread() == null) {
            return; // not running yet
        }
        long s = p.state();
        if (s != p.lastState) {
            boolean active = p.lastState >= 0 && p.activeSince(p.lastState, s);
            p.lastState = s;
            p.lastChangeNanos = now;
            p.reported = false;
            if (active) {
                p.postLagSample();
            }
            return;
        }
        if ((s & 1) == 0) {
            return; // idle, nothing new
        }
        p.postLagSample(); // busy in one task: the sample waits behind it, which is the lag to measure
        long running = now - p.lastChangeNanos;
        if (!p.reported && running >= w.thresholdNanos()) {
            p.reported = true;
            report(p, w, running, s);
        }
    }

    private static void report(LoopProbe p, LoopProbe.Watch w, long running, long state) {
        Thread t = p.thread();
        StackTraceElement[] stack = t.getStackTrace();
        boolean stillThere = p.state() == state;
        if (Log.LOOP.isLoggable(System.Logger.Level.WARNING)) {
            String where = w.workerId() == 0 ? "the primary loop of pool " + w.pool()
                    : "worker " + w.workerId() + " of pool " + w.pool();
            String msg = "loop " + p.name() + " (" + where + ") has been running one task for "
                    + TimeUnit.NANOSECONDS.toMillis(running) + " ms, over the blocked-loop threshold of "
                    + TimeUnit.NANOSECONDS.toMillis(w.thresholdNanos()) + " ms"
                    + (stillThere ? "; the loop thread's stack follows" : "; it ended before its stack was taken");
            if (stillThere) {
                BlockedLoopException where2 = new BlockedLoopException(p.name());
                where2.setStackTrace(stack);
                Log.LOOP.log(System.Logger.Level.WARNING, msg, where2);
            } else {
                Log.LOOP.log(System.Logger.Level.WARNING, msg);
            }
        }
        if (!Log.jfr()) {
            return;
        }
        SlowLoopTaskEvent e = new SlowLoopTaskEvent();
        if (e.shouldCommit()) {
            e.pool = w.pool();
            e.workerId = w.workerId();
            e.loop = p.name();
            e.runningFor = running;
            e.threshold = w.thresholdNanos();
            e.loopStack = stillThere ? format(stack) : "";
            e.commit();
        }
    }

    private static String format(StackTraceElement[] stack) {
        StringBuilder b = new StringBuilder();
        int n = Math.min(stack.length, STACK_FRAMES_IN_EVENT);
        for (int i = 0; i < n; i++) {
            b.append("at ").append(stack[i]).append('\n');
        }
        if (stack.length > n) {
            b.append("... ").append(stack.length - n).append(" more\n");
        }
        return b.toString();
    }

    /** Carries a blocked loop thread's stack into the log; never thrown. */
    static final class BlockedLoopException extends Exception {
        BlockedLoopException(String loop) {
            super("stack of loop thread " + loop + " (not an error thrown: where the loop is blocked)", null, false, true);
        }
    }
}
