package dev.loomcluster.internal.message;

/**
 * Bounds on what one frame may hold; the same bounds are checked when encoding (the sender is refused with
 * an {@link IllegalArgumentException}) and when decoding (the channel gets a {@link WireFormatException}),
 * and each message names the limit it broke. Immutable; any thread.
 *
 * @param maxFrameBytes most bytes a frame may declare after its 4-byte length (kind byte + payload); a
 *                      decoder's buffer never grows beyond this plus the length field
 * @param maxDepth      deepest nesting of containers (records, collections, enums, {@code byte[]}); the
 *                      top-level value is at depth 0, as in thread mode's message check
 * @param maxElements   most collection elements, map entries and record components in one frame, counted
 *                      together; string and {@code byte[]} lengths are bounded by {@code maxFrameBytes}
 */
public record WireLimits(int maxFrameBytes, int maxDepth, int maxElements) {

    /** 16 MiB frames, depth 64 (the thread-mode limit), 1,000,000 elements. */
    public static final WireLimits DEFAULTS = new WireLimits(16 << 20, 64, 1_000_000);

    /** Largest accepted {@code maxFrameBytes}: a buffer of it plus the length field must fit in an array. */
    static final int MAX_FRAME_BYTES_CEILING = Integer.MAX_VALUE - 64;

    public WireLimits {
        if (maxFrameBytes < 2 || maxFrameBytes > MAX_FRAME_BYTES_CEILING) {
            throw new IllegalArgumentException("maxFrameBytes must be in [2, " + MAX_FRAME_BYTES_CEILING + "]: "
                    + maxFrameBytes);
        }
        if (maxDepth < 0 || maxDepth > 1024) {
            throw new IllegalArgumentException("maxDepth must be in [0, 1024]: " + maxDepth);
        }
        if (maxElements < 0) {
            throw new IllegalArgumentException("maxElements must not be negative: " + maxElements);
        }
    }
}
