package dev.loomcluster.http.examples;

/**
 * SIGINT/SIGTERM handling through {@code sun.misc.Signal} (module {@code jdk.unsupported}), so a drained
 * shutdown can end with status 0 instead of the JVM's 130/143. Called from the main thread; the action
 * runs on a thread of its own, once.
 */
final class Signals {
    private Signals() {
    }

    /** Runs {@code action} on the first SIGINT or SIGTERM; false if the signals cannot be handled. */
    static boolean handle(Runnable action) {
        java.util.concurrent.atomic.AtomicBoolean once = new java.util.concurrent.atomic.AtomicBoolean();
        try {
            sun.misc.SignalHandler h = sig -> {
                if (once.compareAndSet(false, true)) {
                    Thread.ofPlatform().name("hello-shutdown").start(action);
                }
            };
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), h);
            sun.misc.Signal.handle(new sun.misc.Signal("TERM"), h);
            return true;
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            return false;
        }
    }
}
