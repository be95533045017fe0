package dev.loomcluster.http.internal;

import java.nio.ByteBuffer;

/** Character classes of RFC 9110/9112/3986 as lookup tables, and byte/String helpers. Pure: any thread. */
final class Ascii {
    static final byte CR = '\r';
    static final byte LF = '\n';
    static final byte SP = ' ';
    static final byte HTAB = '\t';

    /** tchar: the characters of a token (method, field name, transfer coding). */
    private static final boolean[] TCHAR = new boolean[256];
    /** Bytes allowed inside a field value: VCHAR, obs-text, SP and HTAB (no CTLs, no DEL). */
    private static final boolean[] FIELD_VALUE = new boolean[256];
    /** Bytes allowed in an origin-form request target, '%' included (escapes are checked apart). */
    private static final boolean[] TARGET = new boolean[256];
    /** Bytes allowed in a Host value: reg-name, IPv4, IP-literal and port characters. */
    private static final boolean[] HOST = new boolean[256];
    private static final byte[] HEX = new byte[256];

    static {
        for (int c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
        for (int c = 0x21; c <= 0xFF; c++) {
            FIELD_VALUE[c] = c != 0x7F;
        }
        FIELD_VALUE[' '] = true;
        FIELD_VALUE['\t'] = true;
        for (int c = 0; c < 128; c++) {
            boolean alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            TARGET[c] = alnum || "-._~!$&'()*+,;=:@/?%".indexOf(c) >= 0;
            HOST[c] = alnum || "-._~!$&'()*+,;=:[]%".indexOf(c) >= 0;
        }
        java.util.Arrays.fill(HEX, (byte) -1);
        for (int c = 0; c < 10; c++) {
            HEX['0' + c] = (byte) c;
        }
        for (int c = 0; c < 6; c++) {
            HEX['a' + c] = (byte) (10 + c);
            HEX['A' + c] = (byte) (10 + c);
        }
    }

    private Ascii() {
    }

    static boolean isTchar(int b) {
        return TCHAR[b & 0xFF];
    }

    static boolean isFieldValue(int b) {
        return FIELD_VALUE[b & 0xFF];
    }

    static boolean isTarget(int b) {
        return TARGET[b & 0xFF];
    }

    static boolean isHost(int b) {
        return HOST[b & 0xFF];
    }

    /** The value of a hex digit, or -1. */
    static int hex(int b) {
        return HEX[b & 0xFF];
    }

    static boolean isWhite(int b) {
        return b == SP || b == HTAB;
    }

    static int lower(int b) {
        return b >= 'A' && b <= 'Z' ? b + 32 : b;
    }

    /** Whether {@code len} bytes of {@code buf} at {@code off} equal {@code s}, ignoring ASCII case. */
    static boolean equalsIgnoreCase(ByteBuffer buf, int off, int len, String s) {
        if (s.length() != len) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (lower(buf.get(off + i)) != lower(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code len} bytes of {@code buf} at {@code off} are exactly the Latin-1 chars of {@code s}. */
    static boolean equalsExact(ByteBuffer buf, int off, int len, String s) {
        if (s == null || s.length() != len) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if ((buf.get(off + i) & 0xFF) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** A Latin-1 String of {@code len} bytes of {@code buf} at {@code off}. */
    static String latin1(ByteBuffer buf, int off, int len) {
        if (buf.hasArray()) {
            return new String(buf.array(), buf.arrayOffset() + off, len, java.nio.charset.StandardCharsets.ISO_8859_1);
        }
        byte[] bytes = new byte[len];
        buf.get(off, bytes);
        return new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** ASCII case-insensitive equality of two strings (header names are ASCII tokens). */
    static boolean equalsIgnoreCase(String a, String b) {
        int len = a.length();
        if (len != b.length()) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y && lower(x) != lower(y)) {
                return false;
            }
        }
        return true;
    }
}
