/**
 * The process mode ({@code Isolation.PROCESS}): workers as child JVMs, and the native support for sharing
 * the primary's listening sockets with them. Not exported; nothing here is API.
 *
 * <h2>Roles</h2>
 * On the primary, {@link dev.loomcluster.internal.process.ProcessWorkers} holds what a pool's children
 * share (socket directory, codec, command line, {@link dev.loomcluster.internal.process.StartupCache},
 * {@link dev.loomcluster.internal.process.ProcessServers});
 * one {@link dev.loomcluster.internal.process.ProcessLink} per child launches it (its spec in its
 * environment), authenticates it, and has the pool's primary loop read its frames, turning them into the
 * worker handle's signals and messages. In the child, {@link dev.loomcluster.internal.process.ChildMain}
 * runs the same {@code WorkerRuntime} as a thread worker, with the IPC channel as its uplink (read by the
 * worker's loop) and {@link dev.loomcluster.internal.process.ChildListenService} for sockets. Both ends speak
 * {@link dev.loomcluster.internal.process.Ipc}'s frames over an
 * {@link dev.loomcluster.internal.process.IpcChannel} (a JDK Unix domain socket and the wire codec; what a
 * loop sends in one batch leaves in one write made by that loop, other senders write themselves when the
 * channel is quiet, and one writer thread batches bursts).
 *
 * <h2>How a child gets the listening socket</h2>
 * The primary binds the listening socket itself ({@link dev.loomcluster.internal.process.NativeSockets#listenTcp},
 * since the JDK gives no descriptor number for a {@code ServerSocketChannel}), listens on a Unix socket in a
 * {@link dev.loomcluster.internal.process.PrivateSocketDir}, and starts the child with that path in its
 * environment. When the child first listens it connects, the primary checks the peer's pid ({@code SO_PEERCRED}),
 * unlinks the path and sends the listening descriptor ({@code SCM_RIGHTS}). The child {@code dup2}s it onto fd 0 and
 * calls {@link System#inheritedChannel()}, which returns a {@code ServerSocketChannel} on it: from then on the
 * child serves with ordinary NIO, on its own selector.
 *
 * <h2>Why accept turns</h2>
 * All processes then hold one socket with one accept queue. Letting them all accept freely would rebuild
 * the unbalanced "shared" mode Node warns about; handing out accepted connections instead would need either
 * a {@code SocketChannel} made from a received connected descriptor, which no public JDK API can make, or
 * the primary proxying the traffic, which copies every byte through it, both ways. So the primary
 * keeps the choice and not the bytes: one platform thread per shared address {@code poll}s the listening
 * descriptor, and when a connection is queued it grants an <em>accept turn</em> to the next child in round
 * robin (a {@code TURN} frame on the child's IPC channel); that child's loop accepts at most one connection
 * on its inherited channel, non-blockingly, and answers with an {@code ACK} frame carrying its load, after
 * which the thread polls again (the socket is level-triggered, so it waits for the answer, at most 500 ms).
 * A child that has not answered its last turn, or whose loop reports a queue at least the pool's
 * connection backlog deep, is skipped as overloaded; when every child is, the connection waits in the
 * kernel's queue. A turn costs one IPC message pair per accepted
 * connection and nothing per byte; a child that exits leaves queued connections in the shared queue for the
 * others (unlike {@code SO_REUSEPORT}, where closing one listener resets its queue).
 *
 * <h2>Limits</h2>
 * <ul>
 *   <li>One shared listening address per child: {@code inheritedChannel()} wraps fd 0 once and caches it. A
 *   second address is refused with an {@link IllegalStateException} saying so; the same address may be
 *   listened on again after its server closed. A child that closes its server but keeps running still
 *   holds the descriptor, so the port stays bound until it exits.</li>
 *   <li>Linux on x86_64 or aarch64 only ({@link dev.loomcluster.internal.process.NativeSockets#isSupported()});
 *   elsewhere the shared sockets of the process mode throw {@link UnsupportedOperationException} naming the
 *   platform.</li>
 *   <li>Every JVM using this package (the primary and each child) needs {@code --enable-native-access}
 *   ({@code =dev.loomcluster} on the module path, {@code =ALL-UNNAMED} on the class path), or it warns (and a
 *   later JDK refuses).</li>
 *   <li>{@code O_NONBLOCK} is shared by every process holding the socket: the primary sets it before passing
 *   the descriptor, and children keep their inherited channel non-blocking.</li>
 *   <li>The primary's poll thread does not wake when the descriptor is closed under it: it polls with a bounded
 *   timeout and checks its own state.</li>
 * </ul>
 */
package dev.loomcluster.internal.process;
