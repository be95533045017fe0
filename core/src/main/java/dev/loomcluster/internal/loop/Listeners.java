package dev.loomcluster.internal.loop;

import dev.loomcluster.Registration;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Listeners of one event: added and removed from any thread (copy on write), fired on the owner's loop
 * thread by iterating an array snapshot, which allocates nothing.
 *
 * @param <L> the listener type
 */
public final class Listeners<L> {
    private static final Object[] EMPTY = {};

    private volatile Object[] array = EMPTY;

    public synchronized Registration add(L listener) {
        if (listener == null) {
            throw new NullPointerException("listener");
        }
        Object[] a = Arrays.copyOf(array, array.length + 1);
        a[a.length - 1] = listener;
        array = a;
        return () -> remove(listener);
    }

    private synchronized void remove(L listener) {
        Object[] a = array;
        for (int i = 0; i < a.length; i++) {
            if (a[i] == listener) {
                Object[] b = new Object[a.length - 1];
                System.arraycopy(a, 0, b, 0, i);
                System.arraycopy(a, i + 1, b, i, a.length - i - 1);
                array = b;
                return;
            }
        }
    }

    /** The listeners now, to iterate with {@link #at}; do not modify. */
    public Object[] snapshot() {
        return array;
    }

    /** Element {@code i} of a snapshot. */
    @SuppressWarnings("unchecked")
    public L at(Object[] snapshot, int i) {
        return (L) snapshot[i];
    }

    /** Calls every listener; one that throws is logged and the others still run. */
    public void fire(Consumer<? super L> call) {
        Object[] a = array;
        for (int i = 0; i < a.length; i++) {
            L listener = at(a, i);
            try {
                call.accept(listener);
            } catch (Throwable t) {
                logFailure(listener, t);
            }
        }
    }

    public static void logFailure(Object listener, Throwable t) {
        // looked up on first failure: the logging backend costs a child JVM's start-up ~10 ms
        System.getLogger("dev.loomcluster").log(System.Logger.Level.ERROR, "listener " + listener + " threw", t);
    }
}
