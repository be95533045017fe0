package dev.loomcluster.internal.process;

import dev.loomcluster.internal.message.WireCodec;
import dev.loomcluster.internal.message.WireLimits;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A child's spec in its environment: one SPEC frame, base64; anything else is refused with a clear error. */
class IpcSpecTest {
    private final WireCodec codec = WireCodec.create(WireLimits.DEFAULTS, IpcSpecTest.class.getClassLoader());

    private static Map<String, Object> spec() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("id", 7);
        s.put("env", List.of("A", "PATH_LIKE"));
        s.put("pool", "p");
        s.put("main", "my.Main");
        s.put("drainGraceMillis", 5_000L);
        return s;
    }

    @Test
    void aSpecComesBackAsItWent() throws Exception {
        assertEquals(spec(), Ipc.decodeSpec(codec, Ipc.encodeSpec(codec, spec())));
    }

    @Test
    void somethingElseIsRefusedNamingTheProblem() {
        byte[] frame = Base64.getDecoder().decode(Ipc.encodeSpec(codec, spec()));
        String truncated = Base64.getEncoder().encodeToString(Arrays.copyOf(frame, frame.length - 3));
        byte[] longer = Arrays.copyOf(frame, frame.length + 1);
        byte[] otherKind = frame.clone();
        otherKind[4] = Ipc.MESSAGE;
        var notBase64 = assertThrows(ProtocolException.class, () -> Ipc.decodeSpec(codec, "%%%"));
        assertTrue(notBase64.getMessage().contains("not base64"), notBase64.getMessage());
        var cut = assertThrows(java.io.IOException.class, () -> Ipc.decodeSpec(codec, truncated));
        assertTrue(cut.getMessage().contains("truncated"), cut.getMessage());
        var trailing = assertThrows(ProtocolException.class,
                () -> Ipc.decodeSpec(codec, Base64.getEncoder().encodeToString(longer)));
        assertTrue(trailing.getMessage().contains("after its SPEC frame"), trailing.getMessage());
        var kind = assertThrows(ProtocolException.class,
                () -> Ipc.decodeSpec(codec, Base64.getEncoder().encodeToString(otherKind)));
        assertTrue(kind.getMessage().contains("not SPEC"), kind.getMessage());
        var notAMap = assertThrows(ProtocolException.class,
                () -> Ipc.decodeSpec(codec, Base64.getEncoder().encodeToString(
                        Base64.getDecoder().decode(encodeList()))));
        assertTrue(notAMap.getMessage().contains("expected a map"), notAMap.getMessage());
    }

    private String encodeList() {
        var w = dev.loomcluster.internal.message.FrameWriter.create(codec);
        w.append(Ipc.SPEC, List.of(1, 2));
        var out = new java.io.ByteArrayOutputStream();
        try {
            w.writeTo(java.nio.channels.Channels.newChannel(out));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }
}
