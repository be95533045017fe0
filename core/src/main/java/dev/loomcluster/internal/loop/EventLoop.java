package dev.loomcluster.internal.loop;

import dev.loomcluster.Cancellable;
import dev.loomcluster.IdleStrategy;
import dev.loomcluster.internal.observe.LoopProbe;
import org.jctools.queues.MessagePassingQueue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.PriorityQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * A single-threaded event loop: an MPSC mailbox ({@link Mailboxes#mpsc()}), timers, and, once a channel is registered, a
 * {@link Selector}. Exactly one thread runs {@link #run}; every other method may be called from any
 * thread unless its javadoc says "loop thread".
 *
 * <p>The mailbox holds {@link Task}s, which the loop runs, and messages (anything else, {@code null}
 * included), which it hands to its {@link Handler}. Posting a message allocates nothing.
 *
 * <p>Waking without lost wake-ups: before waiting the loop publishes {@code SLEEPING} and then checks the
 * mailbox once more; a producer enqueues first, then reads the state and wakes the loop only if it was
 * {@code SLEEPING} (swapping it to {@code AWAKE}, so that of many producers just one pays for the wake-up).
 * Both sides order a volatile write before a volatile read (Dekker), so at least one of them sees the
 * other. The loop parks ({@link LockSupport}) while it has no selector and waits in
 * {@link Selector#select} once it has one; on JDK 25 a virtual thread doing either releases its carrier.
 *
 * <p>Before it waits, an idle loop may spin and then yield, polling its mailbox (and its selector with
 * {@code selectNow}), as its {@link IdleStrategy} says. After a batch of work it polls the selector
 * without waiting only if more work is already queued (so that channels are served between batches);
 * otherwise it goes straight to the wait, whose {@code select} returns at once for ready channels, which
 * saves an {@code epoll_wait} per batch.
 *
 * <p>Before each task (mailbox entry, timer, I/O callback, the handler's idle poll) the loop marks its
 * {@link LoopProbe} busy, and before waiting idle, for the blocked-loop watchdog; each timer's lateness
 * goes into the probe's lag histogram.
 */
public final class EventLoop implements Executor {

    /** Receives what is not a task; runs on the loop thread. */
    public interface Handler {
        /** A message taken from the mailbox ({@code null} stays {@code null}). */
        void onMessage(Object message) throws Exception;

        /** Called when the loop has nothing to do and is about to wait; {@code true} means "work found". */
        default boolean beforeBlock() {
            return false;
        }
    }

    /** A mailbox entry the loop runs rather than hands to its handler. */
    public abstract static class Task implements Runnable {
    }

    /** What a registered channel's {@link SelectionKey} is attached to; runs on the loop thread. */
    public interface IoHandle {
        void onReady(SelectionKey key);
    }

    private static final int AWAKE = 0;
    private static final int SLEEPING = 1;
    private static final Object NULL = new Object();
    private static final int MAILBOX_BATCH = 4096;
    private static final int CPUS = Runtime.getRuntime().availableProcessors();
    /** Loops of this JVM inside {@link #run}: {@link IdleStrategy#auto()} spins only while they fit the CPUs. */
    private static final AtomicInteger RUNNING = new AtomicInteger();
    /**
     * Loops of this JVM's process pools that run in other JVMs on this machine, counted with {@link #RUNNING}:
     * a primary's children, or a child's primary and siblings.
     */
    private static final AtomicInteger ELSEWHERE = new AtomicInteger();
    /** A spin step longer than this means the loop lost its CPU meanwhile. */
    private static final long PREEMPTED_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    /** How long {@link IdleStrategy#auto()} parks at once after it found the CPUs oversubscribed. */
    private static final long PARK_ONLY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    // ---- any thread
    private final MessagePassingQueue<Object> mailbox = Mailboxes.mpsc();
    private final AtomicInteger wakeState = new AtomicInteger(AWAKE);
    private final String name;
    private final LoopProbe probe;
    private volatile Selector selector;
    private volatile Thread thread;
    private volatile boolean stopRequested;
    private volatile long startNanos;
    private volatile long blockedNanos;   // written by the loop thread only
    private volatile long blockStart;     // written by the loop thread only: non-zero while waiting

    // ---- loop thread
    private final PriorityQueue<Timer> timers = new PriorityQueue<>(1); // most loops have few timers, if any
    private long timerSequence;
    private final Consumer<SelectionKey> onKey = this::onKey;
    private long spinNanos;        // of the idle strategy, set before run
    private long backOffNanos;     // spin + yield; 0: park at once
    private boolean adaptive;      // IdleStrategy.auto(): back off only on a platform thread with a CPU per loop
    private long idleSince;        // nanoTime the loop went idle; 0 while it has work
    private boolean backingOff;    // spinning or yielding since idleSince
    private long lastStep;         // nanoTime of the last spin or yield step
    private long parkOnlyUntil;    // auto: nanoTime until which the loop parks at once (its CPU was taken)

    public EventLoop(String name) {
        this.name = name;
        this.probe = new LoopProbe(name, this);
    }

    public String name() {
        return name;
    }

    /**
     * Counts {@code delta} more (or, negative, fewer) event loops of this JVM's pools running in other
     * processes on this machine: {@link IdleStrategy#auto()} spins only while this JVM's loops and those fit
     * the CPUs. Any thread.
     */
    public static void addLoopsElsewhere(int delta) {
        ELSEWHERE.addAndGet(delta);
    }

    /** The count {@link #addLoopsElsewhere} keeps. Any thread. */
    public static int loopsElsewhere() {
        return ELSEWHERE.get();
    }

    /** What the loop does when idle; default {@link IdleStrategy#park()}. Call before {@link #run}. */
    public void idleStrategy(IdleStrategy strategy) {
        spinNanos = strategy.spin().toNanos();
        backOffNanos = spinNanos + strategy.yielding().toNanos();
        adaptive = strategy.isAuto();
    }

    /** Posts a message for the handler; {@code null} is delivered as {@code null}. */
    public void post(Object message) {
        Mailboxes.offer(mailbox, message == null ? NULL : message, name);
        wakeup();
    }

    /** Runs {@code task} on the loop thread, after what is already in the mailbox. */
    @Override
    public void execute(Runnable task) {
        if (task == null) {
            throw new NullPointerException("task");
        }
        Mailboxes.offer(mailbox, task instanceof Task ? task : new RunTask(task), name);
        wakeup();
    }

    /** Whether the calling thread is this loop's thread. */
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Entries waiting in the mailbox (not counting the watchdog's lag sample). */
    public int pending() {
        return Math.max(0, mailbox.size() - (probe.lagSampleQueued() ? 1 : 0));
    }

    /** What this loop publishes for the blocked-loop watchdog and loop-lag statistics. */
    public LoopProbe probe() {
        return probe;
    }

    /** Share of time since {@link #run} started that the loop was not waiting, 0 to 1. */
    public double utilization() {
        long start = startNanos;
        if (start == 0) {
            return 0;
        }
        long now = System.nanoTime();
        long waitingSince = blockStart;
        long blocked = blockedNanos + (waitingSince != 0 ? now - waitingSince : 0);
        long total = now - start;
        return total <= 0 ? 0 : Math.max(0, Math.min(1, 1 - (double) blocked / total));
    }

    /** Asks the loop to return from {@link #run} after the current task; pending entries are not run. */
    public void stop() {
        stopRequested = true;
        wakeupNow();
    }

    public boolean isStopRequested() {
        return stopRequested;
    }

    /**
     * Schedules {@code task} on the loop after {@code delayNanos}, then every {@code periodNanos} if that
     * is positive.
     */
    public Cancellable schedule(long delayNanos, long periodNanos, Runnable task) {
        Timer timer = new Timer(task, periodNanos);
        long deadline = System.nanoTime() + Math.max(0, delayNanos);
        if (inLoop()) {
            timer.deadline = deadline;
            addTimer(timer);
        } else {
            execute(() -> {
                timer.deadline = deadline;
                addTimer(timer);
            });
        }
        return timer;
    }

    /** The loop's selector, opened on first use. Loop thread only. */
    public Selector selector() {
        Selector s = selector;
        if (s == null) {
            try {
                s = Selector.open();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open a selector for " + name, e);
            }
            selector = s;
        }
        return s;
    }

    /**
     * Runs the loop on the calling thread until {@link #stop()}. A task, timer or handler that throws ends
     * the loop: the exception propagates to the caller.
     */
    public void run(Handler handler) throws Exception {
        thread = Thread.currentThread();
        probe.running();
        if (startNanos == 0) {
            startNanos = System.nanoTime();
        }
        RUNNING.incrementAndGet();
        try {
            while (!stopRequested) {
                int work = runMailbox(handler);
                if (stopRequested) {
                    break;
                }
                long now = System.nanoTime();
                work += runTimers(now);
                if (stopRequested) {
                    break;
                }
                if (work == 0 && !beforeBlock(handler)) {
                    probe.idle();
                    if (!backOff()) {
                        block();
                    }
                } else {
                    idleSince = 0;
                    Selector s = selector;
                    if (s != null && hasWorkQueued(now)) {
                        s.selectNow(onKey);
                    }
                }
            }
        } finally {
            RUNNING.decrementAndGet();
            idleSince = 0;
        }
    }

    /** Whether the mailbox has entries or a timer is due: then channels are polled before the next batch. */
    private boolean hasWorkQueued(long now) {
        if (!mailbox.isEmpty()) {
            return true;
        }
        Timer next = timers.peek();
        return next != null && next.deadline - now <= 0;
    }

    /**
     * The loop is idle: spins or yields once, polling the selector, if the idle strategy says so and its
     * time is not up; returns {@code false} when the loop should wait instead.
     */
    private boolean backOff() throws IOException {
        if (backOffNanos == 0) {
            return false;
        }
        long now = System.nanoTime();
        if (idleSince == 0) {
            idleSince = now;
            backingOff = !adaptive
                    || (!thread.isVirtual() && RUNNING.get() + ELSEWHERE.get() <= CPUS && now - parkOnlyUntil >= 0);
        } else if (adaptive && now - lastStep > PREEMPTED_NANOS) {
            // One step of spinning took far longer than a step takes: the OS gave this CPU to another
            // thread, so the CPUs are oversubscribed and spinning only delays the threads it waits for.
            parkOnlyUntil = now + PARK_ONLY_NANOS;
            backingOff = false;
        }
        lastStep = now;
        long idleFor = now - idleSince;
        if (!backingOff || idleFor >= backOffNanos) {
            idleSince = 0;
            return false;
        }
        Selector s = selector;
        if (s != null && s.selectNow(onKey) > 0) {
            idleSince = 0;
            return true;
        }
        if (idleFor < spinNanos) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
        return true;
    }

    /**
     * Closes the selector (and with it every registered channel's key) and drops pending entries.
     * Loop thread, after {@link #run} returned; or any thread once the loop thread is gone.
     */
    public void close() {
        stopRequested = true;
        probe.ended();
        Selector s = selector;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing: nothing to do
            }
        }
        mailbox.clear();
        timers.clear();
    }

    private boolean beforeBlock(Handler handler) {
        probe.taskStarted(); // the handler's idle poll runs user code too (a connection's onOpen)
        return handler.beforeBlock();
    }

    private int runMailbox(Handler handler) throws Exception {
        int n = 0;
        Object o;
        while (n < MAILBOX_BATCH && (o = mailbox.relaxedPoll()) != null) {
            n++;
            probe.taskStarted();
            if (o instanceof Task t) {
                t.run();
            } else {
                handler.onMessage(o == NULL ? null : o);
            }
            if (stopRequested) {
                break;
            }
        }
        return n;
    }

    private int runTimers(long now) {
        int n = 0;
        int budget = timers.size();
        Timer t;
        while (budget-- > 0 && (t = timers.peek()) != null && (t.cancelled || t.deadline - now <= 0)) {
            timers.poll();
            if (t.cancelled) {
                continue;
            }
            long due = t.deadline;
            if (t.period > 0) {
                long next = t.deadline + t.period;
                t.deadline = next - now <= 0 ? now + t.period : next;
                addTimer(t);
            } else {
                t.cancelled = true;
            }
            n++;
            probe.taskStarted();
            probe.timerStarted(due, System.nanoTime());
            t.task.run();
            if (stopRequested) {
                break;
            }
        }
        return n;
    }

    private void addTimer(Timer t) {
        if (!t.cancelled) {
            t.sequence = timerSequence++;
            timers.add(t);
        }
    }

    private void block() throws IOException {
        wakeState.set(SLEEPING);
        try {
            if (!mailbox.isEmpty() || stopRequested) {
                return;
            }
            long timeout = -1;
            Timer next;
            while ((next = timers.peek()) != null && next.cancelled) {
                timers.poll();
            }
            if (next != null) {
                timeout = Math.max(0, next.deadline - System.nanoTime());
                if (timeout == 0) {
                    return;
                }
            }
            Selector s = selector;
            long start = System.nanoTime();
            blockStart = start;
            if (s != null) {
                if (timeout < 0) {
                    s.select(onKey);
                } else {
                    s.select(onKey, Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeout + 999_999)));
                }
            } else if (timeout < 0) {
                LockSupport.park(this);
            } else {
                LockSupport.parkNanos(this, timeout);
            }
            if (blockStart != 0) {
                blockedNanos += System.nanoTime() - start;
                blockStart = 0;
            }
            Thread.interrupted(); // a stray interrupt must not make the next wait return at once
        } finally {
            wakeState.set(AWAKE);
        }
    }

    private void onKey(SelectionKey key) {
        if (blockStart != 0) {
            blockedNanos += System.nanoTime() - blockStart;
            blockStart = 0;
        }
        probe.taskStarted();
        ((IoHandle) key.attachment()).onReady(key);
    }

    private void wakeup() {
        if (wakeState.get() == SLEEPING) {
            wakeupNow();
        }
    }

    private void wakeupNow() {
        if (wakeState.getAndSet(AWAKE) == SLEEPING) {
            Selector s = selector;
            if (s != null) {
                s.wakeup();
            } else {
                LockSupport.unpark(thread);
            }
        }
    }

    /** A user {@link Runnable} in the mailbox. */
    private static final class RunTask extends Task {
        private final Runnable task;

        RunTask(Runnable task) {
            this.task = task;
        }

        @Override
        public void run() {
            task.run();
        }
    }

    /** A timer; ordered by deadline, then by scheduling order. Cancel from any thread. */
    private static final class Timer implements Cancellable, Comparable<Timer> {
        final Runnable task;
        final long period;
        long deadline;
        long sequence;
        volatile boolean cancelled;

        Timer(Runnable task, long period) {
            this.task = task;
            this.period = period;
        }

        @Override
        public boolean cancel() {
            if (cancelled) {
                return false;
            }
            cancelled = true;
            return true;
        }

        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(deadline - o.deadline, 0);
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }
    }
}
