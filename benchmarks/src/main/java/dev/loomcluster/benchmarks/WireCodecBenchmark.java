package dev.loomcluster.benchmarks;

import dev.loomcluster.internal.message.FrameDecoder;
import dev.loomcluster.internal.message.FrameWriter;
import dev.loomcluster.internal.message.WireCodec;
import dev.loomcluster.internal.message.WireLimits;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.util.concurrent.TimeUnit;

/**
 * The process mode's wire codec without the socket: {@code roundTrip} appends a message as a frame to a
 * {@link FrameWriter}, writes it into an in-memory channel, reads it with a {@link FrameDecoder} and decodes
 * it, which is the work both ends of a Unix domain socket do per message minus the system calls;
 * {@code encode} is the sender's half alone. Messages: {@code record} (a record of an int, a long and a
 * short string), {@code bytes1k} and {@code bytes64k} ({@code byte[]} of 1 KiB and 64 KiB). Run with
 * {@code -prof gc} for bytes allocated per operation.
 *
 * <p>Threads: JMH's benchmark thread only (writer, decoder and channel are confined to it, as to a loop).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class WireCodecBenchmark {

    /** The small record sent. */
    public record Order(int id, long amount, String sku) {
    }

    @Param({"record", "bytes1k", "bytes64k"})
    public String message;

    private Object value;
    private WireCodec codec;
    private FrameWriter writer;
    private FrameDecoder decoder;
    private MemoryChannel channel;

    @Setup
    public void setUp() {
        value = switch (message) {
            case "record" -> new Order(42, 1_000_000L, "SKU-123");
            case "bytes1k" -> new byte[1024];
            case "bytes64k" -> new byte[64 * 1024];
            default -> throw new IllegalArgumentException(message);
        };
        codec = WireCodec.create(WireLimits.DEFAULTS, WireCodecBenchmark.class.getClassLoader());
        writer = FrameWriter.create(codec);
        decoder = FrameDecoder.create(WireLimits.DEFAULTS);
        channel = new MemoryChannel(256 * 1024);
    }

    @Benchmark
    public Object roundTrip() throws IOException {
        writer.append((byte) 1, value);
        writer.writeTo(channel);
        while (!decoder.next()) {
            if (decoder.readFrom(channel) <= 0) {
                throw new IllegalStateException("frame not complete");
            }
        }
        return codec.decode(decoder.payload());
    }

    @Benchmark
    public int encode() throws IOException {
        writer.append((byte) 1, value);
        int pending = writer.pendingBytes();
        channel.discard = true;
        writer.writeTo(channel);
        channel.discard = false;
        return pending;
    }

    /** An in-memory pipe: what is written is read back, in order; or dropped if {@code discard}. */
    static final class MemoryChannel implements ByteChannel {
        private final ByteBuffer bytes;
        boolean discard;

        MemoryChannel(int capacity) {
            bytes = ByteBuffer.allocate(capacity);
        }

        @Override
        public int write(ByteBuffer src) {
            int n = Math.min(src.remaining(), bytes.remaining());
            if (discard) {
                int all = src.remaining();
                src.position(src.limit());
                return all;
            }
            bytes.put(bytes.position(), src, src.position(), n);
            bytes.position(bytes.position() + n);
            src.position(src.position() + n);
            return n;
        }

        @Override
        public int read(ByteBuffer dst) {
            bytes.flip();
            int n = Math.min(dst.remaining(), bytes.remaining());
            dst.put(dst.position(), bytes, bytes.position(), n);
            dst.position(dst.position() + n);
            bytes.position(bytes.position() + n);
            bytes.compact();
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
}
