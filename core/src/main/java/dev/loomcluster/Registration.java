package dev.loomcluster;

/** A registered listener; {@link #remove()} unregisters it. Idempotent, callable from any thread. */
@FunctionalInterface
public interface Registration extends AutoCloseable {

    /** Unregisters the listener; events not yet delivered to it are not delivered. */
    void remove();

    /** Same as {@link #remove()}. */
    @Override
    default void close() {
        remove();
    }
}
