/**
 * Networking: a worker's servers and connections ({@link dev.loomcluster.internal.net.WorkerNet}, owned by
 * its loop), the {@link dev.loomcluster.internal.net.ListenService} seam through which a worker gets its
 * {@link dev.loomcluster.internal.net.Share} of a listening socket, and the in-JVM implementation of that
 * seam: shared listening sockets with their acceptor threads ({@link dev.loomcluster.internal.net.SharedServers}).
 */
package dev.loomcluster.internal.net;
