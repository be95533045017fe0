package dev.loomcluster.internal.message;

import dev.loomcluster.wiremessages.WireMessages.Color;
import dev.loomcluster.wiremessages.WireMessages.Empty;
import dev.loomcluster.wiremessages.WireMessages.Everything;
import dev.loomcluster.wiremessages.WireMessages.Holder;
import dev.loomcluster.wiremessages.WireMessages.Key;
import dev.loomcluster.wiremessages.WireMessages.Op;
import dev.loomcluster.wiremessages.WireMessages.Point;
import dev.loomcluster.wiremessages.WireMessages.Primitives;
import dev.loomcluster.wiremessages.WireMessages.Tree;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Round trips of every allowed type, and the encoder refusing exactly what thread mode's check refuses. */
class WireCodecTest {

    private static final WireCodec CODEC = WireCodec.create(WireLimits.DEFAULTS, WireCodecTest.class.getClassLoader());

    /** A record of this internal package: thread mode refuses to send it, and so does the codec. */
    record InternalRecord(int x) {
    }

    static Object roundTrip(Object message) throws WireFormatException {
        return CODEC.decode(ByteBuffer.wrap(CODEC.encode(message)));
    }

    /** Thread mode's check, found by name so that this test does not depend on where its class lives. */
    static Object isolate(Object message) {
        for (String name : List.of("dev.loomcluster.internal.message.Messages", "dev.loomcluster.internal.Messages")) {
            Method isolate;
            try {
                isolate = Class.forName(name).getMethod("isolate", Object.class);
            } catch (ReflectiveOperationException e) {
                continue;
            }
            try {
                return isolate.invoke(null, message);
            } catch (InvocationTargetException e) {
                throw (RuntimeException) e.getCause();
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("Messages not found");
    }

    private static void assertRoundTrip(Object message) throws WireFormatException {
        Object decoded = roundTrip(message);
        assertEquals(message, decoded, "decoded");
        Object isolated = isolate(message);
        assertEquals(isolated, decoded, "decoded vs thread mode's isolated copy");
        if (message != null) {
            assertEquals(isolated.getClass(), decoded.getClass(), "class of " + message);
        }
    }

    @Test
    void scalars() throws Exception {
        for (Object m : Arrays.asList(null, "", "ping", "é ü ÿ", "日本語 🎉", "\ud800 lone surrogate \udfff",
                0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 0L, Long.MIN_VALUE, Long.MAX_VALUE, true, false,
                0.0, -0.0, Double.NaN, Double.NEGATIVE_INFINITY, Math.PI, 1.5f, Float.NaN, -0.0f,
                'a', '\u0000', '\uffff', (byte) -128, (byte) 127, (short) -32768, (short) 32767)) {
            assertRoundTrip(m);
        }
        assertSame(Boolean.TRUE, roundTrip(true));
    }

    @Test
    void longStringsInBothEncodings() throws Exception {
        assertRoundTrip("x".repeat(100_000));
        assertRoundTrip("ж".repeat(100_000));
        assertRoundTrip("x".repeat(5000) + "€");
        assertEquals(1 + 4 + 3, CODEC.encode("abc").length, "a Latin-1 string takes a byte per char");
        assertEquals(1 + 4 + 6, CODEC.encode("abц").length, "a string with a wider char takes two bytes per char");
    }

    @Test
    void enums() throws Exception {
        for (Object m : List.of(Color.RED, Color.BLUE, Op.PLUS, Op.MINUS)) {
            assertSame(m, roundTrip(m));
        }
        assertEquals(List.of(Op.MINUS, Color.GREEN, Op.PLUS), roundTrip(List.of(Op.MINUS, Color.GREEN, Op.PLUS)));
    }

    @Test
    void byteArrays() throws Exception {
        for (int n : new int[] {0, 1, 1024, 65536}) {
            byte[] bytes = new byte[n];
            for (int i = 0; i < n; i++) {
                bytes[i] = (byte) (i * 31);
            }
            assertArrayEquals(bytes, (byte[]) roundTrip(bytes));
        }
        Object decoded = roundTrip(new Holder(new byte[] {1, 2, 3}));
        assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) ((Holder) decoded).value());
    }

    @Test
    void records() throws Exception {
        assertRoundTrip(new Point(3, -4));
        assertRoundTrip(new Empty());
        assertRoundTrip(new Primitives(true, (byte) 1, (short) 2, 'c', 4, 5L, 6.5f, 7.25));
        assertRoundTrip(new Holder(null));
        assertRoundTrip(new Holder(new Holder(List.of(new Point(1, 2)))));
        assertRoundTrip(new Tree("root", List.of(new Tree("a", List.of()), new Tree("b", List.of(new Tree("c", List.of()))))));
    }

    @Test
    void collectionsKeepOrderAndNullsAndAreUnmodifiable() throws Exception {
        List<Object> list = new ArrayList<>(Arrays.asList("a", null, 1, null, List.of()));
        Set<Object> set = new LinkedHashSet<>(Arrays.asList("z", null, "a", 3));
        Map<Object, Object> map = new LinkedHashMap<>();
        map.put("z", 1);
        map.put(null, "null key");
        map.put("a", null);
        map.put(new Key("k", 1), Set.of());
        for (Object m : List.<Object>of(list, set, map, new LinkedList<>(List.of(1, 2)), new TreeSet<>(Set.of(3, 1, 2)),
                new TreeMap<>(Map.of("b", 2, "a", 1)), new HashMap<>(Map.of(1, 2)), List.of(), Set.of(), Map.of())) {
            Object decoded = roundTrip(m);
            assertEquals(m, decoded);
            assertEquals(isolate(m), decoded);
            assertEquals(new ArrayList<>(iterationOf(m)), new ArrayList<>(iterationOf(decoded)), "order of " + m);
        }
        List<?> decodedList = (List<?>) roundTrip(list);
        assertThrows(UnsupportedOperationException.class, () -> decodedList.remove(0));
        assertEquals(Collections.unmodifiableList(new ArrayList<>()).getClass(), decodedList.getClass());
        Map<?, ?> decodedMap = (Map<?, ?>) roundTrip(map);
        assertThrows(UnsupportedOperationException.class, decodedMap::clear);
        Set<?> decodedSet = (Set<?>) roundTrip(set);
        assertThrows(UnsupportedOperationException.class, decodedSet::clear);
    }

    private static List<?> iterationOf(Object collection) {
        return switch (collection) {
            case Map<?, ?> m -> new ArrayList<>(m.entrySet());
            case java.util.Collection<?> c -> new ArrayList<>(c);
            default -> throw new AssertionError(collection);
        };
    }

    @Test
    void nestedCombinations() throws Exception {
        Map<Object, Object> map = new LinkedHashMap<>();
        map.put(new Key("a", 1), List.of(Color.RED, new Point(1, 1)));
        map.put(Color.BLUE, Map.of("deep", List.of(Set.of(new Holder(Op.PLUS)))));
        map.put(7L, null);
        Everything everything = new Everything("text", 42, Color.GREEN, Op.MINUS,
                Arrays.asList(1, "two", 3.0, null, List.of(new Point(4, 4), new Point(5, 5), new Point(4, 4))),
                new LinkedHashSet<>(List.of(new Key("x", 1), new Key("y", 2))), map, new Point(9, 9), new Holder(map));
        assertRoundTrip(everything);
        assertRoundTrip(List.of(everything, everything, map));
        List<Object> nested = List.of();
        for (int i = 0; i < 64; i++) {
            nested = List.of(nested, i);
        }
        assertRoundTrip(nested);
    }

    @Test
    void aRepeatedClassIsNamedOncePerFrame() {
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            points.add(new Point(i, i));
        }
        int nameBytes = 1 + 4 + Point.class.getName().length();
        int perPoint = 1 + 2 + 2 + 2 * (1 + 4);
        assertEquals(1 + 4 + nameBytes + 100 * perPoint, CODEC.encode(points).length);
    }

    @Test
    void refusesExactlyWhatThreadModeRefuses() {
        List<Object> selfContaining = new ArrayList<>();
        selfContaining.add(selfContaining);
        Map<Object, Object> badKey = new LinkedHashMap<>();
        badKey.put(new Object(), 1);
        Map<Object, Object> badValue = new LinkedHashMap<>();
        badValue.put("k", new StringBuilder("sb"));
        for (Object m : List.of(new Object(), Thread.currentThread(), new int[] {1}, new Object[] {"a"},
                new StringBuilder(), Optional.of(1), new java.io.File("/tmp"), new InternalRecord(1),
                List.of(new InternalRecord(2)), new Holder(new Object()), List.of(1, List.of(new Object())),
                Set.of(new Thread()), badKey, badValue, new Holder(List.of(new Holder(new int[0]))))) {
            IllegalArgumentException threadMode = assertThrows(IllegalArgumentException.class, () -> isolate(m));
            IllegalArgumentException wire = assertThrows(IllegalArgumentException.class, () -> CODEC.encode(m));
            assertEquals(threadMode.getMessage(), wire.getMessage(), "for " + m.getClass());
        }
        assertThrows(IllegalArgumentException.class, () -> isolate(selfContaining));
        IllegalArgumentException cycle = assertThrows(IllegalArgumentException.class, () -> CODEC.encode(selfContaining));
        assertTrue(cycle.getMessage().contains("maxDepth 64"), cycle.getMessage());
    }

    @Test
    void depthBoundaryIsThreadModes() throws Exception {
        Object ok = nestLists(65);
        isolate(ok);
        assertEquals(ok, roundTrip(ok));
        Object tooDeep = nestLists(66);
        assertThrows(IllegalArgumentException.class, () -> isolate(tooDeep));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CODEC.encode(tooDeep));
        assertTrue(e.getMessage().contains("nested deeper than maxDepth 64"), e.getMessage());
    }

    /** {@code n} lists, each the only element of the one around it. */
    static Object nestLists(int n) {
        Object value = List.of();
        for (int i = 1; i < n; i++) {
            value = List.of(value);
        }
        return value;
    }

    @Test
    void encodingOverALimitIsRefusedAtTheSender() throws Exception {
        WireCodec small = WireCodec.create(new WireLimits(1024, 4, 10), getClass().getClassLoader());
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class, () -> small.encode(new byte[2000]));
        assertTrue(big.getMessage().contains("exceeds maxFrameBytes 1024"), big.getMessage());
        IllegalArgumentException longString = assertThrows(IllegalArgumentException.class, () -> small.encode("x".repeat(1020)));
        assertTrue(longString.getMessage().contains("exceeds maxFrameBytes 1024"), longString.getMessage());
        small.encode("x".repeat(1018));
        IllegalArgumentException many = assertThrows(IllegalArgumentException.class,
                () -> small.encode(Collections.nCopies(11, 1)));
        assertEquals("message has more than maxElements 10 elements", many.getMessage());
        small.encode(Collections.nCopies(10, 1));
        IllegalArgumentException components = assertThrows(IllegalArgumentException.class,
                () -> small.encode(List.of(new Point(1, 2), new Point(3, 4), new Point(5, 6), new Point(7, 8))));
        assertTrue(components.getMessage().contains("maxElements 10"), components.getMessage());
        IllegalArgumentException deep = assertThrows(IllegalArgumentException.class, () -> small.encode(nestLists(6)));
        assertTrue(deep.getMessage().contains("maxDepth 4"), deep.getMessage());

        IllegalArgumentException defaults = assertThrows(IllegalArgumentException.class,
                () -> CODEC.encode(new byte[WireLimits.DEFAULTS.maxFrameBytes()]));
        assertTrue(defaults.getMessage().contains("exceeds maxFrameBytes 16777216"), defaults.getMessage());
        IllegalArgumentException million = assertThrows(IllegalArgumentException.class,
                () -> CODEC.encode(Collections.nCopies(1_000_001, null)));
        assertTrue(million.getMessage().contains("maxElements 1000000"), million.getMessage());
        assertEquals(1_000_000, ((List<?>) assertInstanceOf(List.class,
                assertDoesNotThrowDecode(CODEC.encode(Collections.nCopies(1_000_000, null))))).size());
    }

    private static Object assertDoesNotThrowDecode(byte[] payload) throws WireFormatException {
        return CODEC.decode(ByteBuffer.wrap(payload));
    }

    @Test
    void limitsAreValidated() {
        assertEquals(new WireLimits(16 << 20, 64, 1_000_000), WireLimits.DEFAULTS);
        assertThrows(IllegalArgumentException.class, () -> new WireLimits(1, 64, 10));
        assertThrows(IllegalArgumentException.class, () -> new WireLimits(100, -1, 10));
        assertThrows(IllegalArgumentException.class, () -> new WireLimits(100, 64, -1));
    }
}
