/**
 * Networking: a worker's servers and connections ({@link dev.loomcluster.internal.net.WorkerNet}, owned by
 * its loop), the {@link dev.loomcluster.internal.net.ListenService} seam through which a worker gets its
 * {@link dev.loomcluster.internal.net.Share} of a listening socket, and the in-JVM implementation of that
 * seam: shared listening sockets with their acceptor threads ({@link dev.loomcluster.internal.net.SharedServers}).
 * A connection moves between workers of one JVM as a {@link dev.loomcluster.internal.net.Transfer} (its
 * channel and unconsumed input), through the receiving share's queue or, sent with a message, the
 * receiving worker's.
 */
package dev.loomcluster.internal.net;
