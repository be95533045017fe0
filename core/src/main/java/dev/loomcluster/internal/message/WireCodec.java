package dev.loomcluster.internal.message;

import static dev.loomcluster.internal.message.Messages.isInternal;
import static dev.loomcluster.internal.message.Messages.refused;

import dev.loomcluster.internal.message.Messages.Refused;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Encodes a message into bytes and decodes it back, for workers in another process. A message is what
 * thread mode's message check allows: {@code null}, {@code String}, the boxed primitives, enums,
 * {@code byte[]}, records whose components are allowed, and {@code List}/{@code Set}/{@code Map} of allowed
 * values. Encoding refuses everything else, as that check does, with an {@link IllegalArgumentException}
 * naming the type and where it sits. Decoding rebuilds collections as unmodifiable wrappers of
 * {@code ArrayList}/{@code LinkedHashSet}/{@code LinkedHashMap} (order kept, {@code null} allowed), so a
 * decoded message equals the sent one. No Java serialization: decoding creates nothing but allowed values.
 * Record and enum classes are looked up by name in the codec's class loader without being initialised,
 * must be a record or an enum (records not in a loomcluster-internal package), and are rebuilt through the
 * canonical constructor (the record's own validation runs; component values are type-checked first) or
 * {@link Enum#valueOf}.
 *
 * <p>A value is a tag byte and a body, big-endian: {@code NULL}, {@code TRUE}, {@code FALSE}; {@code INT}
 * i32; {@code LONG} i64; {@code DOUBLE} and {@code FLOAT} raw bits; {@code CHAR} u16; {@code BYTE} i8;
 * {@code SHORT} i16; {@code STRING_LATIN1} u32 n and n bytes, {@code STRING_UTF16} u32 n and n chars
 * (Latin-1 when every char fits, so any {@code String} round-trips exactly); {@code BYTES} u32 n and n
 * bytes; {@code LIST}/{@code SET} u32 n and n values; {@code MAP} u32 n and n key-value pairs;
 * {@code ENUM} class reference and the constant's name as a string value; {@code RECORD} class reference,
 * u16 n and the n component values in declaration order. A class reference is a u16 index into the frame's
 * class table; the index equal to the table's size adds an entry and is followed by the class's binary
 * name as a string value, so each class is named once per frame.
 *
 * <p>Threads: immutable; {@link #encode} and {@link #decode} run on any thread at the same time (the only
 * shared state, the name-to-class cache and the per-class record shapes, is concurrent).
 */
public final class WireCodec {

    static final byte NULL = 0;
    static final byte TRUE = 1;
    static final byte FALSE = 2;
    static final byte INT = 3;
    static final byte LONG = 4;
    static final byte DOUBLE = 5;
    static final byte FLOAT = 6;
    static final byte CHAR = 7;
    static final byte BYTE = 8;
    static final byte SHORT = 9;
    static final byte STRING_LATIN1 = 10;
    static final byte STRING_UTF16 = 11;
    static final byte BYTES = 12;
    static final byte ENUM = 13;
    static final byte RECORD = 14;
    static final byte LIST = 15;
    static final byte SET = 16;
    static final byte MAP = 17;

    // ---- immutable
    private final WireLimits limits;
    private final ClassLoader loader;
    // ---- any thread
    /** Names already resolved to an acceptable record or enum class; holds nothing a peer merely named. */
    private final ConcurrentHashMap<String, Class<?>> resolved = new ConcurrentHashMap<>();

    private WireCodec(WireLimits limits, ClassLoader loader) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.loader = Objects.requireNonNull(loader, "loader");
    }

    /** A codec bounded by {@code limits} that resolves record and enum classes in {@code loader}. */
    public static WireCodec create(WireLimits limits, ClassLoader loader) {
        return new WireCodec(limits, loader);
    }

    public WireLimits limits() {
        return limits;
    }

    /**
     * The payload bytes of {@code message} (what {@link FrameWriter#append} writes after the kind byte).
     *
     * @throws IllegalArgumentException if a part of it is not of an allowed type, or it breaks a limit
     */
    public byte[] encode(Object message) {
        FrameWriter writer = new FrameWriter(this, 256);
        writer.append((byte) 0, message);
        return writer.payloadOfOnlyFrame();
    }

    /**
     * Decodes the one message in {@code payload}'s remaining bytes (position and limit are left as they are).
     *
     * @throws WireFormatException if the bytes are not exactly one valid message within the limits
     */
    public Object decode(ByteBuffer payload) throws WireFormatException {
        if (payload.remaining() > limits.maxFrameBytes()) {
            throw new WireFormatException("message of " + payload.remaining() + " bytes exceeds maxFrameBytes "
                    + limits.maxFrameBytes());
        }
        Reader reader = new Reader(payload);
        Object value;
        try {
            value = reader.read(0);
        } catch (RuntimeException e) {
            throw new WireFormatException("cannot decode message: " + e, e);
        }
        if (reader.pos != reader.end) {
            throw reader.fail(reader.pos, (reader.end - reader.pos) + " bytes after the end of the message");
        }
        return value;
    }

    // ------------------------------------------------------------------------------------------ encoding

    /** Writes {@code message} at {@code out}'s end; called by {@link FrameWriter#append}. */
    void encodeMessage(FrameWriter out, Object message) {
        try {
            encode(out, message, 0);
        } catch (Refused r) {
            throw new IllegalArgumentException(r.describe(), r.getCause());
        }
    }

    private void encode(FrameWriter out, Object value, int depth) {
        switch (value) {
            case null -> out.put(NULL);
            case String s -> out.putString(s);
            case Integer i -> out.put(INT).putInt(i);
            case Long l -> out.put(LONG).putLong(l);
            case Boolean b -> out.put(b ? TRUE : FALSE);
            case Double d -> out.put(DOUBLE).putLong(Double.doubleToRawLongBits(d));
            case Float f -> out.put(FLOAT).putInt(Float.floatToRawIntBits(f));
            case Character c -> out.put(CHAR).putShort(c);
            case Byte b -> out.put(BYTE).put(b);
            case Short s -> out.put(SHORT).putShort(s);
            default -> encodeContainer(out, value, depth);
        }
    }

    /** The same order of cases as thread mode's check, so a value that is, say, a record and a List is a record. */
    private void encodeContainer(FrameWriter out, Object value, int depth) {
        if (depth > limits.maxDepth()) {
            throw new Refused("is nested deeper than maxDepth " + limits.maxDepth() + " (a cycle?)", null);
        }
        switch (value) {
            case byte[] bytes -> out.put(BYTES).putInt(bytes.length).putBytes(bytes);
            case Enum<?> e -> {
                out.put(ENUM).putClass(e.getDeclaringClass());
                out.putString(e.name());
            }
            case Record r -> encodeRecord(out, r, depth);
            case List<?> list -> encodeElements(out.put(LIST), list, depth, true);
            case Set<?> set -> encodeElements(out.put(SET), set, depth, false);
            case Map<?, ?> map -> {
                int countAt = out.put(MAP).reserveInt();
                int n = 0;
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    out.countElement();
                    try {
                        encode(out, entry.getKey(), depth + 1);
                    } catch (Refused refused) {
                        throw refused.at(".key");
                    }
                    try {
                        encode(out, entry.getValue(), depth + 1);
                    } catch (Refused refused) {
                        throw refused.at("[" + entry.getKey() + "]");
                    }
                    n++;
                }
                out.patchInt(countAt, n);
            }
            default -> throw refused(value.getClass());
        }
    }

    /** Writes the elements as iterated and patches the count, so a count and its elements always agree. */
    private void encodeElements(FrameWriter out, Collection<?> elements, int depth, boolean indexed) {
        int countAt = out.reserveInt();
        int n = 0;
        for (Object element : elements) {
            out.countElement();
            try {
                encode(out, element, depth + 1);
            } catch (Refused refused) {
                throw refused.at(indexed ? "[" + n + "]" : "{}");
            }
            n++;
        }
        out.patchInt(countAt, n);
    }

    private void encodeRecord(FrameWriter out, Record r, int depth) {
        Class<?> type = r.getClass();
        if (isInternal(type)) {
            throw refused(type);
        }
        RecordShape shape = SHAPES.get(type);
        out.put(RECORD).putClass(type);
        out.putShort(shape.names.length);
        for (int i = 0; i < shape.names.length; i++) {
            Object component;
            try {
                component = (Object) shape.accessors[i].invokeExact((Object) r);
            } catch (Throwable t) {
                throw new Refused("cannot be read from " + type.getName() + ": " + t, t).at("." + shape.names[i]);
            }
            out.countElement();
            try {
                encode(out, component, depth + 1);
            } catch (Refused refused) {
                throw refused.at("." + shape.names[i]);
            }
        }
    }

    // ------------------------------------------------------------------------------------------ decoding

    /** Reads one payload; lives for one {@link #decode} call. */
    private final class Reader {
        private final ByteBuffer in;
        private final int base;
        private final int end;
        private int pos;
        private long elements;
        private Class<?>[] classes;
        private int classCount;

        Reader(ByteBuffer in) {
            this.in = in;
            this.base = in.position();
            this.end = in.limit();
            this.pos = base;
        }

        Object read(int depth) throws WireFormatException {
            int at = pos;
            byte tag = u8();
            return switch (tag) {
                case NULL -> null;
                case TRUE -> Boolean.TRUE;
                case FALSE -> Boolean.FALSE;
                case INT -> Integer.valueOf(i32());
                case LONG -> Long.valueOf(i64());
                case DOUBLE -> Double.valueOf(Double.longBitsToDouble(i64()));
                case FLOAT -> Float.valueOf(Float.intBitsToFloat(i32()));
                case CHAR -> Character.valueOf((char) u16());
                case BYTE -> Byte.valueOf(u8());
                case SHORT -> Short.valueOf((short) u16());
                case STRING_LATIN1, STRING_UTF16 -> string(tag, at);
                default -> container(tag, at, depth);
            };
        }

        private Object container(byte tag, int at, int depth) throws WireFormatException {
            if (tag < BYTES || tag > MAP) {
                throw fail(at, "unknown value tag 0x" + Integer.toHexString(tag & 0xFF));
            }
            if (depth > limits.maxDepth()) {
                throw fail(at, "value nested deeper than maxDepth " + limits.maxDepth());
            }
            switch (tag) {
                case BYTES -> {
                    int n = length(at, 1);
                    byte[] bytes = new byte[n];
                    in.get(pos, bytes);
                    pos += n;
                    return bytes;
                }
                case ENUM -> {
                    Class<?> type = classRef(at, true);
                    int nameAt = pos;
                    String name = stringValue("enum constant name");
                    try {
                        return enumConstant(type, name);
                    } catch (IllegalArgumentException e) {
                        throw fail(nameAt, "enum " + type.getName() + " has no constant " + name);
                    } catch (Throwable t) {
                        throw fail(at, "enum " + type.getName() + " cannot be initialised: " + rethrowFatal(t), t);
                    }
                }
                case RECORD -> {
                    return record(at, depth);
                }
                case LIST -> {
                    int n = count(at);
                    List<Object> list = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        list.add(read(depth + 1));
                    }
                    return Collections.unmodifiableList(list);
                }
                case SET -> {
                    int n = count(at);
                    Set<Object> set = LinkedHashSet.newLinkedHashSet(n);
                    for (int i = 0; i < n; i++) {
                        set.add(read(depth + 1));
                    }
                    return Collections.unmodifiableSet(set);
                }
                default -> {
                    int n = count(at);
                    Map<Object, Object> map = LinkedHashMap.newLinkedHashMap(n);
                    for (int i = 0; i < n; i++) {
                        Object key = read(depth + 1);
                        map.put(key, read(depth + 1));
                    }
                    return Collections.unmodifiableMap(map);
                }
            }
        }

        private Object record(int at, int depth) throws WireFormatException {
            Class<?> type = classRef(at, false);
            RecordShape shape;
            try {
                shape = SHAPES.get(type);
            } catch (IllegalArgumentException e) {
                throw fail(at, "cannot decode record " + type.getName() + ": " + e.getMessage());
            }
            int n = u16();
            if (n != shape.names.length) {
                throw fail(at, "record " + type.getName() + " has " + shape.names.length
                        + " components, the message has " + n);
            }
            countElements(at, n);
            Object[] values = new Object[n];
            for (int i = 0; i < n; i++) {
                int valueAt = pos;
                Object value = read(depth + 1);
                if (value == null ? shape.types[i].isPrimitive() : !shape.boxedTypes[i].isInstance(value)) {
                    throw fail(valueAt, "component " + shape.names[i] + " of record " + type.getName()
                            + " is declared " + shape.types[i].getName() + ", the message has "
                            + (value == null ? "null" : value.getClass().getName()));
                }
                values[i] = value;
            }
            try {
                return (Object) shape.constructor.invokeExact(values);
            } catch (Throwable t) {
                throw fail(at, "record " + type.getName() + " refused its components: " + rethrowFatal(t), t);
            }
        }

        /** The class a reference names, defining it first if it is new; must be an enum or a record as asked. */
        private Class<?> classRef(int at, boolean wantEnum) throws WireFormatException {
            int index = u16();
            Class<?> type;
            if (index < classCount) {
                type = classes[index];
            } else if (index == classCount) {
                int nameAt = pos;
                type = resolve(stringValue("class name"), nameAt);
                if (classes == null) {
                    classes = new Class<?>[4];
                } else if (classCount == classes.length) {
                    classes = Arrays.copyOf(classes, classCount * 2);
                }
                classes[classCount++] = type;
            } else {
                throw fail(at, "class reference " + index + " beyond the " + classCount + " classes defined so far");
            }
            if (wantEnum ? !type.isEnum() : !type.isRecord()) {
                throw fail(at, "class " + type.getName() + " is not " + (wantEnum ? "an enum" : "a record"));
            }
            return type;
        }

        private Class<?> resolve(String name, int at) throws WireFormatException {
            Class<?> type = resolved.get(name);
            if (type != null) {
                return type;
            }
            try {
                type = Class.forName(name, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                throw fail(at, "class " + name + " not found (" + e + ")");
            }
            if (!type.isRecord() && !type.isEnum()) {
                throw fail(at, "class " + name + " is neither a record nor an enum");
            }
            if (type.isRecord() && isInternal(type)) {
                throw fail(at, "record " + name + " is internal to loomcluster and is never sent");
            }
            resolved.putIfAbsent(name, type);
            return type;
        }

        private String stringValue(String what) throws WireFormatException {
            int at = pos;
            byte tag = u8();
            if (tag != STRING_LATIN1 && tag != STRING_UTF16) {
                throw fail(at, what + " expected, found tag 0x" + Integer.toHexString(tag & 0xFF));
            }
            return string(tag, at);
        }

        private String string(byte tag, int at) throws WireFormatException {
            if (tag == STRING_LATIN1) {
                int n = length(at, 1);
                String s;
                if (in.hasArray()) {
                    s = new String(in.array(), in.arrayOffset() + pos, n, StandardCharsets.ISO_8859_1);
                } else {
                    byte[] bytes = new byte[n];
                    in.get(pos, bytes);
                    s = new String(bytes, StandardCharsets.ISO_8859_1);
                }
                pos += n;
                return s;
            }
            int n = length(at, 2);
            char[] chars = new char[n];
            for (int i = 0; i < n; i++) {
                chars[i] = in.getChar(pos);
                pos += 2;
            }
            return new String(chars);
        }

        /** A length of items of {@code unit} bytes each that must fit in what is left. */
        private int length(int at, int unit) throws WireFormatException {
            int n = i32();
            if (n < 0 || n > (end - pos) / unit) {
                throw fail(at, "length " + Integer.toUnsignedString(n) + " exceeds the " + (end - pos)
                        + " bytes left in the message");
            }
            return n;
        }

        /** An element count, checked against maxElements and against what is left before anything is allocated. */
        private int count(int at) throws WireFormatException {
            int n = i32();
            if (n < 0) {
                throw fail(at, "element count " + Integer.toUnsignedString(n) + " exceeds maxElements "
                        + limits.maxElements());
            }
            countElements(at, n);
            if (n > end - pos) {
                throw fail(at, "element count " + n + " exceeds the " + (end - pos) + " bytes left in the message");
            }
            return n;
        }

        private void countElements(int at, int n) throws WireFormatException {
            elements += n;
            if (elements > limits.maxElements()) {
                throw fail(at, "message has more than maxElements " + limits.maxElements() + " elements");
            }
        }

        private void need(int n) throws WireFormatException {
            if (end - pos < n) {
                throw fail(pos, "truncated message: a value needs " + n + " more bytes, " + (end - pos) + " left");
            }
        }

        private byte u8() throws WireFormatException {
            need(1);
            return in.get(pos++);
        }

        private int u16() throws WireFormatException {
            need(2);
            int v = in.getChar(pos);
            pos += 2;
            return v;
        }

        private int i32() throws WireFormatException {
            need(4);
            int v = in.getInt(pos);
            pos += 4;
            return v;
        }

        private long i64() throws WireFormatException {
            need(8);
            long v = in.getLong(pos);
            pos += 8;
            return v;
        }

        WireFormatException fail(int at, String problem) {
            return new WireFormatException(problem + " (at offset " + (at - base) + ")");
        }

        WireFormatException fail(int at, String problem, Throwable cause) {
            return new WireFormatException(problem + " (at offset " + (at - base) + ")", cause);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object enumConstant(Class<?> type, String name) {
        return Enum.valueOf((Class) type, name);
    }

    /** Application code (a record's constructor, an enum's initialiser) failed: its problem, unless the VM is failing. */
    private static Throwable rethrowFatal(Throwable t) {
        if (t instanceof VirtualMachineError error) {
            throw error;
        }
        return t;
    }

    // ------------------------------------------------------------------------------------------ shapes

    /** Components, accessors and canonical constructor (taking an {@code Object[]}) of one record class. */
    private record RecordShape(String[] names, Class<?>[] types, Class<?>[] boxedTypes, MethodHandle[] accessors,
                               MethodHandle constructor) {
    }

    private static final ClassValue<RecordShape> SHAPES = new ClassValue<>() {
        @Override
        protected RecordShape computeValue(Class<?> type) {
            RecordComponent[] components = type.getRecordComponents();
            int n = components.length;
            String[] names = new String[n];
            Class<?>[] types = new Class<?>[n];
            Class<?>[] boxedTypes = new Class<?>[n];
            MethodHandle[] accessors = new MethodHandle[n];
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                for (int i = 0; i < n; i++) {
                    names[i] = components[i].getName();
                    types[i] = components[i].getType();
                    boxedTypes[i] = MethodType.methodType(types[i]).wrap().returnType();
                    var accessor = components[i].getAccessor();
                    accessor.setAccessible(true);
                    accessors[i] = lookup.unreflect(accessor).asType(MethodType.methodType(Object.class, Object.class));
                }
                var constructor = type.getDeclaredConstructor(types);
                constructor.setAccessible(true);
                MethodHandle ctor = lookup.unreflectConstructor(constructor)
                        .asType(MethodType.methodType(Object.class, types).generic())
                        .asSpreader(Object[].class, n);
                return new RecordShape(names, types, boxedTypes, accessors, ctor);
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalArgumentException("cannot send records of type " + type.getName()
                        + ": its components are not accessible to loomcluster (make it public or open its"
                        + " package): " + e, e);
            }
        }
    };
}
