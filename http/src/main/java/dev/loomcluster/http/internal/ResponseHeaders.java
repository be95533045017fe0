package dev.loomcluster.http.internal;

import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The response headers of an exchange: a mutable {@link com.sun.net.httpserver.Headers} with the JDK's semantics (keys
 * normalized to {@code First-rest-lower}, values checked for CR/LF, one list per key) whose storage is
 * kept from request to request. A key given as the same String as before (handlers use constants) is
 * normalized without allocating, and each key's value list is reused; the response is encoded from the
 * arrays without iterators.
 *
 * <p>Used by the handler's thread while the exchange lasts; a connection refills the same instance only
 * when the previous exchange ended on the loop inside its handler's call, otherwise it takes a new one.
 */
final class ResponseHeaders extends ArrayHeaders {
    /** Raw keys seen before and their normalized forms, compared by identity. */
    private final String[] rawCache = new String[8];
    private final String[] normCache = new String[8];
    private int cacheNext;

    ResponseHeaders() {
        super(8);
    }

    @Override
    ValueList newValues() {
        return new Values();
    }

    @Override
    Map.Entry<String, List<String>> entryAt(int i) {
        return new AbstractMap.SimpleEntry<>(keys[i], lists[i]) {
            @Override
            public List<String> setValue(List<String> value) {
                List<String> old = List.copyOf(lists[i]);
                put(keys[i], value);
                return old;
            }
        };
    }

    // ---- encoding (no allocation)

    int count() {
        return size;
    }

    String keyAt(int i) {
        return keys[i];
    }

    ValueList valuesAt(int i) {
        return lists[i];
    }

    // ---- normalization and checks, as com.sun.net.httpserver.Headers

    private String normalize(String key) {
        Objects.requireNonNull(key);
        for (int i = 0; i < rawCache.length; i++) {
            if (rawCache[i] == key) {
                return normCache[i];
            }
        }
        String n = normalize0(key);
        rawCache[cacheNext] = key;
        normCache[cacheNext] = n;
        cacheNext = (cacheNext + 1) & (rawCache.length - 1);
        return n;
    }

    private static String normalize0(String key) {
        int len = key.length();
        if (len == 0) {
            return key;
        }
        char[] b = key.toCharArray();
        if (b[0] >= 'a' && b[0] <= 'z') {
            b[0] = (char) (b[0] - ('a' - 'A'));
        } else if (b[0] == '\r' || b[0] == '\n') {
            throw new IllegalArgumentException("illegal character in key");
        }
        for (int i = 1; i < len; i++) {
            if (b[i] >= 'A' && b[i] <= 'Z') {
                b[i] = (char) (b[i] + ('a' - 'A'));
            } else if (b[i] == '\r' || b[i] == '\n') {
                throw new IllegalArgumentException("illegal character in key");
            }
        }
        String s = new String(b);
        return s.equals(key) ? key : s;
    }

    /** The JDK's rule: no LF, no CR except in CRLF followed by SP/HTAB (values only), no char above 255. */
    static void checkHeader(String str, boolean isValue) {
        int len = str.length();
        for (int i = 0; i < len; i++) {
            char c = str.charAt(i);
            if (c == '\r') {
                if (!isValue) {
                    throw new IllegalArgumentException("Illegal CR found in header");
                }
                if (i >= len - 2) {
                    throw new IllegalArgumentException("Illegal CR found in header");
                }
                char c1 = str.charAt(i + 1);
                char c2 = str.charAt(i + 2);
                if (c1 != '\n') {
                    throw new IllegalArgumentException("Illegal char found after CR in header");
                }
                if (c2 != ' ' && c2 != '\t') {
                    throw new IllegalArgumentException("No whitespace found after CRLF in header");
                }
                i += 2;
            } else if (c == '\n') {
                throw new IllegalArgumentException("Illegal LF found in header");
            } else if (c > 255) {
                throw new IllegalArgumentException("Illegal character found in header");
            }
        }
    }

    private int indexOfNormalized(String n) {
        for (int i = 0; i < size; i++) {
            if (keys[i].equals(n)) {
                return i;
            }
        }
        return -1;
    }

    /** The list of a normalized key, made (empty) if absent. */
    private ValueList slot(String n) {
        int i = indexOfNormalized(n);
        return i >= 0 ? lists[i] : append(n);
    }

    @Override
    void removeAt(int i) {
        ValueList v = lists[i];
        System.arraycopy(keys, i + 1, keys, i, size - i - 1);
        System.arraycopy(lists, i + 1, lists, i, size - i - 1);
        size--;
        keys[size] = null;
        lists[size] = v; // keep the list object for reuse
        v.clear0();
    }

    // ---- Headers / Map

    @Override
    public List<String> put(String key, List<String> value) {
        checkHeader(key, false);
        for (String v : value) {
            checkHeader(v, true);
        }
        String n = normalize(key);
        int i = indexOfNormalized(n);
        List<String> old = i < 0 ? null : List.copyOf(lists[i]);
        ValueList v = slot(n);
        v.clear0();
        for (String s : value) {
            v.add0(s);
        }
        return old;
    }

    @Override
    public void add(String key, String value) {
        checkHeader(key, false);
        checkHeader(value, true);
        slot(normalize(key)).add0(value);
    }

    @Override
    public void set(String key, String value) {
        checkHeader(key, false);
        checkHeader(value, true);
        ValueList v = slot(normalize(key));
        v.clear0();
        v.add0(value);
    }

    @Override
    public List<String> remove(Object key) {
        Objects.requireNonNull(key);
        int i = indexOf(key);
        if (i < 0) {
            return null;
        }
        List<String> old = List.copyOf(lists[i]);
        removeAt(i);
        return old;
    }

    @Override
    public void putAll(Map<? extends String, ? extends List<String>> t) {
        t.forEach(this::put);
    }

    @Override
    public void clear() {
        for (int i = 0; i < size; i++) {
            keys[i] = null;
            lists[i].clear0();
        }
        size = 0;
    }

    @Override
    public void replaceAll(java.util.function.BiFunction<? super String, ? super List<String>, ? extends List<String>> f) {
        for (int i = 0; i < size; i++) {
            List<String> next = Objects.requireNonNull(f.apply(keys[i], lists[i]));
            next.forEach(v -> checkHeader(v, true));
            if (next != lists[i]) {
                List<String> copy = List.copyOf(next);
                lists[i].clear0();
                copy.forEach(lists[i]::add0);
            }
        }
    }

    /** One key's values: a mutable list (as the JDK's), kept for reuse; values are checked when added. */
    static final class Values extends ValueList {
        @Override
        public String set(int index, String value) {
            Objects.checkIndex(index, size);
            checkHeader(value, true);
            String old = values[index];
            values[index] = value;
            return old;
        }

        @Override
        public void add(int index, String value) {
            Objects.checkIndex(index, size + 1);
            checkHeader(value, true);
            add0(null);
            System.arraycopy(values, index, values, index + 1, size - 1 - index);
            values[index] = value;
            modCount++;
        }

        @Override
        public String remove(int index) {
            Objects.checkIndex(index, size);
            String old = values[index];
            System.arraycopy(values, index + 1, values, index, size - index - 1);
            values[--size] = null;
            modCount++;
            return old;
        }
    }
}
