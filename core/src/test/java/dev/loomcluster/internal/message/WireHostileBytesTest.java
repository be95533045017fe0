package dev.loomcluster.internal.message;

import dev.loomcluster.wiremessages.WireMessages;
import dev.loomcluster.wiremessages.WireMessages.Color;
import dev.loomcluster.wiremessages.WireMessages.Everything;
import dev.loomcluster.wiremessages.WireMessages.Holder;
import dev.loomcluster.wiremessages.WireMessages.Named;
import dev.loomcluster.wiremessages.WireMessages.Op;
import dev.loomcluster.wiremessages.WireMessages.Point;
import dev.loomcluster.wiremessages.WireMessages.Positive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static dev.loomcluster.internal.message.WireCodec.INT;
import static dev.loomcluster.internal.message.WireCodec.LIST;
import static dev.loomcluster.internal.message.WireCodec.NULL;
import static dev.loomcluster.internal.message.WireCodec.RECORD;
import static dev.loomcluster.internal.message.WireCodec.ENUM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Bytes from a hostile or broken peer: each is refused with a {@link WireFormatException} naming the problem. */
@Timeout(60)
class WireHostileBytesTest {

    private static final WireCodec CODEC = WireCodec.create(WireLimits.DEFAULTS,
            WireHostileBytesTest.class.getClassLoader());

    private static String refused(byte[] payload) {
        return assertThrows(WireFormatException.class, () -> CODEC.decode(ByteBuffer.wrap(payload))).getMessage();
    }

    private static void assertRefused(byte[] payload, String... parts) {
        String message = refused(payload);
        for (String part : parts) {
            assertTrue(message.contains(part), "'" + message + "' should contain '" + part + "'");
        }
    }

    private static Object sample() {
        Map<Object, Object> map = new LinkedHashMap<>();
        map.put(Color.RED, List.of(new Point(1, 2), "é", 3L));
        map.put("k", new Holder(new byte[] {1, 2, 3}));
        return new Everything("t", 1, Color.BLUE, Op.PLUS, Arrays.asList(1.5, null, 'c', (short) 2, (byte) 3, 2.5f),
                new LinkedHashSet<>(List.of("a", "日本")), map, new Point(3, 4), new Holder(List.of(true, false)));
    }

    @Test
    void everyPrefixOfAValidFrameIsATruncatedFrameAtEndOfInput() throws Exception {
        byte[] payload = CODEC.encode(sample());
        byte[] frame = Craft.frame(7, payload);
        for (int n = 1; n < frame.length; n++) {
            FrameDecoder decoder = FrameDecoder.create(WireLimits.DEFAULTS);
            ReadableByteChannel in = Channels.newChannel(new ByteArrayInputStream(frame, 0, n));
            while (decoder.readFrom(in) >= 0) {
                assertFalse(decoder.next(), "a frame from " + n + " of " + frame.length + " bytes");
            }
            String message = assertThrows(WireFormatException.class, decoder::next).getMessage();
            assertTrue(message.startsWith("truncated frame at end of input: " + n + " "), message);
        }
        for (int n = 0; n < payload.length; n++) {
            String message = refused(Arrays.copyOf(payload, n));
            assertTrue(message.contains("truncated") || message.contains("bytes left"), message);
        }
    }

    @Test
    void absurdFrameLengthsAreRefusedBeforeAnythingIsAllocated() throws Exception {
        WireLimits limits = WireLimits.DEFAULTS;
        for (int length : new int[] {-1, Integer.MIN_VALUE, Integer.MAX_VALUE, limits.maxFrameBytes() + 1, 20_000_000}) {
            FrameDecoder decoder = FrameDecoder.create(limits);
            int before = decoder.capacity();
            decoder.readFrom(Channels.newChannel(new ByteArrayInputStream(new Craft().i32(length).u8(1).bytes())));
            String message = assertThrows(WireFormatException.class, decoder::next).getMessage();
            assertEquals("frame of " + Integer.toUnsignedString(length) + " bytes exceeds maxFrameBytes 16777216"
                    + " (at stream offset 0)", message);
            assertEquals(before, decoder.capacity(), "buffer grown for a refused frame");
            assertThrows(IllegalStateException.class, decoder::next, "a failed decoder stays failed");
        }
        FrameDecoder decoder = FrameDecoder.create(limits);
        decoder.readFrom(Channels.newChannel(new ByteArrayInputStream(new Craft().i32(0).bytes())));
        assertTrue(assertThrows(WireFormatException.class, decoder::next).getMessage().contains("has no kind byte"));

        FrameDecoder honest = FrameDecoder.create(limits);
        honest.readFrom(Channels.newChannel(new ByteArrayInputStream(new Craft().i32(limits.maxFrameBytes()).bytes())));
        assertFalse(honest.next());
        assertEquals(limits.maxFrameBytes() + 4, honest.capacity(), "the largest allowed frame gets room, no more");
    }

    @Test
    void absurdLengthsAndCountsInsideAPayload() {
        assertRefused(new Craft().u8(WireCodec.STRING_LATIN1).i32(-1).bytes(), "length 4294967295 exceeds the 0 bytes left");
        assertRefused(new Craft().u8(WireCodec.STRING_UTF16).i32(3).u16('a').bytes(), "length 3 exceeds the 2 bytes left");
        assertRefused(new Craft().u8(WireCodec.BYTES).i32(Integer.MAX_VALUE).bytes(), "length 2147483647 exceeds");
        assertRefused(new Craft().u8(LIST).i32(100).u8(NULL).bytes(), "element count 100 exceeds the 1 bytes left");
        assertRefused(new Craft().u8(WireCodec.MAP).i32(-5).bytes(), "exceeds maxElements 1000000");
        assertRefused(new Craft().u8(INT).i32(1).u8(NULL).bytes(), "1 bytes after the end of the message (at offset 5)");
    }

    @Test
    void unknownTagsAreNamedWithTheirOffset() {
        assertRefused(new byte[] {0x7f}, "unknown value tag 0x7f (at offset 0)");
        assertRefused(new byte[] {(byte) 0xff}, "unknown value tag 0xff (at offset 0)");
        assertRefused(new Craft().u8(LIST).i32(2).u8(INT).i32(5).u8(99).bytes(), "unknown value tag 0x63 (at offset 10)");
        assertRefused(new Craft().u8(ENUM).u16(0).u8(INT).i32(1).bytes(), "class name expected, found tag 0x3");
    }

    private static byte[] recordNamed(String className) {
        return new Craft().u8(RECORD).newClass(0, className).u16(0).bytes();
    }

    @Test
    void classesThatAreNeitherRecordsNorEnumsAreRefusedWithoutBeingInitialised() {
        assertRefused(recordNamed("java.lang.Thread"), "class java.lang.Thread is neither a record nor an enum");
        assertRefused(recordNamed("java.io.File"), "class java.io.File is neither a record nor an enum");
        assertRefused(recordNamed("[Ljava.lang.String;"), "is neither a record nor an enum");
        assertRefused(new Craft().u8(ENUM).newClass(0, "java.lang.Runtime").string("x").bytes(), "java.lang.Runtime is neither");
        String notARecord = WireMessages.NotARecord.class.getName();
        assertFalse(WireMessages.NOT_A_RECORD_INITIALISED.get());
        assertRefused(recordNamed(notARecord), "class " + notARecord + " is neither a record nor an enum (at offset 3)");
        assertRefused(new Craft().u8(ENUM).newClass(0, notARecord).string("X").bytes(), "is neither a record nor an enum");
        assertFalse(WireMessages.NOT_A_RECORD_INITIALISED.get(), "the class's static initialiser ran");
    }

    @Test
    void unknownInternalAndMismatchedClasses() {
        assertRefused(recordNamed("com.example.DoesNotExist"), "class com.example.DoesNotExist not found");
        assertRefused(recordNamed(""), "class  not found");
        assertRefused(recordNamed(WireCodecTest.InternalRecord.class.getName()), "is internal to loomcluster");
        assertRefused(recordNamed(Color.class.getName()), "class " + Color.class.getName() + " is not a record");
        assertRefused(new Craft().u8(ENUM).newClass(0, Point.class.getName()).string("X").bytes(), "is not an enum");
        assertRefused(new Craft().u8(ENUM).newClass(0, Color.class.getName()).string("PURPLE").bytes(),
                "enum " + Color.class.getName() + " has no constant PURPLE");
        assertRefused(new Craft().u8(ENUM).newClass(0, Op.PLUS.getClass().getName()).string("PLUS").bytes(),
                "is neither a record nor an enum");
        assertRefused(new Craft().u8(RECORD).u16(1).bytes(), "class reference 1 beyond the 0 classes defined so far");
        assertRefused(new Craft().u8(RECORD).newClass(0, Point.class.getName()).u16(3).bytes(),
                "has 2 components, the message has 3");
    }

    @Test
    void recordComponentsAreTypeCheckedAndTheConstructorValidates() {
        String positive = Positive.class.getName();
        assertRefused(new Craft().u8(RECORD).newClass(0, positive).u16(1).u8(INT).i32(-3).bytes(),
                "record " + positive + " refused its components", "value must be positive: -3");
        assertRefused(new Craft().u8(RECORD).newClass(0, positive).u16(1).u8(NULL).bytes(),
                "component value of record " + positive + " is declared int, the message has null");
        assertRefused(new Craft().u8(RECORD).newClass(0, positive).u16(1).u8(WireCodec.LONG).raw(new byte[8]).bytes(),
                "is declared int, the message has java.lang.Long");
        assertRefused(new Craft().u8(RECORD).newClass(0, Named.class.getName()).u16(1).u8(INT).i32(1).bytes(),
                "component name of record " + Named.class.getName() + " is declared java.lang.String");
    }

    @Test
    void nestingAndElementsOverTheLimits() throws Exception {
        Craft deep = new Craft();
        for (int i = 0; i < 66; i++) {
            deep.u8(LIST).i32(1);
        }
        deep.u8(NULL);
        assertRefused(deep.bytes(), "value nested deeper than maxDepth 64 (at offset 325)");
        byte[] ok = Arrays.copyOfRange(deep.bytes(), 5, deep.bytes().length);
        assertEquals(WireCodecTest.nestLists(65).toString().replace("[]", "[null]"), CODEC.decode(ByteBuffer.wrap(ok)).toString());

        byte[] tooMany = new Craft().u8(LIST).i32(1_000_001).raw(new byte[1_000_001]).bytes();
        assertRefused(tooMany, "message has more than maxElements 1000000 elements (at offset 0)");
        Craft spread = new Craft().u8(LIST).i32(2).u8(LIST).i32(600_000).raw(new byte[600_000]).u8(LIST).i32(400_001)
                .raw(new byte[400_001]);
        assertRefused(spread.bytes(), "more than maxElements 1000000", "(at offset 600010)");
        WireCodec small = WireCodec.create(new WireLimits(1 << 16, 64, 3), getClass().getClassLoader());
        byte[] twoPoints = CODEC.encode(List.of(new Point(1, 2), new Point(3, 4)));
        String message = assertThrows(WireFormatException.class, () -> small.decode(ByteBuffer.wrap(twoPoints))).getMessage();
        assertTrue(message.contains("maxElements 3"), message);
        String big = assertThrows(WireFormatException.class,
                () -> small.decode(ByteBuffer.wrap(new byte[(1 << 16) + 1]))).getMessage();
        assertEquals("message of 65537 bytes exceeds maxFrameBytes 65536", big);
    }

    @Test
    void randomBytesAndMutatedMessagesOnlyEverFailWithTheCodecsException() throws Exception {
        long seed = System.nanoTime();
        System.out.println("WireHostileBytesTest fuzz seed " + seed);
        SplittableRandom random = new SplittableRandom(seed);
        byte[] valid = CODEC.encode(sample());
        byte[] validFrames = framesOf(valid, CODEC.encode(List.of(1, "two")), CODEC.encode(new Point(5, 6)));
        WireLimits limits = new WireLimits(4096, 64, 10_000);
        int decoded = 0;
        for (int i = 0; i < 5000; i++) {
            byte[] input = switch (i % 3) {
                case 0 -> randomBytes(random, 64);
                case 1 -> mutate(random, valid);
                default -> mutate(random, validFrames);
            };
            try {
                if (i % 3 == 2) {
                    FrameDecoder decoder = FrameDecoder.create(limits);
                    ReadableByteChannel in = Channels.newChannel(new ByteArrayInputStream(input));
                    int n;
                    do {
                        n = decoder.readFrom(in);
                        while (decoder.next()) {
                            CODEC.decode(decoder.payload());
                            decoded++;
                        }
                    } while (n >= 0);
                } else {
                    CODEC.decode(ByteBuffer.wrap(input));
                    decoded++;
                }
            } catch (WireFormatException expected) {
                assertFalse(expected.getMessage().isEmpty());
            } catch (Throwable t) {
                fail("seed " + seed + ", iteration " + i + ", input " + Arrays.toString(input) + ": " + t, t);
            }
        }
        assertTrue(decoded > 0, "no fuzzed input decoded at all; the mutations are too coarse");
        assertFalse(WireMessages.NOT_A_RECORD_INITIALISED.get());
    }

    private static byte[] randomBytes(SplittableRandom random, int max) {
        byte[] bytes = new byte[random.nextInt(max)];
        random.nextBytes(bytes);
        if (bytes.length > 0) {
            bytes[0] = (byte) random.nextInt(WireCodec.MAP + 2);
        }
        return bytes;
    }

    /** Flips, overwrites, inserts, deletes or truncates a few bytes. */
    private static byte[] mutate(SplittableRandom random, byte[] original) {
        List<Byte> bytes = new ArrayList<>(original.length);
        for (byte b : original) {
            bytes.add(b);
        }
        int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations && !bytes.isEmpty(); m++) {
            int at = random.nextInt(bytes.size());
            switch (random.nextInt(5)) {
                case 0 -> bytes.set(at, (byte) (bytes.get(at) ^ (1 << random.nextInt(8))));
                case 1 -> bytes.set(at, (byte) random.nextInt(256));
                case 2 -> bytes.add(at, (byte) random.nextInt(256));
                case 3 -> bytes.remove(at);
                default -> bytes.subList(at, bytes.size()).clear();
            }
        }
        byte[] result = new byte[bytes.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = bytes.get(i);
        }
        return result;
    }

    private static byte[] framesOf(byte[]... payloads) {
        Craft all = new Craft();
        for (byte[] payload : payloads) {
            all.raw(Craft.frame(1, payload));
        }
        return all.bytes();
    }
}
