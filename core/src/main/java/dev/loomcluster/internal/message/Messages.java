package dev.loomcluster.internal.message;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks and isolates messages: what a sender passes to {@code send} is turned into a value that nothing
 * the sender does afterwards can change. Immutable values pass as they are (no copy, no allocation);
 * {@code byte[]} and collections are copied, and records are rebuilt only when a component had to be
 * copied. Anything else is refused with an {@link IllegalArgumentException} naming the type and where it
 * was found. The same contract is what a multi-process pool can serialize. Runs on the sending thread
 * (any thread).
 */
public final class Messages {

    private static final int MAX_DEPTH = 64;

    private Messages() {
    }

    /**
     * Returns {@code message} or an isolated copy of it.
     *
     * @throws IllegalArgumentException if a part of it is not of an allowed type
     */
    public static Object isolate(Object message) {
        try {
            return isolate(message, 0);
        } catch (Refused r) {
            throw new IllegalArgumentException(r.describe(), r.getCause());
        }
    }

    /**
     * Where a refused value was found is only spelled out on failure: each container level catches
     * {@link Refused} on its way out and prepends its own path segment, so the happy path builds no strings.
     */
    private static Object isolate(Object value, int depth) {
        if (value == null || isImmutableScalar(value.getClass())) {
            return value;
        }
        if (depth > MAX_DEPTH) {
            throw new Refused("is nested deeper than " + MAX_DEPTH + " levels (a cycle?)", null);
        }
        return switch (value) {
            case byte[] bytes -> bytes.clone();
            case Enum<?> e -> e;
            case Record r -> isolateRecord(r, depth);
            case List<?> list -> {
                List<Object> copy = new ArrayList<>(list.size());
                int i = 0;
                for (Object element : list) {
                    try {
                        copy.add(isolate(element, depth + 1));
                    } catch (Refused refused) {
                        throw refused.at("[" + i + "]");
                    }
                    i++;
                }
                yield Collections.unmodifiableList(copy);
            }
            case Set<?> set -> {
                Set<Object> copy = LinkedHashSet.newLinkedHashSet(set.size());
                for (Object element : set) {
                    try {
                        copy.add(isolate(element, depth + 1));
                    } catch (Refused refused) {
                        throw refused.at("{}");
                    }
                }
                yield Collections.unmodifiableSet(copy);
            }
            case Map<?, ?> map -> {
                Map<Object, Object> copy = LinkedHashMap.newLinkedHashMap(map.size());
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    Object key;
                    try {
                        key = isolate(entry.getKey(), depth + 1);
                    } catch (Refused refused) {
                        throw refused.at(".key");
                    }
                    try {
                        copy.put(key, isolate(entry.getValue(), depth + 1));
                    } catch (Refused refused) {
                        throw refused.at("[" + key + "]");
                    }
                }
                yield Collections.unmodifiableMap(copy);
            }
            default -> throw refused(value.getClass());
        };
    }

    private static boolean isImmutableScalar(Class<?> c) {
        return c == String.class || c == Integer.class || c == Long.class || c == Boolean.class
                || c == Double.class || c == Character.class || c == Byte.class || c == Short.class
                || c == Float.class;
    }

    /** Whether {@code type} is loomcluster's own, which is never sent (in either isolation). */
    static boolean isInternal(Class<?> type) {
        return type.getPackageName().startsWith("dev.loomcluster.internal");
    }

    /** The refusal of a value of a type that is not allowed; also the wire codec's. */
    static Refused refused(Class<?> type) {
        return new Refused("of type " + type.getName() + ": allowed are null, String, boxed primitives, enums,"
                + " byte[], records of allowed types, and List/Set/Map of allowed types", null);
    }

    /**
     * A refused value; carries the path from the top-level message down to it. Thrown by this class and
     * {@link WireCodec}, each of which turns it into an {@link IllegalArgumentException}: it never escapes
     * them.
     */
    static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final StringBuilder path = new StringBuilder();
        private final String problem;

        Refused(String problem, Throwable cause) {
            super(problem, cause, false, false);
            this.problem = problem;
        }

        Refused at(String segment) {
            path.insert(0, segment);
            return this;
        }

        String describe() {
            return "cannot send message" + path + " " + problem;
        }
    }

    private static Object isolateRecord(Record r, int depth) {
        Class<?> type = r.getClass();
        if (isInternal(type)) {
            throw refused(type);
        }
        RecordShape shape = SHAPES.get(type);
        Object[] values = new Object[shape.accessors.length];
        boolean copied = false;
        for (int i = 0; i < values.length; i++) {
            Object original;
            try {
                original = shape.accessors[i].invoke(r);
            } catch (Throwable t) {
                throw new Refused("cannot be read from " + type.getName() + ": " + t, t).at("." + shape.names[i]);
            }
            Object isolated;
            try {
                isolated = isolate(original, depth + 1);
            } catch (Refused refused) {
                throw refused.at("." + shape.names[i]);
            }
            copied |= isolated != original;
            values[i] = isolated;
        }
        if (!copied) {
            return r;
        }
        try {
            return shape.constructor.invokeWithArguments(values);
        } catch (Throwable t) {
            throw new Refused("of type " + type.getName() + " cannot be copied: " + t, t);
        }
    }

    /** Accessors and canonical constructor of one record class, looked up once. */
    private record RecordShape(String[] names, MethodHandle[] accessors, MethodHandle constructor) {
    }

    private static final ClassValue<RecordShape> SHAPES = new ClassValue<>() {
        @Override
        protected RecordShape computeValue(Class<?> type) {
            RecordComponent[] components = type.getRecordComponents();
            String[] names = new String[components.length];
            MethodHandle[] accessors = new MethodHandle[components.length];
            Class<?>[] types = new Class<?>[components.length];
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                for (int i = 0; i < components.length; i++) {
                    names[i] = components[i].getName();
                    types[i] = components[i].getType();
                    var accessor = components[i].getAccessor();
                    accessor.setAccessible(true);
                    accessors[i] = lookup.unreflect(accessor).asType(MethodType.methodType(Object.class, Record.class));
                }
                var constructor = type.getDeclaredConstructor(types);
                constructor.setAccessible(true);
                MethodHandle ctor = lookup.unreflectConstructor(constructor)
                        .asType(MethodType.methodType(Object.class, types).generic());
                return new RecordShape(names, accessors, ctor);
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalArgumentException("cannot send records of type " + type.getName()
                        + ": its components are not accessible to loomcluster (make it public or open its"
                        + " package): " + e, e);
            }
        }
    };
}
