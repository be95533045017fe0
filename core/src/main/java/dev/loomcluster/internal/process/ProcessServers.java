package dev.loomcluster.internal.process;

import dev.loomcluster.SchedulingPolicy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The listening sockets a process-mode pool's children share, by address. The primary binds each one
 * natively ({@link NativeSockets#listenTcp}, non-blocking) the first time a child asks to listen on it,
 * passes its descriptor to every child that listens there, and closes it when the last child leaves.
 * {@code listen(0)} binds a random port once; later {@code listen(0)} on the same host share it.
 *
 * <ul>
 *   <li>{@link SchedulingPolicy#SHARED}: each child accepts from the one kernel queue whenever its loop is
 *   free; the primary does nothing per connection.</li>
 *   <li>{@link SchedulingPolicy#ROUND_ROBIN}: accept turns. A poller thread per socket waits until a
 *   connection is queued ({@code poll}), grants a one-connection turn to the next child that holds the
 *   socket, holds no unanswered turn and whose last reported load is under the backlog, and waits (briefly) for its answer
 *   before polling again. The child accepts on its own copy of the socket; no connection or byte passes
 *   through the primary, and one a child did not accept stays queued for the next.</li>
 * </ul>
 *
 * <p>Threads: any thread; the map and each server's member list are guarded by this object's monitor.
 */
final class ProcessServers {
    /** How long a turn may go unanswered before the next connection goes to another child. */
    private static final long ACK_WAIT_NANOS = 500_000_000L;
    private static final int POLL_MILLIS = 20;

    // ---- immutable
    private final String name;
    private final SchedulingPolicy policy;
    private final int backlog;

    // ---- any thread, under this object's monitor
    private final Map<InetSocketAddress, Server> byAddress = new HashMap<>();

    ProcessServers(String name, SchedulingPolicy policy, int backlog) {
        this.name = name;
        this.policy = policy;
        this.backlog = backlog;
    }

    /**
     * Adds {@code link} to the socket on {@code address}, binding it first if nobody listens there. The
     * new member takes no turns until {@link Server#ready}.
     */
    synchronized Server join(InetSocketAddress address, ProcessLink link) throws IOException {
        Server s = byAddress.get(address);
        if (s == null) {
            NativeSockets.ListeningSocket socket = NativeSockets.listenTcp(address, 1024);
            try {
                NativeSockets.setNonBlocking(socket.fd(), true);
            } catch (IOException | RuntimeException e) {
                NativeSockets.closeQuietly(socket.fd());
                throw e;
            }
            s = new Server(socket.fd(), socket.localAddress());
            byAddress.put(address, s);
            byAddress.putIfAbsent(s.address, s);
        }
        s.add(link);
        return s;
    }

    /** Closes every socket (pool shutdown). */
    void closeAll() {
        synchronized (this) {
            for (Server s : byAddress.values().stream().distinct().toList()) {
                s.close();
            }
            byAddress.clear();
        }
    }

    /** One child's place in a server's rotation. */
    private static final class Member {
        final ProcessLink link;
        volatile boolean ready;     // the child has the socket and its LISTEN_REPLY: it may take turns
        volatile long outstanding;  // the seq of an unanswered turn, or 0
        volatile int load;          // the queue depth of its loop, as its last answer said

        Member(ProcessLink link) {
            this.link = link;
        }
    }

    /** One shared listening socket. */
    final class Server {
        private static final Member[] NONE = {};

        // ---- immutable
        private final int fd;
        private final InetSocketAddress address;
        private final Thread poller;    // round robin only

        // ---- any thread (members written under the registry's monitor)
        private volatile Member[] members = NONE;
        private volatile boolean closed;

        private Server(int fd, InetSocketAddress address) {
            this.fd = fd;
            this.address = address;
            if (policy == SchedulingPolicy.ROUND_ROBIN) {
                poller = Thread.ofPlatform().daemon(true).name(name + "-turns-" + address.getPort())
                        .unstarted(this::pollLoop);
                poller.start();
            } else {
                poller = null;
            }
        }

        int fd() {
            return fd;
        }

        InetSocketAddress address() {
            return address;
        }

        private void add(ProcessLink link) {
            Member[] m = Arrays.copyOf(members, members.length + 1);
            m[m.length - 1] = new Member(link);
            members = m;
        }

        /** {@code link} no longer listens here (it closed its server or exited); the last one closes it. */
        void leave(ProcessLink link) {
            synchronized (ProcessServers.this) {
                Member[] m = Arrays.stream(members).filter(x -> x.link != link).toArray(Member[]::new);
                members = m.length == 0 ? NONE : m;
                if (m.length == 0 && !closed) {
                    byAddress.values().removeIf(s -> s == this);
                    close();
                } else if (poller != null) {
                    LockSupport.unpark(poller); // it may be waiting for that child's answer
                }
            }
        }

        /**
         * {@code link}'s child holds the socket and has been told so: turns may go to it. Until then the
         * poller passes it over, so that no turn is spent on a child that cannot accept yet. Link thread.
         */
        void ready(ProcessLink link) {
            Member m = memberOf(link);
            if (m != null) {
                m.ready = true;
            }
            if (poller != null) {
                LockSupport.unpark(poller);
            }
        }

        /** A child answered turn {@code seq}. The primary loop, which reads the child's frames. */
        void ack(ProcessLink link, long seq, boolean accepted, int open, int queued) {
            Member m = memberOf(link);
            if (m != null) {
                m.load = queued;
                if (m.outstanding == seq) {
                    m.outstanding = 0;
                    LockSupport.unpark(poller);
                }
            }
        }

        /** {@code link}'s place in the rotation, or null if it has left. Any thread. */
        private Member memberOf(ProcessLink link) {
            for (Member m : members) {
                if (m.link == link) {
                    return m;
                }
            }
            return null;
        }

        /** Under the registry's monitor: stops the poller (which closes the descriptor) or closes it. */
        private void close() {
            closed = true;
            if (poller != null) {
                LockSupport.unpark(poller);
                if (Thread.currentThread() != poller) {
                    try {
                        poller.join(5_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            } else {
                NativeSockets.closeQuietly(fd);
            }
        }

        // ---------------------------------------------------------------- poller thread

        private void pollLoop() {
            long seq = 0;
            int cursor = 0;
            long pause = 50_000L;
            try {
                while (!closed) {
                    int ready = NativeSockets.poll(fd, NativeSockets.POLLIN, POLL_MILLIS);
                    if ((ready & NativeSockets.POLLIN) == 0) {
                        continue;
                    }
                    Member[] m = members;
                    Member chosen = null;
                    for (int i = 0; i < m.length && chosen == null; i++) {
                        Member c = m[Math.floorMod(cursor++, m.length)];
                        if (c.ready && c.outstanding == 0 && c.load < backlog) {
                            chosen = c;
                        }
                    }
                    if (chosen == null) { // every child is busy: the kernel's queue holds the connection
                        LockSupport.parkNanos(pause);
                        pause = Math.min(pause * 2, 5_000_000L);
                        continue;
                    }
                    pause = 50_000L;
                    long turn = ++seq;
                    chosen.outstanding = turn;
                    if (!chosen.link.grantTurn(turn)) {
                        chosen.outstanding = 0;
                        continue;
                    }
                    long deadline = System.nanoTime() + ACK_WAIT_NANOS;
                    long left;
                    while (chosen.outstanding == turn && !closed && isMember(chosen)
                            && (left = deadline - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(this, left);
                    }
                    // no answer in time: that child keeps its turn (and is skipped) until it answers
                }
            } catch (IOException e) {
                System.getLogger("dev.loomcluster").log(System.Logger.Level.ERROR,
                        "polling the shared socket " + address + " failed; it takes no more connections", e);
            } finally {
                NativeSockets.closeQuietly(fd);
            }
        }

        private boolean isMember(Member x) {
            for (Member m : members) {
                if (m == x) {
                    return true;
                }
            }
            return false;
        }
    }
}
