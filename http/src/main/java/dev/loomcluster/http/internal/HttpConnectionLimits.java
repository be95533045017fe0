package dev.loomcluster.http.internal;

/** Internal buffer sizes shared by the connection and its streams. Constants: any thread. */
final class HttpConnectionLimits {
    /** Writes larger than this skip the staging buffer (after what is staged is written). */
    static final int DIRECT_WRITE = 8 * 1024;

    private HttpConnectionLimits() {
    }
}
