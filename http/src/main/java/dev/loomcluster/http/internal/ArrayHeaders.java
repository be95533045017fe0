package dev.loomcluster.http.internal;

import com.sun.net.httpserver.Headers;

import java.util.AbstractCollection;
import java.util.AbstractList;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.Set;

/**
 * {@link Headers} kept in parallel arrays (normalized keys, one reusable {@link ValueList} per key) so a
 * connection can refill one instance per exchange without allocating. Holds what request and response
 * headers share: lookup ignoring case, the map views, {@code equals}/{@code hashCode}/{@code toString};
 * subclasses add filling or mutation. Used by one thread at a time (see the subclasses).
 */
abstract sealed class ArrayHeaders extends Headers permits RequestHeaders, ResponseHeaders {
    String[] keys;
    ValueList[] lists;
    int size;

    ArrayHeaders(int capacity) {
        keys = new String[capacity];
        lists = new ValueList[capacity];
        for (int i = 0; i < capacity; i++) {
            lists[i] = newValues();
        }
    }

    /** A new, empty value list of the subclass's kind. */
    abstract ValueList newValues();

    /** The view entry at {@code i}. */
    abstract Map.Entry<String, List<String>> entryAt(int i);

    /** Removes the key at {@code i} (through a view), or refuses. */
    abstract void removeAt(int i);

    /** Appends a key with an empty list, growing the arrays; returns the list. */
    final ValueList append(String normalizedKey) {
        if (size == keys.length) {
            int n = size * 2;
            keys = Arrays.copyOf(keys, n);
            lists = Arrays.copyOf(lists, n);
            for (int j = size; j < n; j++) {
                lists[j] = newValues();
            }
        }
        keys[size] = normalizedKey;
        ValueList v = lists[size++];
        v.clear0();
        return v;
    }

    final int indexOf(Object key) {
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
        Objects.requireNonNull(key);
        return indexOf(key) >= 0;
    }

    @Override
    public boolean containsValue(Object value) {
        Objects.requireNonNull(value);
        for (int i = 0; i < size; i++) {
            if (lists[i].equals(value)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public List<String> get(Object key) {
        Objects.requireNonNull(key);
        int i = indexOf(key);
        return i < 0 ? null : lists[i];
    }

    @Override
    public String getFirst(String key) {
        Objects.requireNonNull(key);
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

            @Override
            public boolean remove(Object o) {
                int i = indexOf(o);
                if (i < 0) {
                    return false;
                }
                removeAt(i);
                return true;
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
                        return entryAt(i);
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

    /** Iterates indexes 0..size; {@code remove()} goes through {@link #removeAt}. */
    private abstract class Iter<T> implements Iterator<T> {
        private int next;
        private int last = -1;

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
            last = next;
            return at(next++);
        }

        @Override
        public void remove() {
            if (last < 0) {
                throw new IllegalStateException();
            }
            removeAt(last);
            next = last;
            last = -1;
        }
    }

    /** The values of one key: unmodifiable here, kept for reuse; {@code ResponseHeaders.Values} adds mutation. */
    static class ValueList extends AbstractList<String> implements RandomAccess {
        String[] values = new String[2];
        int size;

        final void clear0() {
            Arrays.fill(values, 0, size, null);
            size = 0;
        }

        final void add0(String value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        @Override
        public final String get(int index) {
            Objects.checkIndex(index, size);
            return values[index];
        }

        @Override
        public final int size() {
            return size;
        }
    }
}
