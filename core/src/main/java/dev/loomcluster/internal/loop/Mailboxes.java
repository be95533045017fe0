package dev.loomcluster.internal.loop;

import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.atomic.unpadded.MpscGrowableAtomicUnpaddedArrayQueue;

/**
 * The MPSC queues behind a loop's mailbox and a worker's outbox: JCTools' growable array queue in its
 * field-updater ({@code sun.misc.Unsafe}-free) and unpadded form. It starts with {@value #INITIAL} slots
 * and doubles its ring when full, so an idle worker's two queues cost ~200 bytes together (the padded
 * form's cache-line padding alone was ~1 KiB per worker, the fixed 256-slot chunks of the unbounded queue
 * another 2 KiB), and once a queue has grown to its peak backlog, posting allocates nothing at all (an
 * unbounded linked-chunk queue allocates a chunk every so many messages, forever). What it keeps is its
 * largest ring: its memory tracks the peak backlog.
 * {@link #offer} refuses only past {@value #MAX} entries, far beyond what a heap holds. Any thread.
 */
public final class Mailboxes {
    static final int INITIAL = 16;
    static final int MAX = 1 << 30;

    private Mailboxes() {
    }

    /** A new, empty MPSC queue: many producers, one consumer. */
    public static MessagePassingQueue<Object> mpsc() {
        return new MpscGrowableAtomicUnpaddedArrayQueue<>(INITIAL, MAX);
    }

    /** Offers {@code entry} to {@code queue}; throws, naming {@code owner}, if {@value #MAX} entries wait already. */
    public static void offer(MessagePassingQueue<Object> queue, Object entry, Object owner) {
        if (!queue.offer(entry)) {
            throw new IllegalStateException("the queue of " + owner + " is full: " + MAX + " entries wait");
        }
    }
}
