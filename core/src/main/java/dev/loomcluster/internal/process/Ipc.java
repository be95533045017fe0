package dev.loomcluster.internal.process;

import dev.loomcluster.internal.message.FrameDecoder;
import dev.loomcluster.internal.message.FrameWriter;
import dev.loomcluster.internal.message.WireCodec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The IPC protocol between a primary and a child JVM: the frame kinds and the shape of each frame's
 * value (plain wire values: lists, maps, strings, numbers), with checks that name the frame when a value
 * has the wrong shape. Stateless; any thread.
 *
 * <p>A child starts with its spec in its environment ({@link #ENV_SPEC}: one SPEC frame {id, env (the names
 * of the worker's environment variables, whose values are in the child's real environment), pool, main,
 * threads, scheduling, drainGraceMillis, idle [spin ns, yield ns, auto], loops (the pool's event loops on
 * this machine)}, base64), so it builds its worker while it connects; its first frame is HELLO, which the
 * primary checks before it reads anything else.
 *
 * <pre>
 * child -> primary                          primary -> child
 * HELLO [token]                 (first)     MESSAGE value
 * ONLINE, LISTENING [host, port]
 * MESSAGE value, FAILED failure             DISCONNECT
 * REQUEST_DISCONNECT                        LISTEN_REPLY [host, port] or [error class, message]
 * LISTEN [host, port, hasFd], UNLISTEN      FD_SOCKET [path]: connect there for the descriptor
 *                                           TURN [seq]: accept one connection
 *                                           LOOPS n: the pool's event loops on this machine
 * ACK [seq, accepted, open, queued]
 * STATS [in, mailbox, utilization, received, open, requests]
 * </pre>
 */
final class Ipc {
    static final byte HELLO = 1;
    static final byte SPEC = 2;
    static final byte MESSAGE = 3;
    static final byte ONLINE = 4;
    static final byte LISTENING = 5;
    static final byte FAILED = 6;
    static final byte REQUEST_DISCONNECT = 7;
    static final byte DISCONNECT = 8;
    static final byte LISTEN = 9;
    static final byte LISTEN_REPLY = 10;
    static final byte UNLISTEN = 11;
    static final byte TURN = 12;
    static final byte ACK = 13;
    static final byte STATS = 14;
    static final byte FD_SOCKET = 15;
    static final byte LOOPS = 16;

    /** Environment variables a child is started with (besides the worker's env). */
    static final String ENV_SOCKET = "LOOMCLUSTER_IPC_SOCKET";
    static final String ENV_TOKEN = "LOOMCLUSTER_IPC_TOKEN";
    static final String ENV_SPEC = "LOOMCLUSTER_SPEC";

    private static final String[] NAMES = {"0", "HELLO", "SPEC", "MESSAGE", "ONLINE", "LISTENING", "FAILED",
            "REQUEST_DISCONNECT", "DISCONNECT", "LISTEN", "LISTEN_REPLY", "UNLISTEN", "TURN", "ACK", "STATS", "FD_SOCKET",
            "LOOPS"};

    private Ipc() {
    }

    static String name(byte kind) {
        return kind > 0 && kind < NAMES.length ? NAMES[kind] : "unknown kind " + (kind & 0xFF);
    }

    /** A child's spec as the value of {@link #ENV_SPEC}: one SPEC frame of {@code codec}, base64. */
    static String encodeSpec(WireCodec codec, Map<String, Object> spec) {
        FrameWriter frame = FrameWriter.create(codec);
        frame.append(SPEC, spec);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(frame.pendingBytes());
        try {
            frame.writeTo(Channels.newChannel(bytes));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // not thrown by a byte array
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    /**
     * The spec in {@code text} ({@link #encodeSpec}), decoded within the codec's limits.
     *
     * @throws ProtocolException if it is not base64 of exactly one SPEC frame holding a map
     */
    static Map<?, ?> decodeSpec(WireCodec codec, String text) throws IOException {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ENV_SPEC + " is not base64: " + e.getMessage(), e);
        }
        FrameDecoder decoder = FrameDecoder.create(codec.limits());
        var in = Channels.newChannel(new ByteArrayInputStream(bytes));
        while (!decoder.next()) {
            if (decoder.readFrom(in) < 0) {
                decoder.next(); // throws: the input ended inside the frame
                throw new ProtocolException(ENV_SPEC + " holds no frame");
            }
        }
        if (decoder.kind() != SPEC) {
            throw new ProtocolException(ENV_SPEC + " holds a " + name(decoder.kind()) + " frame, not SPEC");
        }
        Object value = codec.decode(decoder.payload());
        if (decoder.bufferedBytes() > 0 || in.read(java.nio.ByteBuffer.allocate(1)) >= 0) {
            throw new ProtocolException(ENV_SPEC + " holds bytes after its SPEC frame");
        }
        return map(SPEC, value);
    }

    /** {@code value} as a list of exactly {@code size} elements, or a {@link ProtocolException}. */
    static List<?> list(byte kind, Object value, int size) throws ProtocolException {
        if (!(value instanceof List<?> l) || l.size() != size) {
            throw new ProtocolException(name(kind) + " frame: expected a list of " + size + " values, got "
                    + describe(value));
        }
        return l;
    }

    static Map<?, ?> map(byte kind, Object value) throws ProtocolException {
        if (!(value instanceof Map<?, ?> m)) {
            throw new ProtocolException(name(kind) + " frame: expected a map, got " + describe(value));
        }
        return m;
    }

    static <T> T field(byte kind, Object value, String what, Class<T> type) throws ProtocolException {
        if (!type.isInstance(value)) {
            throw new ProtocolException(name(kind) + " frame: " + what + " must be a " + type.getSimpleName()
                    + ", got " + describe(value));
        }
        return type.cast(value);
    }

    static int intField(byte kind, Object value, String what) throws ProtocolException {
        return field(kind, value, what, Integer.class);
    }

    static long longField(byte kind, Object value, String what) throws ProtocolException {
        return field(kind, value, what, Long.class);
    }

    private static String describe(Object value) {
        return value == null ? "null" : value.getClass().getName();
    }

    // ---- addresses

    static List<Object> address(InetSocketAddress a) {
        return List.of(a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress(), a.getPort());
    }

    static InetSocketAddress address(byte kind, Object host, Object port) throws ProtocolException {
        String h = field(kind, host, "host", String.class);
        int p = intField(kind, port, "port");
        if (p < 0 || p > 65535) {
            throw new ProtocolException(name(kind) + " frame: port out of range: " + p);
        }
        try {
            // a literal address from our own encoding: no name lookup for what the other side sent
            return new InetSocketAddress(InetAddress.ofLiteral(h), p);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(name(kind) + " frame: not an IP address literal: " + h);
        }
    }

    /** The address to bind for a request: the host as given, resolved here (the worker's own thread). */
    static InetSocketAddress resolvedForRequest(InetSocketAddress requested) throws UnknownHostException {
        if (requested.isUnresolved()) {
            return new InetSocketAddress(InetAddress.getByName(requested.getHostString()), requested.getPort());
        }
        return requested;
    }

    // ---- failures

    /** A throwable as wire values: [class, message, [frames...], cause or null], causes to depth 8. */
    static Object failure(Throwable t) {
        return failure(t, 0);
    }

    private static Object failure(Throwable t, int depth) {
        List<Object> frames = new ArrayList<>();
        for (StackTraceElement e : t.getStackTrace()) {
            if (frames.size() == 64) {
                break;
            }
            frames.add(List.of(e.getClassName(), e.getMethodName(),
                    e.getFileName() == null ? "" : e.getFileName(), e.getLineNumber()));
        }
        Throwable cause = t.getCause();
        return java.util.Arrays.asList(t.getClass().getName(), t.getMessage() == null ? "" : t.getMessage(),
                frames, cause == null || cause == t || depth >= 8 ? null : failure(cause, depth + 1));
    }

    /** Rebuilds a failure sent by {@link #failure(Throwable)} as a {@link ChildFailure}. */
    static ChildFailure failure(byte kind, Object value) throws ProtocolException {
        return failure(kind, value, 0);
    }

    private static ChildFailure failure(byte kind, Object value, int depth) throws ProtocolException {
        if (depth > 8) {
            throw new ProtocolException(name(kind) + " frame: causes nested deeper than 8");
        }
        List<?> l = list(kind, value, 4);
        String type = field(kind, l.get(0), "class", String.class);
        String message = field(kind, l.get(1), "message", String.class);
        List<?> frames = field(kind, l.get(2), "stack", List.class);
        StackTraceElement[] stack = new StackTraceElement[frames.size()];
        for (int i = 0; i < stack.length; i++) {
            List<?> f = list(kind, frames.get(i), 4);
            stack[i] = new StackTraceElement(field(kind, f.get(0), "class", String.class),
                    field(kind, f.get(1), "method", String.class),
                    field(kind, f.get(2), "file", String.class).isEmpty() ? null : (String) f.get(2),
                    intField(kind, f.get(3), "line"));
        }
        ChildFailure cause = l.get(3) == null ? null : failure(kind, l.get(3), depth + 1);
        return new ChildFailure(type, message, stack, cause);
    }
}
