package dev.loomcluster.internal.process;

import java.io.IOException;

/**
 * A frame from the other end of an IPC channel that is well formed but makes no sense: an unknown kind,
 * a value of the wrong shape, a frame out of turn. The message names the frame and the problem; the
 * channel cannot be trusted any further and is closed.
 */
final class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    ProtocolException(String message) {
        super(message);
    }

    ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
