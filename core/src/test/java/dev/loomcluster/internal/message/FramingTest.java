package dev.loomcluster.internal.message;

import dev.loomcluster.wiremessages.WireMessages.Color;
import dev.loomcluster.wiremessages.WireMessages.Point;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Frames through {@link FrameWriter} and {@link FrameDecoder}: order, splits at any byte, partial writes. */
@Timeout(60)
class FramingTest {

    private static final WireCodec CODEC = WireCodec.create(WireLimits.DEFAULTS, FramingTest.class.getClassLoader());

    /** A frame as received: kind and decoded message. */
    private record Received(byte kind, Object message) {
    }

    private static List<Object> messages(int n) {
        List<Object> messages = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            messages.add(switch (i % 5) {
                case 0 -> i;
                case 1 -> "message " + i;
                case 2 -> new Point(i, -i);
                case 3 -> List.of(Color.values()[i % 3], Map.of("i", (long) i));
                default -> null;
            });
        }
        return messages;
    }

    private static List<Received> expected(List<Object> messages) {
        List<Received> expected = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            expected.add(new Received((byte) i, messages.get(i)));
        }
        return expected;
    }

    private static byte[] written(List<Object> messages) throws IOException {
        FrameWriter writer = FrameWriter.create(CODEC);
        for (int i = 0; i < messages.size(); i++) {
            writer.append((byte) i, messages.get(i));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(writer.writeTo(Channels.newChannel(out)));
        assertEquals(0, writer.pendingBytes());
        return out.toByteArray();
    }

    /** A channel handing out {@code bytes} in reads of the given sizes, then the end of input. */
    private static ReadableByteChannel chunked(byte[] bytes, int... sizes) {
        return new ReadableByteChannel() {
            int pos;
            int call;

            @Override
            public int read(ByteBuffer dst) {
                if (pos == bytes.length) {
                    return -1;
                }
                int n = Math.min(Math.min(sizes[Math.min(call++, sizes.length - 1)], dst.remaining()), bytes.length - pos);
                dst.put(bytes, pos, n);
                pos += n;
                return n;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        };
    }

    private static List<Received> drain(FrameDecoder decoder, ReadableByteChannel in) throws IOException {
        List<Received> received = new ArrayList<>();
        int n;
        do {
            n = decoder.readFrom(in);
            while (decoder.next()) {
                received.add(new Received(decoder.kind(), CODEC.decode(decoder.payload())));
            }
        } while (n >= 0);
        return received;
    }

    @Test
    void manyFramesArriveInOrderWhereverTheReadsSplitThem() throws IOException {
        List<Object> messages = messages(40);
        byte[] bytes = written(messages);
        for (int split = 0; split <= bytes.length; split++) {
            FrameDecoder decoder = FrameDecoder.create(WireLimits.DEFAULTS);
            assertEquals(expected(messages), drain(decoder, chunked(bytes, split, bytes.length)), "split at " + split);
            assertEquals(0, decoder.bufferedBytes());
        }
        assertEquals(expected(messages), drain(FrameDecoder.create(WireLimits.DEFAULTS), chunked(bytes, 1)), "byte by byte");
        assertEquals(expected(messages), drain(FrameDecoder.create(WireLimits.DEFAULTS), chunked(bytes, 7, 0, 13, 1, 0, 3)));
    }

    @Test
    void largeFramesGrowTheBufferToTheirSizeOnlyAndItShrinksAfterwards() throws IOException {
        byte[] big = new byte[3 << 20];
        Arrays.fill(big, (byte) 5);
        byte[] bytes = written(List.of("before", big, "after"));
        FrameDecoder decoder = FrameDecoder.create(WireLimits.DEFAULTS);
        ReadableByteChannel in = chunked(bytes, 65536);
        List<Object> received = new ArrayList<>();
        int maxCapacity = 0;
        int n;
        do {
            n = decoder.readFrom(in);
            maxCapacity = Math.max(maxCapacity, decoder.capacity());
            while (decoder.next()) {
                received.add(CODEC.decode(decoder.payload()));
            }
        } while (n >= 0);
        assertEquals(3, received.size());
        assertArrayEquals(big, (byte[]) received.get(1));
        assertEquals("after", received.get(2));
        assertTrue(maxCapacity <= Math.max(2 * 16384, big.length + 64), "capacity " + maxCapacity);
        assertTrue(decoder.capacity() <= 16384, "buffer kept after the large frame: " + decoder.capacity());
    }

    /** A non-blocking channel stand-in that takes at most {@code budget} bytes, then returns 0. */
    private static final class ThrottledChannel implements WritableByteChannel {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        int budget;

        @Override
        public int write(ByteBuffer src) {
            int n = Math.min(src.remaining(), budget);
            budget -= n;
            for (int i = 0; i < n; i++) {
                out.write(src.get());
            }
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void partialWritesKeepOrderAcrossAppendsAndARefusedMessageLeavesNothing() throws IOException {
        FrameWriter writer = FrameWriter.create(CODEC);
        ThrottledChannel channel = new ThrottledChannel();
        List<Object> messages = messages(300);
        int partial = 0;
        for (int i = 0; i < messages.size(); i++) {
            writer.append((byte) i, messages.get(i));
            int pending = writer.pendingBytes();
            assertThrows(IllegalArgumentException.class, () -> writer.append((byte) 0, List.of(1, new Object())));
            assertThrows(IllegalArgumentException.class, () -> writer.append((byte) 0, new byte[20 << 20]));
            assertEquals(pending, writer.pendingBytes(), "a refused message left bytes behind");
            channel.budget = (i * 7) % 23;
            boolean done = writer.writeTo(channel);
            assertEquals(writer.pendingBytes() == 0, done);
            assertEquals(pending - ((i * 7) % 23 - channel.budget), writer.pendingBytes());
            partial += done ? 0 : 1;
        }
        assertTrue(partial > 100, "the throttled channel should leave frames pending: " + partial);
        channel.budget = Integer.MAX_VALUE;
        assertTrue(writer.writeTo(channel));
        assertEquals(expected(messages), drain(FrameDecoder.create(WireLimits.DEFAULTS), chunked(channel.out.toByteArray(), 4096)));
    }

    @Test
    void framesCrossARealNonBlockingUnixDomainSocket() throws IOException {
        Path dir = Files.createTempDirectory("loomcluster-wire");
        Path socket = dir.resolve("s");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket));
                 SocketChannel accepted = server.accept()) {
                client.configureBlocking(false);
                accepted.configureBlocking(false);
                FrameWriter writer = FrameWriter.create(CODEC);
                List<Object> messages = new ArrayList<>(messages(2000));
                messages.add(1000, new byte[1 << 20]);
                for (int i = 0; i < messages.size(); i++) {
                    writer.append((byte) i, messages.get(i));
                }
                FrameDecoder decoder = FrameDecoder.create(WireLimits.DEFAULTS);
                List<Received> received = new ArrayList<>();
                boolean flushed = false;
                while (received.size() < messages.size()) {
                    if (!flushed) {
                        flushed = writer.writeTo(client);
                    }
                    assertTrue(decoder.readFrom(accepted) >= 0);
                    while (decoder.next()) {
                        Object message = CODEC.decode(decoder.payload());
                        received.add(new Received(decoder.kind(), message instanceof byte[] b ? b.length : message));
                    }
                }
                messages.set(1000, 1 << 20);
                assertEquals(expected(messages), received);
                client.close();
                while (decoder.readFrom(accepted) == 0) {
                    Thread.onSpinWait();
                }
                assertFalse(decoder.next());
            }
        } finally {
            Files.deleteIfExists(socket);
            Files.delete(dir);
        }
    }
}
