package dev.loomcluster.http.internal;

import com.sun.net.httpserver.Headers;

import java.util.AbstractCollection;
import java.util.AbstractList;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * The read-only request headers of one exchange, as {@link Headers} (like the JDK's, they are immutable:
 * every mutator throws {@link UnsupportedOperationException}). Keys are normalized as {@code Headers}
 * does (first letter upper case, the rest lower case) and looked up ignoring case.
 *
 * <p>One instance belongs to a connection and is refilled for each request without allocating: the
 * entries live in arrays, each key's values in a reusable list. Filled by the parser on the worker's loop
 * before the exchange is dispatched; read by the handler's thread (the loop or the executor's) while the
 * exchange lasts (the hand-off to an executor publishes it). It must not be kept after the exchange ends.
 */
final class RequestHeaders extends Headers {
    private String[] keys = new String[16];
    private ValueList[] lists = new ValueList[16];
    private int size;

    RequestHeaders() {
        for (int i = 0; i < lists.length; i++) {
            lists[i] = new ValueList();
        }
    }

    // ---- filled by the parser (loop thread) ----

    void reset() {
        for (int i = 0; i < size; i++) {
            lists[i].size = 0;
        }
        size = 0;
    }

    /** Adds a value under a normalized key, merging with an earlier line of the same name. */
    void addNormalized(String key, String value) {
        for (int i = 0; i < size; i++) {
            if (keys[i].equals(key)) {
                lists[i].add0(value);
                return;
            }
        }
        if (size == keys.length) {
            int n = size * 2;
            keys = java.util.Arrays.copyOf(keys, n);
            lists = java.util.Arrays.copyOf(lists, n);
            for (int i = size; i < n; i++) {
                lists[i] = new ValueList();
            }
        }
        keys[size] = key;
        lists[size].add0(value);
        size++;
    }

    private int indexOf(Object key) {
        if (!(key instanceof String k)) {
            return -1;
        }
        for (int i = 0; i < size; i++) {
            if (Ascii.equalsIgnoreCase(keys[i], k)) {
                return i;
            }
        }
        return -1;
    }

    // ---- Map view ----

    @Override
    public int size() {
        return size;
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public boolean containsKey(Object key) {
        java.util.Objects.requireNonNull(key);
        return indexOf(key) >= 0;
    }

    @Override
    public boolean containsValue(Object value) {
        java.util.Objects.requireNonNull(value);
        for (int i = 0; i < size; i++) {
            if (lists[i].equals(value)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public List<String> get(Object key) {
        java.util.Objects.requireNonNull(key);
        int i = indexOf(key);
        return i < 0 ? null : lists[i];
    }

    @Override
    public String getFirst(String key) {
        java.util.Objects.requireNonNull(key);
        int i = indexOf(key);
        return i < 0 || lists[i].size == 0 ? null : lists[i].values[0];
    }

    @Override
    public Set<String> keySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<String> iterator() {
                return new Iter<>() {
                    @Override
                    String at(int i) {
                        return keys[i];
                    }
                };
            }

            @Override
            public int size() {
                return size;
            }

            @Override
            public boolean contains(Object o) {
                return indexOf(o) >= 0;
            }
        };
    }

    @Override
    public Collection<List<String>> values() {
        return new AbstractCollection<>() {
            @Override
            public Iterator<List<String>> iterator() {
                return new Iter<>() {
                    @Override
                    List<String> at(int i) {
                        return lists[i];
                    }
                };
            }

            @Override
            public int size() {
                return size;
            }
        };
    }

    @Override
    public Set<Map.Entry<String, List<String>>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Map.Entry<String, List<String>>> iterator() {
                return new Iter<>() {
                    @Override
                    Map.Entry<String, List<String>> at(int i) {
                        return new AbstractMap.SimpleImmutableEntry<>(keys[i], lists[i]);
                    }
                };
            }

            @Override
            public int size() {
                return size;
            }
        };
    }

    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (!(o instanceof Map<?, ?> m) || m.size() != size) {
            return false;
        }
        for (int i = 0; i < size; i++) {
            if (!lists[i].equals(m.get(keys[i]))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 0;
        for (int i = 0; i < size; i++) {
            h += keys[i].hashCode() ^ lists[i].hashCode();
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Headers { {");
        for (int i = 0; i < size; i++) {
            sb.append(i == 0 ? "" : ", ").append(keys[i]).append('=').append(lists[i]);
        }
        return sb.append("} }").toString();
    }

    // ---- read-only ----

    @Override
    public List<String> put(String key, List<String> value) {
        throw readOnly();
    }

    @Override
    public void add(String key, String value) {
        throw readOnly();
    }

    @Override
    public void set(String key, String value) {
        throw readOnly();
    }

    @Override
    public List<String> remove(Object key) {
        throw readOnly();
    }

    @Override
    public void putAll(Map<? extends String, ? extends List<String>> t) {
        throw readOnly();
    }

    @Override
    public void clear() {
        throw readOnly();
    }

    @Override
    public void replaceAll(BiFunction<? super String, ? super List<String>, ? extends List<String>> function) {
        throw readOnly();
    }

    @Override
    public List<String> putIfAbsent(String key, List<String> value) {
        throw readOnly();
    }

    @Override
    public boolean remove(Object key, Object value) {
        throw readOnly();
    }

    @Override
    public boolean replace(String key, List<String> oldValue, List<String> newValue) {
        throw readOnly();
    }

    @Override
    public List<String> replace(String key, List<String> value) {
        throw readOnly();
    }

    @Override
    public List<String> computeIfAbsent(String key,
            java.util.function.Function<? super String, ? extends List<String>> f) {
        throw readOnly();
    }

    @Override
    public List<String> computeIfPresent(String key,
            BiFunction<? super String, ? super List<String>, ? extends List<String>> f) {
        throw readOnly();
    }

    @Override
    public List<String> compute(String key,
            BiFunction<? super String, ? super List<String>, ? extends List<String>> f) {
        throw readOnly();
    }

    @Override
    public List<String> merge(String key, List<String> value,
            BiFunction<? super List<String>, ? super List<String>, ? extends List<String>> f) {
        throw readOnly();
    }

    private static UnsupportedOperationException readOnly() {
        return new UnsupportedOperationException("request headers are read-only");
    }

    private abstract class Iter<T> implements Iterator<T> {
        private int next;

        abstract T at(int i);

        @Override
        public boolean hasNext() {
            return next < size;
        }

        @Override
        public T next() {
            if (next >= size) {
                throw new NoSuchElementException();
            }
            return at(next++);
        }
    }

    /** The values of one key: an unmodifiable list, reused from request to request. */
    static final class ValueList extends AbstractList<String> implements java.util.RandomAccess {
        private String[] values = new String[2];
        private int size;

        void add0(String value) {
            if (size == values.length) {
                values = java.util.Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        @Override
        public String get(int index) {
            java.util.Objects.checkIndex(index, size);
            return values[index];
        }

        @Override
        public int size() {
            return size;
        }
    }
}
