/**
 * Native support for the process mode ({@code Isolation.PROCESS}): child JVMs that share the primary's
 * listening sockets. Not exported; nothing here is API.
 *
 * <h2>How a child gets the listening socket</h2>
 * The primary binds the listening socket itself ({@link dev.loomcluster.internal.process.NativeSockets#listenTcp},
 * since the JDK gives no descriptor number for a {@code ServerSocketChannel}), listens on a Unix socket in a
 * {@link dev.loomcluster.internal.process.PrivateSocketDir}, and starts the child with that path in its
 * environment. The child connects, the primary checks the peer's pid and uid ({@code SO_PEERCRED}), unlinks
 * the path and sends the listening descriptor ({@code SCM_RIGHTS}). The child {@code dup2}s it onto fd 0 and
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
 * robin (one byte over the child's IPC socket); that child accepts exactly one connection on its inherited
 * channel, non-blockingly, and answers with one byte, after which the thread polls again (the socket is
 * level-triggered, so it must wait for the answer). A turn costs one IPC message pair per accepted
 * connection and nothing per byte; a child that exits leaves queued connections in the shared queue for the
 * others (unlike {@code SO_REUSEPORT}, where closing one listener resets its queue).
 *
 * <h2>Limits</h2>
 * <ul>
 *   <li>One shared listening address per child: {@code inheritedChannel()} wraps fd 0 once and caches it.</li>
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
