package dev.loomcluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Records a pool's lifecycle events, and each worker's (registered in {@code onFork}, so it sees all of
 * them), as strings such as {@code "fork 1"}, {@code "w.online 1"}, {@code "exit 1 143 SIGTERM"},
 * {@code "error 1 IllegalStateException boom"}, with the thread each ran on.
 */
final class Events {
    private final List<String> events = new ArrayList<>();
    private final Set<Thread> threads = new LinkedHashSet<>();

    /** Records every lifecycle event of {@code pool} and of each worker it forks from now on. */
    static Events of(WorkerPool pool) {
        Events e = new Events();
        pool.onFork(w -> {
            e.add("fork " + w.id());
            w.onOnline(() -> e.add("w.online " + w.id()));
            w.onListening(a -> e.add("w.listening " + w.id()));
            w.onError(t -> e.add("w.error " + w.id() + " " + describe(t)));
            w.onDisconnect(() -> e.add("w.disconnect " + w.id()));
            w.onExit(s -> e.add("w.exit " + w.id() + " " + describe(s)));
        });
        pool.onOnline(w -> e.add("online " + w.id()));
        pool.onListening((w, a) -> e.add("listening " + w.id()));
        pool.onError((w, t) -> e.add("error " + w.id() + " " + describe(t)));
        pool.onDisconnect(w -> e.add("disconnect " + w.id()));
        pool.onExit((w, s) -> e.add("exit " + w.id() + " " + describe(s)));
        return e;
    }

    static String describe(ExitStatus s) {
        return s.code() + (s.signal().isEmpty() ? "" : " " + s.signal());
    }

    static String describe(Throwable t) {
        return t.getClass().getSimpleName() + " " + t.getMessage();
    }

    synchronized void add(String event) {
        events.add(event);
        threads.add(Thread.currentThread());
        notifyAll();
    }

    /** All events so far. */
    synchronized List<String> all() {
        return List.copyOf(events);
    }

    /** The events of worker {@code id}, in order (the id is the second word). */
    synchronized List<String> of(int id) {
        return events.stream().filter(e -> e.split(" ")[1].equals(Integer.toString(id))).toList();
    }

    /** The events starting with {@code prefix} (e.g. {@code "exit "}). */
    synchronized List<String> starting(String prefix) {
        return events.stream().filter(e -> e.startsWith(prefix)).toList();
    }

    /** The threads listeners ran on. */
    synchronized Set<Thread> threads() {
        return Set.copyOf(threads);
    }

    /** Waits until {@code event} has been recorded. */
    void await(String event) {
        awaitCount("event \"" + event + "\"", event::equals, 1);
    }

    /** Waits until {@code n} events match. */
    synchronized void awaitCount(String what, Predicate<String> match, int n) {
        long deadline = System.nanoTime() + Await.TIMEOUT.toNanos();
        while (events.stream().filter(match).count() < n) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                fail("timed out after " + Await.TIMEOUT + " waiting for " + n + " x " + what + "; events: " + events);
            }
            try {
                wait(Math.max(1, Duration.ofNanos(left).toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    @Override
    public synchronized String toString() {
        return events.toString();
    }
}
