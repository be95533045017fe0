package dev.loomcluster;

/** A scheduled timer. Callable from any thread. */
@FunctionalInterface
public interface Cancellable {

    /**
     * Cancels the timer: it will not run again.
     *
     * @return whether this call cancelled it (false if it had already run once-only, or was cancelled)
     */
    boolean cancel();
}
