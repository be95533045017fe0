/**
 * The public API: {@link dev.loomcluster.WorkerPool} (the primary), {@link dev.loomcluster.Worker} (the
 * primary's handle on a worker), {@link dev.loomcluster.WorkerContext} (the view from inside a worker), the
 * option records and enums, and the small non-blocking connection API used by shared listening sockets.
 * Names and event order follow Node's {@code cluster} module.
 */
package dev.loomcluster;
