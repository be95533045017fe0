package dev.loomcluster.internal.process;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The few Linux socket calls the process mode needs and the JDK does not offer, bound with the FFM API:
 * a TCP listening socket whose descriptor number is known, {@code AF_UNIX} stream sockets on a path,
 * passing one descriptor with a small payload over such a socket ({@code SCM_RIGHTS}), {@code dup2},
 * {@code poll} on one descriptor, {@code O_NONBLOCK}, peer credentials ({@code SO_PEERCRED}) and plain
 * byte send/receive on a descriptor.
 *
 * <p>Descriptors are plain {@code int}s owned by the caller, who closes each exactly once with
 * {@link #close}. Every descriptor this class creates (including received ones) is close-on-exec, so none
 * leaks into a later child process; {@code dup2} clears that flag on its target, as a child needs for fd 0.
 * A failed call throws an {@link IOException} naming the call, the descriptor and {@code strerror(errno)};
 * {@code EINTR} is retried where the call can be repeated.
 *
 * <p>Supported on Linux x86_64 and aarch64 only (glibc or musl; both use the generic LP64 layouts below);
 * {@link #isSupported()} says so without touching native code, and every other method throws
 * {@link UnsupportedOperationException} naming the platform elsewhere. The calls are restricted FFM
 * methods: the JVM needs {@code --enable-native-access=dev.loomcluster} (module path) or
 * {@code --enable-native-access=ALL-UNNAMED} (class path), or it warns on first use.
 *
 * <p>Stateless; any thread. Blocking calls ({@link #accept} on a blocking socket, {@link #receiveFd},
 * {@link #receive}, {@link #poll}) block the calling OS thread: call them from platform threads, never from
 * a worker's loop (on a virtual thread they pin its carrier). Each call allocates its native structs in a
 * confined arena freed before it returns.
 */
public final class NativeSockets {

    /** {@code poll} event: data to read, or a connection to accept on a listening socket. */
    public static final int POLLIN = 0x001;
    /** {@code poll} event: an error is pending on the socket (always reported). */
    public static final int POLLERR = 0x008;
    /** {@code poll} event: hang-up (always reported). */
    public static final int POLLHUP = 0x010;

    /** The largest payload {@link #sendFd} accepts and {@link #receiveFd} decodes, in bytes. */
    public static final int MAX_PAYLOAD = 4096;

    /** Bytes of {@code sun_path} available for a path: 108 minus the terminating NUL. */
    public static final int MAX_UNIX_PATH_BYTES = 107;

    private static final String OS = System.getProperty("os.name", "?");
    private static final String ARCH = System.getProperty("os.arch", "?");
    private static final boolean PLATFORM_SUPPORTED = OS.equals("Linux")
            && (ARCH.equals("amd64") || ARCH.equals("x86_64") || ARCH.equals("aarch64"));

    // Linux constants; x86_64 and aarch64 share them (asm-generic values, which x86_64 matches for these).
    private static final int AF_UNIX = 1;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 0x80000;        // 02000000, = O_CLOEXEC
    private static final int SOL_SOCKET = 1;
    private static final int SO_REUSEADDR = 2;
    private static final int SO_PEERCRED = 17;
    private static final int SCM_RIGHTS = 1;
    private static final int MSG_CTRUNC = 0x8;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;
    private static final int POLLNVAL = 0x020;
    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;
    private static final int O_NONBLOCK = 0x800;            // 04000
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;                   // = EWOULDBLOCK
    private static final int ENOENT = 2;
    private static final int ECONNREFUSED = 111;
    private static final int ECONNABORTED = 103;
    private static final int EADDRINUSE = 98;

    /** Descriptors one {@link #receiveFd} makes room for, so that a peer sending too many is seen, not truncated. */
    private static final int MAX_FDS_SEEN = 8;
    /** The frame header {@link #sendFd} writes before the payload: its length, a big-endian int. */
    private static final int HEADER_BYTES = 4;

    private NativeSockets() {
    }

    /** A listening TCP socket: its descriptor and the address it is bound to (the real port if 0 was asked). */
    public record ListeningSocket(int fd, InetSocketAddress localAddress) {
        public ListeningSocket {
            Objects.requireNonNull(localAddress, "localAddress");
        }
    }

    /** A descriptor received with {@link #receiveFd}, owned by the receiver, and the payload sent with it. */
    public record ReceivedFd(int fd, byte[] payload) {
        public ReceivedFd {
            payload = payload.clone();
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }
    }

    /** The credentials of the process at the other end of a Unix socket when it connected ({@code struct ucred}). */
    public record PeerCredentials(long pid, int uid, int gid) {
    }

    /** Whether this platform is Linux on x86_64 or aarch64, the only one this class supports. Touches no native code. */
    public static boolean isSupported() {
        return PLATFORM_SUPPORTED;
    }

    /**
     * Throws {@link UnsupportedOperationException} naming the platform unless {@link #isSupported()}.
     *
     * @param feature what needs the support, for the message (e.g. "process mode's shared sockets")
     */
    public static void requireSupported(String feature) {
        if (!PLATFORM_SUPPORTED) {
            throw new UnsupportedOperationException(feature + " needs Linux on x86_64 or aarch64 (descriptor passing"
                    + " with SCM_RIGHTS through the FFM API); this JVM runs on " + OS + " " + ARCH);
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // TCP

    /**
     * A listening TCP socket bound to {@code address} (IPv4 or IPv6) with {@code SO_REUSEADDR}, blocking.
     *
     * @throws BindException if the address is in use or cannot be bound
     */
    public static ListeningSocket listenTcp(InetSocketAddress address, int backlog) throws IOException {
        requireSupported("listenTcp");
        if (address.isUnresolved()) {
            throw new UnknownHostException("listenTcp: unresolved address " + address);
        }
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be positive: " + backlog);
        }
        InetAddress ip = address.getAddress();
        int family = ip instanceof Inet6Address ? AF_INET6 : AF_INET;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CAPTURE);
            int fd = Libc.socket(state, family, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw failure("socket(AF_INET" + (family == AF_INET6 ? "6" : "") + ")", -1, state);
            }
            try {
                MemorySegment one = arena.allocateFrom(JAVA_INT, 1);
                if (Libc.setsockopt(state, fd, SOL_SOCKET, SO_REUSEADDR, one, (int) JAVA_INT.byteSize()) < 0) {
                    throw failure("setsockopt(SO_REUSEADDR)", fd, state);
                }
                MemorySegment sa = family == AF_INET6 ? Layouts.sockaddrIn6(arena, (Inet6Address) ip, address.getPort())
                        : Layouts.sockaddrIn(arena, (Inet4Address) ip, address.getPort());
                if (Libc.bind(state, fd, sa, (int) sa.byteSize()) < 0) {
                    throw failure("bind(" + address + ")", fd, state);
                }
                if (Libc.listen(state, fd, backlog) < 0) {
                    throw failure("listen", fd, state);
                }
                return new ListeningSocket(fd, localAddress(fd));
            } catch (IOException | RuntimeException | Error e) {
                closeQuietly(fd);
                throw e;
            }
        }
    }

    /** The local address of a TCP socket ({@code getsockname}). */
    public static InetSocketAddress localAddress(int fd) throws IOException {
        requireSupported("localAddress");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CAPTURE);
            MemorySegment storage = arena.allocate(Layouts.SOCKADDR_STORAGE_BYTES, 8);
            MemorySegment len = arena.allocateFrom(JAVA_INT, (int) storage.byteSize());
            if (Libc.getsockname(state, fd, storage, len) < 0) {
                throw failure("getsockname", fd, state);
            }
            return Layouts.readInetAddress(storage, len.get(JAVA_INT, 0));
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // AF_UNIX

    /**
     * A blocking {@code AF_UNIX} stream socket bound to {@code path} and listening. The path must not exist;
     * the caller unlinks it (e.g. with {@link java.nio.file.Files#deleteIfExists}) when no more peers should
     * connect: the socket keeps working without its name.
     */
    public static int listenUnix(Path path, int backlog) throws IOException {
        requireSupported("listenUnix");
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be positive: " + backlog);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CAPTURE);
            MemorySegment sa = Layouts.sockaddrUn(arena, path);
            int fd = unixSocket(state);
            try {
                if (Libc.bind(state, fd, sa, (int) sa.byteSize()) < 0) {
                    throw failure("bind(" + path + ")", fd, state);
                }
                if (Libc.listen(state, fd, backlog) < 0) {
                    throw failure("listen(" + path + ")", fd, state);
                }
                return fd;
            } catch (IOException | RuntimeException | Error e) {
                closeQuietly(fd);
                throw e;
            }
        }
    }

    /**
     * A blocking {@code AF_UNIX} stream socket connected to {@code path}.
     *
     * @throws ConnectException if nothing listens there (the message names the path and errno text)
     */
    public static int connectUnix(Path path) throws IOException {
        requireSupported("connectUnix");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CAPTURE);
            MemorySegment sa = Layouts.sockaddrUn(arena, path);
            int fd = unixSocket(state);
            try {
                if (Libc.connect(state, fd, sa, (int) sa.byteSize()) < 0) {
                    throw failure("connect(" + path + ")", fd, state);
                }
                return fd;
            } catch (IOException | RuntimeException | Error e) {
                closeQuietly(fd);
                throw e;
            }
        }
    }

    private static int unixSocket(MemorySegment state) throws IOException {
        int fd = Libc.socket(state, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw failure("socket(AF_UNIX)", -1, state);
        }
        return fd;
    }

    /**
     * Accepts a connection on a listening socket (TCP or Unix), close-on-exec and blocking.
     *
     * @return the connected descriptor, or {@code -1} if the socket is non-blocking and nothing is queued
     */
    public static int accept(int listeningFd) throws IOException {
        requireSupported("accept");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CAPTURE);
            while (true) {
                int fd = Libc.accept4(state, listeningFd, MemorySegment.NULL, MemorySegment.NULL, SOCK_CLOEXEC);
                if (fd >= 0) {
                    return fd;
                }
                int errno = errno(state);
                if (errno == EAGAIN) {
                    return -1;
                }
                if (errno != EINTR && errno != ECONNABORTED) {
                    throw failure("accept4", listeningFd, state);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // descriptor passing

    /**
     * Sends a duplicate of {@code fdToSend} and {@code payload} as one frame over the connected {@code AF_UNIX}
     * stream socket {@code unixFd} ({@code sendmsg} with one {@code SCM_RIGHTS} message). The frame is a
     * 4-byte big-endian payload length, then the payload; the descriptor rides on its first byte. The caller
     * still owns {@code fdToSend} and may close it once this returns.
     *
     * @param payload 0 to {@link #MAX_PAYLOAD} bytes for the receiver (e.g. which address the socket is bound to)
     */
    public static void sendFd(int unixFd, int fdToSend, byte[] payload) throws IOException {
        sendFds(unixFd, new int[] {fdToSend}, payload);
    }

    /** {@link #sendFd} with any number of descriptors; package-private so tests can send a frame {@link #receiveFd} refuses. */
    static void sendFds(int unixFd, int[] fdsToSend, byte[] payload) throws IOException {
        requireSupported("sendFd");
        if (payload.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("payload of " + payload.length + " bytes exceeds " + MAX_PAYLOAD);
        }
        if (fdsToSend.length < 1 || fdsToSend.length > MAX_FDS_SEEN) {
            throw new IllegalArgumentException("between 1 and " + MAX_FDS_SEEN + " descriptors: " + fdsToSend.length);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CAPTURE);
            int total = HEADER_BYTES + payload.length;
            MemorySegment data = arena.allocate(total);
            data.set(Layouts.INT_BE, 0, payload.length);
            MemorySegment.copy(payload, 0, data, JAVA_BYTE, HEADER_BYTES, payload.length);

            long fdBytes = (long) fdsToSend.length * JAVA_INT.byteSize();
            MemorySegment control = arena.allocate(Layouts.cmsgSpace(fdBytes), Layouts.CMSG_ALIGN);
            control.set(Layouts.CMSG_LEN_T, Layouts.CMSG_LEN, Layouts.cmsgLen(fdBytes));
            control.set(JAVA_INT, Layouts.CMSG_LEVEL, SOL_SOCKET);
            control.set(JAVA_INT, Layouts.CMSG_TYPE, SCM_RIGHTS);
            for (int i = 0; i < fdsToSend.length; i++) {
                control.set(JAVA_INT, Layouts.CMSG_DATA + i * JAVA_INT.byteSize(), fdsToSend[i]);
            }
            MemorySegment msg = Layouts.msghdr(arena, data, control);
            long sent;
            do {
                sent = Libc.sendmsg(state, unixFd, msg, MSG_NOSIGNAL);
            } while (sent < 0 && errno(state) == EINTR);
            if (sent < 0) {
                throw failure("sendmsg(SCM_RIGHTS)", unixFd, state);
            }
            // A stream socket may take part of the frame; the descriptor went with its first byte.
            sendAll(state, unixFd, data, sent, total);
        }
    }

    /**
     * Receives one frame written by {@link #sendFd} on the connected, blocking {@code AF_UNIX} stream socket
     * {@code unixFd}: exactly one descriptor (close-on-exec, now owned by the caller) and its payload.
     * Anything else is refused with an {@link IOException}, after closing every descriptor that arrived: a
     * frame with no descriptor or several, truncated control data ({@code MSG_CTRUNC}), a length over
     * {@link #MAX_PAYLOAD}, or the peer closing mid-frame. After a refusal the stream is out of step with the
     * sender's frames: close the socket.
     *
     * @throws EOFException if the peer closed the socket before a frame began
     */
    public static ReceivedFd receiveFd(int unixFd) throws IOException {
        requireSupported("receiveFd");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CAPTURE);
            MemorySegment header = arena.allocate(HEADER_BYTES);
            long controlBytes = Layouts.cmsgSpace(MAX_FDS_SEEN * JAVA_INT.byteSize());
            MemorySegment control = arena.allocate(controlBytes, Layouts.CMSG_ALIGN);
            MemorySegment msg = Layouts.msghdr(arena, header, control);
            long got;
            do {
                got = Libc.recvmsg(state, unixFd, msg, MSG_CMSG_CLOEXEC);
            } while (got < 0 && errno(state) == EINTR);
            if (got < 0) {
                throw failure("recvmsg", unixFd, state);
            }
            int[] fds = Layouts.rightsIn(control, msg.get(Layouts.SIZE_T, Layouts.MSG_CONTROLLEN));
            try {
                if (got == 0) {
                    throw new EOFException("recvmsg(fd " + unixFd + "): peer closed the socket before sending a descriptor");
                }
                if ((msg.get(JAVA_INT, Layouts.MSG_FLAGS) & MSG_CTRUNC) != 0) {
                    throw new IOException("recvmsg(fd " + unixFd + "): control data truncated (MSG_CTRUNC): the peer sent"
                            + " more than " + MAX_FDS_SEEN + " descriptors or other control messages");
                }
                if (fds.length != 1) {
                    throw new IOException("recvmsg(fd " + unixFd + "): expected one descriptor (SCM_RIGHTS), received "
                            + fds.length);
                }
                receiveAll(state, unixFd, header, got, HEADER_BYTES);
                int length = header.get(Layouts.INT_BE, 0);
                if (length < 0 || length > MAX_PAYLOAD) {
                    throw new IOException("recvmsg(fd " + unixFd + "): frame announces a payload of " + length
                            + " bytes; the limit is " + MAX_PAYLOAD);
                }
                MemorySegment payload = arena.allocate(Math.max(1, length));
                receiveAll(state, unixFd, payload, 0, length);
                return new ReceivedFd(fds[0], payload.asSlice(0, length).toArray(JAVA_BYTE));
            } catch (IOException | RuntimeException | Error e) {
                for (int fd : fds) {
                    closeQuietly(fd);
                }
                throw e;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // plain bytes (turn messages on a Unix socket created here)

    /** Sends all of {@code bytes[off, off+len)} on a connected, blocking socket ({@code send}, {@code MSG_NOSIGNAL}). */
    public static void sendFully(int fd, byte[] bytes, int off, int len) throws IOException {
        requireSupported("sendFully");
        Objects.checkFromIndexSize(off, len, bytes.length);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CAPTURE);
            MemorySegment data = arena.allocate(Math.max(1, len));
            MemorySegment.copy(bytes, off, data, JAVA_BYTE, 0, len);
            sendAll(state, fd, data, 0, len);
        }
    }

    /**
     * Receives up to {@code len} bytes from a connected socket ({@code recv}), blocking until some arrive if
     * the socket is blocking.
     *
     * @return the number of bytes read, 0 if none were available on a non-blocking socket, or {@code -1} at
     *         end of stream
     */
    public static int receive(int fd, byte[] bytes, int off, int len) throws IOException {
        requireSupported("receive");
        Objects.checkFromIndexSize(off, len, bytes.length);
        if (len == 0) {
            return 0;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CAPTURE);
            MemorySegment data = arena.allocate(len);
            long n;
            do {
                n = Libc.recv(state, fd, data, len, 0);
            } while (n < 0 && errno(state) == EINTR);
            if (n < 0) {
                if (errno(state) == EAGAIN) {
                    return 0;
                }
                throw failure("recv", fd, state);
            }
            if (n == 0) {
                return -1;
            }
            MemorySegment.copy(data, JAVA_BYTE, 0, bytes, off, (int) n);
            return (int) n;
        }
    }

    private static void sendAll(MemorySegment state, int fd, MemorySegment data, long from, long to) throws IOException {
        long at = from;
        while (at < to) {
            long n = Libc.send(state, fd, data.asSlice(at), to - at, MSG_NOSIGNAL);
            if (n < 0) {
                if (errno(state) == EINTR) {
                    continue;
                }
                throw failure("send", fd, state);
            }
            at += n;
        }
    }

    private static void receiveAll(MemorySegment state, int fd, MemorySegment into, long from, long to) throws IOException {
        long at = from;
        while (at < to) {
            long n = Libc.recv(state, fd, into.asSlice(at), to - at, 0);
            if (n < 0) {
                if (errno(state) == EINTR) {
                    continue;
                }
                throw failure("recv", fd, state);
            }
            if (n == 0) {
                throw new EOFException("recv(fd " + fd + "): peer closed the socket mid-frame, after " + at + " of "
                        + to + " bytes");
            }
            at += n;
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // descriptors

    /** {@code dup2(oldFd, newFd)}: makes {@code newFd} refer to {@code oldFd}'s socket (closing what it was); clears close-on-exec. */
    public static void dup2(int oldFd, int newFd) throws IOException {
        requireSupported("dup2");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CAPTURE);
            int r;
            do {
                r = Libc.dup2(state, oldFd, newFd);
            } while (r < 0 && errno(state) == EINTR);
            if (r < 0) {
                throw failure("dup2(" + oldFd + ", " + newFd + ")", oldFd, state);
            }
        }
    }

    /** Closes {@code fd}. Not retried on {@code EINTR}: Linux has released the descriptor by then. */
    public static void close(int fd) throws IOException {
        requireSupported("close");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CAPTURE);
            if (Libc.close(state, fd) < 0 && errno(state) != EINTR) {
                throw failure("close", fd, state);
            }
        }
    }

    /** {@link #close} that ignores failures and negative descriptors, for cleanup paths. */
    public static void closeQuietly(int fd) {
        if (fd < 0) {
            return;
        }
        try {
            close(fd);
        } catch (IOException ignored) {
            // nothing to do: the descriptor is gone either way
        }
    }

    /**
     * Waits until {@code fd} is ready for {@code events} ({@link #POLLIN}) or {@code timeoutMillis} pass
     * ({@code -1}: no limit; {@code 0}: do not wait). Closing {@code fd} from another thread does not wake
     * this call on Linux: callers that must stop promptly use a bounded timeout and check their own state.
     *
     * @return the events that occurred ({@link #POLLIN}, {@link #POLLERR}, {@link #POLLHUP}), 0 on timeout
     * @throws IOException if poll fails, or {@code fd} is not open ({@code POLLNVAL})
     */
    public static int poll(int fd, int events, int timeoutMillis) throws IOException {
        requireSupported("poll");
        if (fd < 0) {
            throw new IllegalArgumentException("poll: negative descriptor " + fd + " (poll would ignore it and wait)");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CAPTURE);
            MemorySegment pfd = arena.allocate(Layouts.POLLFD);
            pfd.set(JAVA_INT, Layouts.POLLFD_FD, fd);
            pfd.set(JAVA_SHORT, Layouts.POLLFD_EVENTS, (short) events);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMillis));
            int wait = timeoutMillis;
            while (true) {
                int r = Libc.poll(state, pfd, 1, wait);
                if (r > 0) {
                    int revents = pfd.get(JAVA_SHORT, Layouts.POLLFD_REVENTS) & 0xffff;
                    if ((revents & POLLNVAL) != 0) {
                        throw new IOException("poll(fd " + fd + "): descriptor is not open (POLLNVAL)");
                    }
                    return revents;
                }
                if (r == 0) {
                    return 0;
                }
                if (errno(state) != EINTR) {
                    throw failure("poll", fd, state);
                }
                if (timeoutMillis > 0) {
                    wait = (int) Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
                }
            }
        }
    }

    /**
     * Sets or clears {@code O_NONBLOCK} on {@code fd}. The flag belongs to the open file, which a passed or
     * duplicated descriptor shares: setting it in one process sets it for every process holding the socket.
     */
    public static void setNonBlocking(int fd, boolean nonBlocking) throws IOException {
        requireSupported("setNonBlocking");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CAPTURE);
            int flags = Libc.fcntl(state, fd, F_GETFL, 0);
            if (flags < 0) {
                throw failure("fcntl(F_GETFL)", fd, state);
            }
            int wanted = nonBlocking ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
            if (wanted != flags && Libc.fcntl(state, fd, F_SETFL, wanted) < 0) {
                throw failure("fcntl(F_SETFL)", fd, state);
            }
        }
    }

    /** The credentials of the peer of a connected {@code AF_UNIX} socket, taken when it connected ({@code SO_PEERCRED}). */
    public static PeerCredentials peerCredentials(int unixFd) throws IOException {
        requireSupported("peerCredentials");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CAPTURE);
            MemorySegment cred = arena.allocate(Layouts.UCRED);
            MemorySegment len = arena.allocateFrom(JAVA_INT, (int) Layouts.UCRED.byteSize());
            if (Libc.getsockopt(state, unixFd, SOL_SOCKET, SO_PEERCRED, cred, len) < 0) {
                throw failure("getsockopt(SO_PEERCRED)", unixFd, state);
            }
            return new PeerCredentials(cred.get(JAVA_INT, Layouts.UCRED_PID), cred.get(JAVA_INT, Layouts.UCRED_UID),
                    cred.get(JAVA_INT, Layouts.UCRED_GID));
        }
    }

    /** This process's real user id ({@code getuid}), to compare with {@link PeerCredentials#uid()}. */
    public static int currentUid() {
        requireSupported("currentUid");
        return Libc.getuid();
    }

    // ------------------------------------------------------------------------------------------------------
    // errors

    private static int errno(MemorySegment state) {
        return state.get(JAVA_INT, Libc.ERRNO_OFFSET);
    }

    private static IOException failure(String call, int fd, MemorySegment state) {
        int errno = errno(state);
        String message = call + (fd >= 0 ? " on fd " + fd : "") + " failed: " + Libc.strerror(errno)
                + " (errno " + errno + ")";
        return switch (errno) {
            case EADDRINUSE -> new BindException(message);
            case ECONNREFUSED, ENOENT -> call.startsWith("connect") ? new ConnectException(message) : new IOException(message);
            default -> new IOException(message);
        };
    }

    // ------------------------------------------------------------------------------------------------------

    /**
     * Struct layouts of Linux LP64 (x86_64 and aarch64 agree on all of them), from the glibc/kernel headers
     * named on each. Offsets are computed from the layouts, never written by hand.
     */
    private static final class Layouts {
        static final ValueLayout.OfLong SIZE_T = JAVA_LONG;
        static final ValueLayout.OfInt INT_BE = JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN).withByteAlignment(1);
        static final ValueLayout.OfShort SHORT_BE = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);

        /** {@code struct iovec} (sys/uio.h): {@code void *iov_base; size_t iov_len;}. */
        static final StructLayout IOVEC = MemoryLayout.structLayout(
                ADDRESS.withName("iov_base"),
                SIZE_T.withName("iov_len"));

        /**
         * {@code struct msghdr} (glibc bits/socket.h): {@code void *msg_name; socklen_t msg_namelen; struct iovec
         * *msg_iov; size_t msg_iovlen; void *msg_control; size_t msg_controllen; int msg_flags;}, with the
         * padding LP64 alignment puts after the two 4-byte fields.
         */
        static final StructLayout MSGHDR = MemoryLayout.structLayout(
                ADDRESS.withName("msg_name"),
                JAVA_INT.withName("msg_namelen"),
                MemoryLayout.paddingLayout(4),
                ADDRESS.withName("msg_iov"),
                SIZE_T.withName("msg_iovlen"),
                ADDRESS.withName("msg_control"),
                SIZE_T.withName("msg_controllen"),
                JAVA_INT.withName("msg_flags"),
                MemoryLayout.paddingLayout(4));
        static final long MSG_IOV = MSGHDR.byteOffset(PathElement.groupElement("msg_iov"));
        static final long MSG_IOVLEN = MSGHDR.byteOffset(PathElement.groupElement("msg_iovlen"));
        static final long MSG_CONTROL = MSGHDR.byteOffset(PathElement.groupElement("msg_control"));
        static final long MSG_CONTROLLEN = MSGHDR.byteOffset(PathElement.groupElement("msg_controllen"));
        static final long MSG_FLAGS = MSGHDR.byteOffset(PathElement.groupElement("msg_flags"));

        /** {@code struct cmsghdr} (bits/socket.h): {@code size_t cmsg_len; int cmsg_level; int cmsg_type;}, then data. */
        static final StructLayout CMSGHDR = MemoryLayout.structLayout(
                SIZE_T.withName("cmsg_len"),
                JAVA_INT.withName("cmsg_level"),
                JAVA_INT.withName("cmsg_type"));
        static final ValueLayout.OfLong CMSG_LEN_T = SIZE_T;
        static final long CMSG_LEN = CMSGHDR.byteOffset(PathElement.groupElement("cmsg_len"));
        static final long CMSG_LEVEL = CMSGHDR.byteOffset(PathElement.groupElement("cmsg_level"));
        static final long CMSG_TYPE = CMSGHDR.byteOffset(PathElement.groupElement("cmsg_type"));
        /** {@code CMSG_ALIGN}: control messages are aligned to {@code sizeof(size_t)}. */
        static final long CMSG_ALIGN = SIZE_T.byteSize();
        /** {@code CMSG_DATA(c) - (unsigned char *) c}: the header rounded up by {@code CMSG_ALIGN}. */
        static final long CMSG_DATA = align(CMSGHDR.byteSize());

        /** {@code struct sockaddr_un} (sys/un.h): {@code sa_family_t sun_family; char sun_path[108];}. */
        static final StructLayout SOCKADDR_UN = MemoryLayout.structLayout(
                JAVA_SHORT.withName("sun_family"),
                MemoryLayout.sequenceLayout(108, JAVA_BYTE).withName("sun_path"));
        static final long SUN_PATH = SOCKADDR_UN.byteOffset(PathElement.groupElement("sun_path"));

        /** {@code struct sockaddr_in} (netinet/in.h): family, port and address in network order, 8 zero bytes. */
        static final StructLayout SOCKADDR_IN = MemoryLayout.structLayout(
                JAVA_SHORT.withName("sin_family"),
                SHORT_BE.withName("sin_port"),
                MemoryLayout.sequenceLayout(4, JAVA_BYTE).withName("sin_addr"),
                MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("sin_zero"));
        static final long SIN_PORT = SOCKADDR_IN.byteOffset(PathElement.groupElement("sin_port"));
        static final long SIN_ADDR = SOCKADDR_IN.byteOffset(PathElement.groupElement("sin_addr"));

        /** {@code struct sockaddr_in6} (netinet/in.h): family, port, flow info, 16-byte address, scope id. */
        static final StructLayout SOCKADDR_IN6 = MemoryLayout.structLayout(
                JAVA_SHORT.withName("sin6_family"),
                SHORT_BE.withName("sin6_port"),
                JAVA_INT.withName("sin6_flowinfo"),
                MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("sin6_addr"),
                JAVA_INT.withName("sin6_scope_id"));
        static final long SIN6_PORT = SOCKADDR_IN6.byteOffset(PathElement.groupElement("sin6_port"));
        static final long SIN6_ADDR = SOCKADDR_IN6.byteOffset(PathElement.groupElement("sin6_addr"));
        static final long SIN6_SCOPE_ID = SOCKADDR_IN6.byteOffset(PathElement.groupElement("sin6_scope_id"));

        /** {@code sizeof(struct sockaddr_storage)} (bits/socket.h), enough for any address getsockname returns. */
        static final long SOCKADDR_STORAGE_BYTES = 128;

        /** {@code struct pollfd} (poll.h): {@code int fd; short events; short revents;}. */
        static final StructLayout POLLFD = MemoryLayout.structLayout(
                JAVA_INT.withName("fd"),
                JAVA_SHORT.withName("events"),
                JAVA_SHORT.withName("revents"));
        static final long POLLFD_FD = POLLFD.byteOffset(PathElement.groupElement("fd"));
        static final long POLLFD_EVENTS = POLLFD.byteOffset(PathElement.groupElement("events"));
        static final long POLLFD_REVENTS = POLLFD.byteOffset(PathElement.groupElement("revents"));

        /** {@code struct ucred} (bits/socket.h, _GNU_SOURCE): {@code pid_t pid; uid_t uid; gid_t gid;}. */
        static final StructLayout UCRED = MemoryLayout.structLayout(
                JAVA_INT.withName("pid"),
                JAVA_INT.withName("uid"),
                JAVA_INT.withName("gid"));
        static final long UCRED_PID = UCRED.byteOffset(PathElement.groupElement("pid"));
        static final long UCRED_UID = UCRED.byteOffset(PathElement.groupElement("uid"));
        static final long UCRED_GID = UCRED.byteOffset(PathElement.groupElement("gid"));

        static long align(long n) {
            return (n + CMSG_ALIGN - 1) & -CMSG_ALIGN;
        }

        /** {@code CMSG_LEN(n)}. */
        static long cmsgLen(long dataBytes) {
            return CMSG_DATA + dataBytes;
        }

        /** {@code CMSG_SPACE(n)}. */
        static long cmsgSpace(long dataBytes) {
            return CMSG_DATA + align(dataBytes);
        }

        /** A msghdr with no name, one iovec over {@code data} and {@code control} as its control buffer. */
        static MemorySegment msghdr(Arena arena, MemorySegment data, MemorySegment control) {
            MemorySegment iov = arena.allocate(IOVEC);
            iov.set(ADDRESS, IOVEC.byteOffset(PathElement.groupElement("iov_base")), data);
            iov.set(SIZE_T, IOVEC.byteOffset(PathElement.groupElement("iov_len")), data.byteSize());
            MemorySegment msg = arena.allocate(MSGHDR);     // zeroed: msg_name NULL, msg_namelen 0, msg_flags 0
            msg.set(ADDRESS, MSG_IOV, iov);
            msg.set(SIZE_T, MSG_IOVLEN, 1L);
            msg.set(ADDRESS, MSG_CONTROL, control);
            msg.set(SIZE_T, MSG_CONTROLLEN, control.byteSize());
            return msg;
        }

        /** Every descriptor in the {@code SCM_RIGHTS} messages of {@code control}'s first {@code length} bytes. */
        static int[] rightsIn(MemorySegment control, long length) {
            int[] fds = new int[0];
            long at = 0;
            long end = Math.min(length, control.byteSize());
            while (at + CMSGHDR.byteSize() <= end) {
                long len = control.get(CMSG_LEN_T, at + CMSG_LEN);
                if (len < CMSG_DATA || at + len > end) {
                    break;
                }
                if (control.get(JAVA_INT, at + CMSG_LEVEL) == SOL_SOCKET
                        && control.get(JAVA_INT, at + CMSG_TYPE) == SCM_RIGHTS) {
                    int n = (int) ((len - CMSG_DATA) / JAVA_INT.byteSize());
                    int from = fds.length;
                    fds = Arrays.copyOf(fds, from + n);
                    for (int i = 0; i < n; i++) {
                        fds[from + i] = control.get(JAVA_INT, at + CMSG_DATA + i * JAVA_INT.byteSize());
                    }
                }
                at += align(len);
            }
            return fds;
        }

        static MemorySegment sockaddrUn(Arena arena, Path path) throws IOException {
            byte[] bytes = path.toString().getBytes(StandardCharsets.UTF_8);
            if (bytes.length == 0 || bytes.length > MAX_UNIX_PATH_BYTES) {
                throw new IOException("Unix socket path is " + bytes.length + " bytes; sun_path holds 1 to "
                        + MAX_UNIX_PATH_BYTES + ": " + path);
            }
            MemorySegment sa = arena.allocate(SUN_PATH + bytes.length + 1L, 2);     // zeroed: path ends in NUL
            sa.set(JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(bytes, 0, sa, JAVA_BYTE, SUN_PATH, bytes.length);
            return sa;
        }

        static MemorySegment sockaddrIn(Arena arena, Inet4Address ip, int port) {
            MemorySegment sa = arena.allocate(SOCKADDR_IN);
            sa.set(JAVA_SHORT, 0, (short) AF_INET);
            sa.set(SHORT_BE, SIN_PORT, (short) port);
            MemorySegment.copy(ip.getAddress(), 0, sa, JAVA_BYTE, SIN_ADDR, 4);
            return sa;
        }

        static MemorySegment sockaddrIn6(Arena arena, Inet6Address ip, int port) {
            MemorySegment sa = arena.allocate(SOCKADDR_IN6);
            sa.set(JAVA_SHORT, 0, (short) AF_INET6);
            sa.set(SHORT_BE, SIN6_PORT, (short) port);
            MemorySegment.copy(ip.getAddress(), 0, sa, JAVA_BYTE, SIN6_ADDR, 16);
            sa.set(JAVA_INT, SIN6_SCOPE_ID, ip.getScopeId());
            return sa;
        }

        static InetSocketAddress readInetAddress(MemorySegment sa, int length) throws IOException {
            int family = sa.get(JAVA_SHORT, 0);
            if (family == AF_INET && length >= SOCKADDR_IN.byteSize()) {
                byte[] ip = sa.asSlice(SIN_ADDR, 4).toArray(JAVA_BYTE);
                return new InetSocketAddress(InetAddress.getByAddress(ip), sa.get(SHORT_BE, SIN_PORT) & 0xffff);
            }
            if (family == AF_INET6 && length >= SOCKADDR_IN6.byteSize()) {
                byte[] ip = sa.asSlice(SIN6_ADDR, 16).toArray(JAVA_BYTE);
                int scope = sa.get(JAVA_INT, SIN6_SCOPE_ID);
                InetAddress address = scope != 0 ? Inet6Address.getByAddress(null, ip, scope) : InetAddress.getByAddress(ip);
                return new InetSocketAddress(address, sa.get(SHORT_BE, SIN6_PORT) & 0xffff);
            }
            throw new IOException(String.format(Locale.ROOT, "getsockname: not an IP address (family %d, %d bytes)",
                    family, length));
        }
    }

    /**
     * The libc functions, linked on first use (only on a supported platform). Linking and reading
     * {@code strerror}'s text are the restricted FFM methods that need native access.
     */
    @SuppressWarnings("restricted")
    private static final class Libc {
        static final Linker LINKER = Linker.nativeLinker();
        static final SymbolLookup LIBC = LINKER.defaultLookup();
        static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
        static final long ERRNO_OFFSET = CAPTURE.byteOffset(PathElement.groupElement("errno"));
        static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");

        static final MethodHandle SOCKET = errnoCall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        static final MethodHandle SETSOCKOPT = errnoCall("setsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle GETSOCKOPT = errnoCall("getsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        static final MethodHandle BIND = errnoCall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle CONNECT = errnoCall("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle LISTEN = errnoCall("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        static final MethodHandle ACCEPT4 = errnoCall("accept4",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
        static final MethodHandle GETSOCKNAME = errnoCall("getsockname",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        static final MethodHandle SENDMSG = errnoCall("sendmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle RECVMSG = errnoCall("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle SEND = errnoCall("send",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
        static final MethodHandle RECV = errnoCall("recv",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
        static final MethodHandle DUP2 = errnoCall("dup2", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        static final MethodHandle CLOSE = errnoCall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        static final MethodHandle POLL = errnoCall("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
        /** {@code int fcntl(int fd, int cmd, ...)}: variadic from its third argument, passed as an int. */
        static final MethodHandle FCNTL = LINKER.downcallHandle(symbol("fcntl"),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), ERRNO, Linker.Option.firstVariadicArg(2));
        static final MethodHandle GETUID = LINKER.downcallHandle(symbol("getuid"), FunctionDescriptor.of(JAVA_INT));
        /** glibc's and musl's strerror return static text for known errnos (thread-safe since glibc 2.32). */
        static final MethodHandle STRERROR = LINKER.downcallHandle(symbol("strerror"), FunctionDescriptor.of(ADDRESS, JAVA_INT));

        private static MemorySegment symbol(String name) {
            return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        }

        private static MethodHandle errnoCall(String name, FunctionDescriptor descriptor) {
            return LINKER.downcallHandle(symbol(name), descriptor, ERRNO);
        }

        static int socket(MemorySegment st, int domain, int type, int protocol) {
            try {
                return (int) SOCKET.invokeExact(st, domain, type, protocol);
            } catch (Throwable t) {
                throw unexpected(t);
            }
        }

        static int setsockopt(MemorySegment st, int fd, int level, int name, MemorySegment value, int length) {
            try {
                return (int) SETSOCKOPT.invokeExact(st, fd, level, name, value, length);
            } catch (Throwable t) {
                throw unexpected(t);
            }
        }

        static int getsockopt(MemorySegment st, int fd, int level, int name, MemorySegment value, MemorySegment length) {
            try {
                return (int) GETSOCKOPT.invokeExact(st, fd, level, name, value, length);
            } catch (Throwable t) {
                throw unexpected(t);
            }
        }

        static int bind(MemorySegment st, int fd, MemorySegment address, int length) {
            try {
                return (int) BIND.invokeExact(st, fd, address, length);
            } catch (Throwable t) {
                throw unexpected(t);
            }
        }

        static int connect(MemorySegment st, int fd, MemorySegment address, int length) {
            try {
                return (int) CONNECT.invokeExact(st, fd, address, length);
            } catch (Throwable t) {
                throw unexpected(t);
            }
        }

        static int listen(MemorySegment st, int fd, int backlog) {
            try {
                return (int) LISTEN.invokeExact(st, fd, backlog);
            } catch (Throwable t) {
                throw unexpected(t);
            }
        }

        static int accept4(MemorySegment st, int fd, MemorySegment address, MemorySegment length, int flags) {
            try {
                return (int) ACCEPT4.invokeExact(st, fd, address, length, flags);
            } catch (Throwable t) {
                throw unexpected(t);
            }
        }

        static int getsockname(MemorySegment st, int fd, MemorySegment address, MemorySegment length) {
            try {
                return (int) GETSOCKNAME.invokeExact(st, fd, address, length);
            } catch (Throwable t) {
                throw unexpected(t);
            }
        }

        static long sendmsg(MemorySegment st, int fd, MemorySegment msg, int flags) {
            try {
                return (long) SENDMSG.invokeExact(st, fd, msg, flags);
            } catch (Throwable t) {
                throw unexpected(t);
            }
        }

        static long recvmsg(MemorySegment st, int fd, MemorySegment msg, int flags) {
            try {
                return (long) RECVMSG.invokeExact(st, fd, msg, flags);
            } catch (Throwable t) {
                throw unexpected(t);
            }
        }

        static long send(MemorySegment st, int fd, MemorySegment data, long length, int flags) {
            try {
                return (long) SEND.invokeExact(st, fd, data, length, flags);
            } catch (Throwable t) {
                throw unexpected(t);
            }
        }

        static long recv(MemorySegment st, int fd, MemorySegment data, long length, int flags) {
            try {
                return (long) RECV.invokeExact(st, fd, data, length, flags);
            } catch (Throwable t) {
                throw unexpected(t);
            }
        }

        static int dup2(MemorySegment st, int oldFd, int newFd) {
            try {
                return (int) DUP2.invokeExact(st, oldFd, newFd);
            } catch (Throwable t) {
                throw unexpected(t);
            }
        }

        static int close(MemorySegment st, int fd) {
            try {
                return (int) CLOSE.invokeExact(st, fd);
            } catch (Throwable t) {
                throw unexpected(t);
            }
        }

        static int poll(MemorySegment st, MemorySegment fds, long count, int timeoutMillis) {
            try {
                return (int) POLL.invokeExact(st, fds, count, timeoutMillis);
            } catch (Throwable t) {
                throw unexpected(t);
            }
        }

        static int fcntl(MemorySegment st, int fd, int cmd, int arg) {
            try {
                return (int) FCNTL.invokeExact(st, fd, cmd, arg);
            } catch (Throwable t) {
                throw unexpected(t);
            }
        }

        static int getuid() {
            try {
                return (int) GETUID.invokeExact();
            } catch (Throwable t) {
                throw unexpected(t);
            }
        }

        static String strerror(int errno) {
            try {
                MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
                return text.equals(MemorySegment.NULL) ? "errno " + errno : text.reinterpret(Long.MAX_VALUE).getString(0);
            } catch (Throwable t) {
                throw unexpected(t);
            }
        }

        private static RuntimeException unexpected(Throwable t) {
            if (t instanceof RuntimeException e) {
                throw e;
            }
            if (t instanceof Error e) {
                throw e;
            }
            return new IllegalStateException("native call failed", t);
        }
    }
}
