package dev.loomcluster.http.internal;

import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The read-only request headers of one exchange, as {@link com.sun.net.httpserver.Headers} (like the JDK's, they are immutable:
 * every mutator throws {@link UnsupportedOperationException}). Keys are normalized as {@code Headers}
 * does (first letter upper case, the rest lower case) and looked up ignoring case.
 *
 * <p>One instance belongs to a connection and is refilled for each request without allocating: the
 * entries live in arrays, each key's values in a reusable list. Filled by the parser on the worker's loop
 * before the exchange is dispatched; read by the handler's thread (the loop or the executor's) while the
 * exchange lasts (the hand-off to an executor publishes it). It must not be kept after the exchange ends.
 */
final class RequestHeaders extends ArrayHeaders {

    RequestHeaders() {
        super(16);
    }

    @Override
    ValueList newValues() {
        return new ValueList();
    }

    @Override
    Map.Entry<String, List<String>> entryAt(int i) {
        return new AbstractMap.SimpleImmutableEntry<>(keys[i], lists[i]);
    }

    @Override
    void removeAt(int i) {
        throw readOnly();
    }

    // ---- filled by the parser (loop thread) ----

    void reset() {
        for (int i = 0; i < size; i++) {
            lists[i].clear0();
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
        append(key).add0(value);
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
}
