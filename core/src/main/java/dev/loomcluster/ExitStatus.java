package dev.loomcluster;

import java.util.Objects;

/**
 * How a worker ended, as Node's {@code exit} event reports it.
 *
 * <p>A worker that returned or called {@link WorkerContext#exit(int)} has {@code signal == ""}. A worker
 * ended by {@link Worker#kill()} has signal {@code "SIGTERM"} (code 143, as a shell reports it), or
 * {@code "SIGKILL"} (code 137) when its thread did not stop in time and was abandoned.
 *
 * @param code   the exit code: 0 for success
 * @param signal the name of the signal that ended the worker, or the empty string
 */
public record ExitStatus(int code, String signal) {

    /** The status of a worker ended by {@link Worker#kill()}. */
    public static final ExitStatus SIGTERM = new ExitStatus(143, "SIGTERM");
    /** The status of a worker whose thread did not stop when killed and was abandoned. */
    public static final ExitStatus SIGKILL = new ExitStatus(137, "SIGKILL");

    public ExitStatus {
        Objects.requireNonNull(signal, "signal");
    }

    /** A normal exit with the given code. */
    public static ExitStatus exited(int code) {
        return new ExitStatus(code, "");
    }

    /** Whether a signal (a kill) ended the worker. */
    public boolean signaled() {
        return !signal.isEmpty();
    }

    /** Whether the worker exited normally with code 0. */
    public boolean success() {
        return code == 0 && signal.isEmpty();
    }
}
