/**
 * The event loop every worker and the primary run: an MPSC mailbox, timers and a selector, driven by one
 * thread ({@link dev.loomcluster.internal.loop.EventLoop}), and the copy-on-write listener lists fired on
 * it. Knows nothing of pools, workers or sockets.
 */
package dev.loomcluster.internal.loop;
