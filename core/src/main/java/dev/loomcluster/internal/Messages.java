package dev.loomcluster.internal;

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
        return isolate(message, "message", 0);
    }

    private static Object isolate(Object value, String path, int depth) {
        if (value == null || isImmutableScalar(value.getClass())) {
            return value;
        }
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException(path + " is nested deeper than " + MAX_DEPTH
                    + " levels (a cycle?)");
        }
        return switch (value) {
            case byte[] bytes -> bytes.clone();
            case Enum<?> e -> e;
            case Record r -> isolateRecord(r, path, depth);
            case List<?> list -> {
                List<Object> copy = new ArrayList<>(list.size());
                int i = 0;
                for (Object element : list) {
                    copy.add(isolate(element, path + "[" + i++ + "]", depth + 1));
                }
                yield Collections.unmodifiableList(copy);
            }
            case Set<?> set -> {
                Set<Object> copy = LinkedHashSet.newLinkedHashSet(set.size());
                for (Object element : set) {
                    copy.add(isolate(element, path + "{}", depth + 1));
                }
                yield Collections.unmodifiableSet(copy);
            }
            case Map<?, ?> map -> {
                Map<Object, Object> copy = LinkedHashMap.newLinkedHashMap(map.size());
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    Object key = isolate(entry.getKey(), path + ".key", depth + 1);
                    copy.put(key, isolate(entry.getValue(), path + "[" + key + "]", depth + 1));
                }
                yield Collections.unmodifiableMap(copy);
            }
            default -> throw refused(value.getClass(), path);
        };
    }

    private static boolean isImmutableScalar(Class<?> c) {
        return c == String.class || c == Integer.class || c == Long.class || c == Boolean.class
                || c == Double.class || c == Character.class || c == Byte.class || c == Short.class
                || c == Float.class;
    }

    private static IllegalArgumentException refused(Class<?> type, String path) {
        return new IllegalArgumentException("cannot send " + path + " of type " + type.getName()
                + ": allowed are null, String, boxed primitives, enums, byte[], records of allowed types,"
                + " and List/Set/Map of allowed types");
    }

    private static Object isolateRecord(Record r, String path, int depth) {
        Class<?> type = r.getClass();
        if (type.getPackageName().startsWith("dev.loomcluster.internal")) {
            throw refused(type, path);
        }
        RecordShape shape = SHAPES.get(type);
        Object[] values = new Object[shape.accessors.length];
        boolean copied = false;
        for (int i = 0; i < values.length; i++) {
            Object original;
            try {
                original = shape.accessors[i].invoke(r);
            } catch (Throwable t) {
                throw new IllegalArgumentException("cannot read " + path + "." + shape.names[i] + " of "
                        + type.getName() + ": " + t, t);
            }
            Object isolated = isolate(original, path + "." + shape.names[i], depth + 1);
            copied |= isolated != original;
            values[i] = isolated;
        }
        if (!copied) {
            return r;
        }
        try {
            return shape.constructor.invokeWithArguments(values);
        } catch (Throwable t) {
            throw new IllegalArgumentException("cannot copy " + path + " of type " + type.getName() + ": " + t, t);
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
