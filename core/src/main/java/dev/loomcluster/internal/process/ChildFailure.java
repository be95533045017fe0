package dev.loomcluster.internal.process;

/**
 * A failure that happened in a child JVM, as the primary's {@code error} listeners receive it: the
 * original exception's class name and message (its {@link #getMessage()} reads
 * {@code "java.lang.IllegalStateException: boom"}), its stack trace and its causes, rebuilt from the
 * wire. The original exception object stays in the child. Immutable once made; any thread.
 */
public final class ChildFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String originalClass;
    private final String originalMessage;

    ChildFailure(String originalClass, String originalMessage, StackTraceElement[] stack, ChildFailure cause) {
        super(originalMessage.isEmpty() ? originalClass : originalClass + ": " + originalMessage, cause, false, true);
        this.originalClass = originalClass;
        this.originalMessage = originalMessage;
        setStackTrace(stack);
    }

    /** The binary name of the exception's class in the child. */
    public String originalClass() {
        return originalClass;
    }

    /** The exception's message in the child, or the empty string. */
    public String originalMessage() {
        return originalMessage;
    }

    @Override
    public String toString() {
        return "ChildFailure[" + getMessage() + "]";
    }
}
