package dev.loomcluster.http.internal;

/**
 * What {@link RequestParser#parse} made of the bytes it was given: a complete {@link RequestHead}, a
 * {@link Reject} (answer with its status, then close: framing can no longer be trusted), or
 * {@link #NEED_MORE} bytes. Immutable: any thread.
 */
sealed interface ParseResult permits RequestHead, ParseResult.Reject, ParseResult.NeedMore {

    /** The head is not complete yet; nothing was consumed. */
    NeedMore NEED_MORE = new NeedMore();

    /** An invalid request or one over a limit: answer {@code status}, saying {@code reason}, and close. */
    record Reject(int status, String reason) implements ParseResult {
    }

    /** See {@link #NEED_MORE}. */
    final class NeedMore implements ParseResult {
        private NeedMore() {
        }

        @Override
        public String toString() {
            return "NEED_MORE";
        }
    }
}
