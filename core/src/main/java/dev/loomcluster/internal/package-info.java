/**
 * Implementation: the single-threaded event loop (MPSC mailbox, timers, selector), the pool and its
 * primary loop, worker runtimes, message checking and copying, and shared listening sockets with their
 * acceptors. Not exported; nothing here is API.
 */
package dev.loomcluster.internal;
