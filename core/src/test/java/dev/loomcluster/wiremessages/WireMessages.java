package dev.loomcluster.wiremessages;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Application-side message types for the wire codec's tests: they live outside loomcluster's internal
 * packages, whose records are never sent.
 */
public final class WireMessages {

    /** Set by {@link NotARecord}'s static initialiser; a decoder that merely names the class must leave it unset. */
    public static final AtomicBoolean NOT_A_RECORD_INITIALISED = new AtomicBoolean();

    private WireMessages() {
    }

    public enum Color { RED, GREEN, BLUE }

    /** Constants with bodies: each constant's class is an anonymous subclass of the enum. */
    public enum Op {
        PLUS {
            @Override
            public int apply(int a, int b) {
                return a + b;
            }
        },
        MINUS {
            @Override
            public int apply(int a, int b) {
                return a - b;
            }
        };

        public abstract int apply(int a, int b);
    }

    public record Point(int x, int y) {
    }

    public record Primitives(boolean z, byte b, short s, char c, int i, long l, float f, double d) {
    }

    public record Empty() {
    }

    public record Holder(Object value) {
    }

    public record Named(String name) {
    }

    public record Tree(String label, List<Tree> children) {
    }

    public record Everything(String text, Integer boxed, Color color, Op op, List<Object> list, Set<Object> set,
                             Map<Object, Object> map, Point point, Holder holder) {
    }

    /** Validates in its canonical constructor. */
    public record Positive(int value) {
        public Positive {
            if (value <= 0) {
                throw new IllegalArgumentException("value must be positive: " + value);
            }
        }
    }

    /** Neither a record nor an enum; initialising it sets {@link #NOT_A_RECORD_INITIALISED}. */
    public static final class NotARecord {
        static {
            NOT_A_RECORD_INITIALISED.set(true);
        }
    }

    /** Used in a Set and a Map key by the tests, with a value-based hashCode as records have. */
    public record Key(String name, int n) {
    }
}
