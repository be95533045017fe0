/**
 * The primary side: the pool ({@link dev.loomcluster.internal.primary.PoolImpl}) with its primary loop,
 * restart policy and shutdown, and its handles on workers, each reaching its running worker only through
 * a {@link dev.loomcluster.internal.primary.WorkerLink} (a thread of this JVM, or a child process).
 */
package dev.loomcluster.internal.primary;
