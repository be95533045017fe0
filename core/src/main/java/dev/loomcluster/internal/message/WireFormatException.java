package dev.loomcluster.internal.message;

import java.io.IOException;

/**
 * Bytes from the other side of a channel that are not a valid frame or message, or break a
 * {@link WireLimits} bound; the message names the problem (the limit, the tag, the class) and where it was
 * found. The channel it came from cannot be trusted any further and must be closed.
 */
public final class WireFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    WireFormatException(String message) {
        super(message);
    }

    WireFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
