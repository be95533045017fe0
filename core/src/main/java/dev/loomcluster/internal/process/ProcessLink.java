package dev.loomcluster.internal.process;

import dev.loomcluster.ExitStatus;
import dev.loomcluster.internal.loop.EventLoop;
import dev.loomcluster.internal.primary.WorkerLink;
import dev.loomcluster.internal.worker.Signal;
import dev.loomcluster.internal.worker.Uplink;
import dev.loomcluster.internal.worker.WorkerSpec;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A worker that is a child JVM. The constructor (on the forking thread) makes the child's Unix socket in
 * the pool's private directory and launches the child; {@link #start()} (primary loop) starts this link's
 * thread, which accepts the child's connection and checks it (same user by {@code SO_PEERCRED}, then the
 * random token the child got in its environment). From then on the pool's primary loop reads the child's
 * frames itself (an {@link EventLoop.IoHandle} on its selector, as Node's primary reads its IPC pipes),
 * turning them into {@link Signal}s and messages on the worker's {@link Uplink} in order: a message from
 * the child reaches the pool's listeners with no thread hand-off. The link thread meanwhile does what may
 * block: a child's request to listen (binding, passing the descriptor), and, once the channel ends, waiting
 * for the process and posting {@code disconnected} and {@code exited} with the real exit status. Messages
 * to the child are encoded on the sender's thread ({@link IpcChannel}).
 *
 * <p>Threads: the link thread ({@code <pool>-ipc-<id>}), the primary loop (reading frames) and the
 * channel's writer thread ({@code <pool>-ipc-<id>-out}); everything else any thread.
 */
final class ProcessLink implements WorkerLink {
    private static final System.Logger LOG = System.getLogger("dev.loomcluster");
    private static final SecureRandom TOKENS = new SecureRandom();

    /** Where the link is; moved forward only, by {@link #moveTo}. */
    enum Phase {
        /** The child is launched (or failed to launch); nothing is read yet. */
        LAUNCHED,
        /** The link thread waits for the child's connection. */
        CONNECTING,
        /** The child is connected and authenticated: frames flow, read by the primary loop. */
        CONNECTED,
        /** The channel has ended; the link thread waits for the process and reports the exit. */
        ENDED
    }

    // ---- immutable
    private final ProcessWorkers workers;
    private final WorkerSpec spec;
    private final Uplink uplink;
    private final IpcChannel ipc;
    private final String token;
    private final Path socketPath;
    private final ServerSocketChannel server;   // null if it could not be made (launchFailure says why)
    private final Process process;              // null if it could not be launched
    private final Throwable launchFailure;
    private final Thread thread;
    private final EventLoop primary;

    // ---- any thread
    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.LAUNCHED);
    private volatile ProcessServers.Server listening;   // the shared socket this child listens on, if any
    private final java.util.concurrent.atomic.AtomicLong delivered = new java.util.concurrent.atomic.AtomicLong();
    private volatile long messagesOut;                  // written by the primary loop only
    private volatile List<?> childStats = List.of();    // the child's last STATS frame
    /** From the primary loop to the link thread: LISTEN requests, then the channel's {@link End}. */
    private final LinkedBlockingQueue<Object> toLinkThread = new LinkedBlockingQueue<>();

    // ---- primary loop
    private boolean endReported;
    private final IpcChannel.Receiver receiver = IpcChannel.Receiver.of(this::onFrame, this::reportEnd);

    // ---- link thread
    private int fdListener = -1;
    private int fdChannel = -1;
    private Path fdSocketPath;

    ProcessLink(ProcessWorkers workers, WorkerSpec spec, Uplink uplink, EventLoop primary) {
        this.workers = workers;
        this.spec = spec;
        this.uplink = uplink;
        this.primary = primary;
        this.ipc = new IpcChannel(spec.loopName(), workers.codec());
        ipc.flushOn(primary); // what the pool's listeners send leaves once per batch of the primary loop
        var options = workers.options();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("id", spec.id());
        s.put("env", List.copyOf(spec.env().keySet())); // the values are in the child's real environment
        s.put("pool", spec.poolName());
        s.put("main", options.mainClass().orElseThrow().getName());
        s.put("threads", options.threads().name());
        s.put("scheduling", options.scheduling().name());
        s.put("drainGraceMillis", spec.drainGrace().toMillis());
        var idle = options.idle();
        s.put("idle", List.of(idle.spin().toNanos(), idle.yielding().toNanos(), idle.isAuto()));
        s.put("loops", workers.loops() + 1); // with this child's
        String encodedSpec = Ipc.encodeSpec(workers.codec(), s); // the child reads it from its environment
        byte[] t = new byte[32];
        TOKENS.nextBytes(t);
        this.token = HexFormat.of().formatHex(t);
        this.thread = Thread.ofPlatform().name(spec.poolName() + "-ipc-" + spec.id()).daemon(true)
                .unstarted(this::run);

        Path sock = null;
        ServerSocketChannel ch = null;
        Process p = null;
        Throwable failure = null;
        try {
            sock = workers.dir().socketPath("w" + spec.id());
            ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            ch.bind(UnixDomainSocketAddress.of(sock), 1);
            ProcessBuilder pb = new ProcessBuilder(workers.command());
            pb.environment().putAll(spec.env());
            pb.environment().put(Ipc.ENV_SOCKET, sock.toString());
            pb.environment().put(Ipc.ENV_TOKEN, token);
            pb.environment().put(Ipc.ENV_SPEC, encodedSpec);
            pb.command(workers.commandFor(pb.environment()));
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.redirectOutput(ProcessBuilder.Redirect.INHERIT);
            pb.redirectError(ProcessBuilder.Redirect.INHERIT);
            p = workers.launch(pb);
            workers.launched(this, p, primary);
            ServerSocketChannel toClose = ch;
            p.onExit().thenRun(() -> closeQuietly(toClose)); // a child that never connects ends the accept
        } catch (IOException | RuntimeException e) {
            failure = e;
            closeQuietly(ch);
        }
        this.socketPath = sock;
        this.server = ch;
        this.process = p;
        this.launchFailure = failure;
    }

    private boolean moveTo(Phase to, Phase from) {
        return phase.compareAndSet(from, to);
    }

    // ---------------------------------------------------------------- WorkerLink

    @Override
    public void start() {
        if (launchFailure != null) {
            throw new IllegalStateException("cannot start the child JVM of worker " + spec.id() + ": "
                    + launchFailure, launchFailure);
        }
        thread.start();
    }

    @Override
    public boolean deliver(Object isolated) {
        if (phase.get() == Phase.ENDED || !ipc.send(Ipc.MESSAGE, isolated)) {
            return false;
        }
        delivered.incrementAndGet();
        return true;
    }

    @Override
    public void requestDisconnect() {
        ipc.send(Ipc.DISCONNECT, null);
    }

    @Override
    public void kill() {
        if (process != null) {
            process.destroy(); // SIGTERM
        }
    }

    @Override
    public boolean forceEnd() {
        if (process != null) {
            process.destroyForcibly(); // SIGKILL; the link thread still reports the real exit
        }
        return false;
    }

    @Override
    public Optional<Thread> exitingThread() {
        return thread.isAlive() ? Optional.of(thread) : Optional.empty();
    }

    @Override
    public boolean isCurrentThread() {
        return false; // no thread of this JVM runs the worker's code
    }

    @Override
    public Optional<ProcessHandle> process() {
        return process == null ? Optional.empty() : Optional.of(process.toHandle());
    }

    @Override
    public Counters counters() {
        List<?> s = childStats;
        int mailbox = 0;
        double utilization = 0;
        long received = 0;
        long open = 0;
        long requests = 0;
        if (s.size() == 6) {
            mailbox = (Integer) s.get(1);
            utilization = (Double) s.get(2);
            received = (Long) s.get(3);
            open = (Long) s.get(4);
            requests = (Long) s.get(5);
        }
        // the child's loop lag is not sampled from here (its loop runs in another JVM): reported as 0
        return new Counters(delivered.get(), messagesOut, mailbox, utilization, received, open, 0, 0, 0, requests);
    }

    private boolean sendControl(byte kind, Object value) {
        return ipc.send(kind, value);
    }

    /** The pool now runs {@code loops} event loops on this machine, this child's included. Primary loop. */
    void loopsChanged(int loops) {
        assert primary.inLoop();
        ipc.send(Ipc.LOOPS, loops);
    }

    // ---------------------------------------------------------------- link thread

    private void run() {
        SocketChannel ch;
        try {
            moveTo(Phase.CONNECTING, Phase.LAUNCHED);
            ch = acceptChild();
        } catch (IOException | RuntimeException e) {
            // the child exited before its HELLO (its exit closed the server socket, or its end of the channel)
            boolean childEnded = e instanceof java.nio.channels.AsynchronousCloseException
                    || e instanceof java.nio.channels.ClosedChannelException || e instanceof java.io.EOFException;
            end(!childEnded);
            ExitStatus status = awaitExit();
            if (childEnded) {
                if (!status.signaled()) { // a kill before the child connected is no failure
                    uplink.post(new Signal.Failed(new IllegalStateException("worker " + spec.id()
                            + ": its child JVM (pid " + process.pid() + ") exited with code " + status.code()
                            + " before it connected to the primary (see its stderr)")));
                }
            } else {
                uplink.post(new Signal.Failed(new IllegalStateException("worker " + spec.id() + ": the peer on its"
                        + " IPC socket was refused and the child (pid " + process.pid() + ") killed: " + e.getMessage(), e)));
            }
            report(status);
            return;
        }
        try {
            ipc.connectTo(ch);
        } catch (IOException e) {
            end(true);
            report(awaitExit());
            return;
        }
        moveTo(Phase.CONNECTED, Phase.CONNECTING);
        primary.execute(this::readOnLoop); // the child's ONLINE has likely come with its HELLO
        ipc.startWriter(thread.getName() + "-out", true, Long.MAX_VALUE / 4, null);
        Throwable error = serveUntilEnd();
        end(error != null);
        ExitStatus status = awaitExit();
        if (error != null) {
            uplink.post(new Signal.Failed(new IllegalStateException("worker " + spec.id() + " (pid " + process.pid()
                    + ") sent bad IPC data; its channel is closed and the child killed: " + error.getMessage(), error)));
        }
        report(status);
    }

    /** The child's UNLISTEN, queued for the link thread behind any LISTEN before it. */
    private static final Object UNLISTEN = new Object();

    /** The child no longer listens: it leaves its shared socket. Link thread. */
    private void unlisten() {
        ProcessServers.Server s = listening;
        listening = null;
        if (s != null) {
            s.leave(this);
        }
    }

    /** The channel's end as the primary loop saw it: {@code error} is null at a clean end of input. */
    private record End(Throwable error) {
    }

    /**
     * Link thread, while the primary loop reads: serves the child's LISTEN and UNLISTEN requests, in the
     * order it sent them, until the channel ends; returns why it ended (null: cleanly). If the primary loop
     * stops first (the pool is gone), the channel is closed here, which makes the child halt.
     */
    private Throwable serveUntilEnd() {
        while (true) {
            Object next;
            try {
                next = toLinkThread.poll(1, TimeUnit.SECONDS); // the timeout only notices a stopped loop
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            if (next == null) {
                if (primary.isStopRequested()) {
                    return null; // the pool is gone
                }
                continue;
            }
            if (next instanceof End e) {
                return e.error();
            }
            if (next == UNLISTEN) {
                unlisten();
                continue;
            }
            try {
                onListen((List<?>) next);
            } catch (IOException e) {
                return e instanceof ProtocolException ? e : null;
            } catch (RuntimeException e) {
                return new ProtocolException(spec.loopName() + ": a LISTEN frame could not be handled: " + e, e);
            }
        }
    }

    /** The channel is over: frees the sockets; kills the child if its channel cannot be trusted. */
    private void end(boolean kill) {
        phase.set(Phase.ENDED);
        if (kill) {
            process.destroyForcibly(); // before the channel closes, which would make the child halt by itself
        }
        ipc.close();
        ProcessServers.Server s = listening;
        listening = null;
        if (s != null) {
            s.leave(this);
        }
        NativeSockets.closeQuietly(fdChannel);
        NativeSockets.closeQuietly(fdListener);
        fdChannel = -1;
        fdListener = -1;
        closeQuietly(server);
        deleteQuietly(socketPath);
        deleteQuietly(fdSocketPath);
    }

    private void report(ExitStatus status) {
        try {
            ipc.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        uplink.post(Signal.DISCONNECTED);
        uplink.post(new Signal.Exited(status));
    }

    /** Accepts the child's connection and checks it is ours: same user, right token in its first frame. */
    private SocketChannel acceptChild() throws IOException {
        SocketChannel ch = server.accept(); // ended by the child's exit closing the server socket
        try {
            closeQuietly(server);
            deleteQuietly(socketPath);
            UnixDomainPrincipal peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
            var me = workers.dir().owner();
            if (!peer.user().equals(me)) {
                throw new ProtocolException("the peer on the IPC socket runs as " + peer.user().getName()
                        + ", not as " + me.getName());
            }
            IpcChannel.Frame hello = ipc.readFrame(ch);
            if (hello.kind() != Ipc.HELLO) {
                throw new ProtocolException("the first frame is " + Ipc.name(hello.kind()) + ", not HELLO");
            }
            String sent = Ipc.field(Ipc.HELLO, Ipc.list(Ipc.HELLO, hello.value(), 1).get(0), "token", String.class);
            if (!MessageDigest.isEqual(sent.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                    token.getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
                throw new ProtocolException("the peer on the IPC socket did not present this worker's token");
            }
            return ch;
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    // ---------------------------------------------------------------- primary loop

    /** Registers the child's channel with the primary loop's selector and reads what has arrived. */
    private void readOnLoop() {
        assert primary.inLoop();
        SelectionKey key;
        try {
            key = ipc.registerForReading(primary.selector(), (EventLoop.IoHandle) this::onReadable);
        } catch (IOException | RuntimeException e) {
            reportEnd(null); // the channel closed meanwhile (the child died, or the pool is closing)
            return;
        }
        onReadable(key);
    }

    private void onReadable(SelectionKey key) {
        int result;
        try {
            result = endReported ? -1 : ipc.readAvailable(receiver);
        } catch (RuntimeException | Error e) {
            reportEnd(new ProtocolException(spec.loopName() + ": a frame could not be handled: " + e, e));
            result = -1;
        }
        if (result < 0) {
            key.cancel(); // the link thread closes the channel (killing the child first if it misbehaved)
        }
    }

    private void reportEnd(Throwable error) {
        assert primary.inLoop();
        if (!endReported) {
            endReported = true;
            toLinkThread.add(new End(error));
        }
    }

    private void onFrame(byte kind, Object value) throws IOException {
        assert primary.inLoop();
        if (endReported) {
            return; // a frame after a bad one, read in the same batch: the channel is over
        }
        switch (kind) {
            case Ipc.MESSAGE -> {
                messagesOut++;
                uplink.post(value);
            }
            case Ipc.ONLINE -> uplink.post(Signal.ONLINE);
            case Ipc.LISTENING -> {
                List<?> l = Ipc.list(kind, value, 2);
                uplink.post(new Signal.Listening(Ipc.address(kind, l.get(0), l.get(1))));
            }
            case Ipc.FAILED -> uplink.post(new Signal.Failed(Ipc.failure(kind, value)));
            case Ipc.REQUEST_DISCONNECT -> uplink.requestDisconnect();
            case Ipc.LISTEN -> toLinkThread.add(Ipc.list(kind, value, 3)); // binding may block: link thread
            case Ipc.UNLISTEN -> toLinkThread.add(UNLISTEN); // after the LISTEN before it, and leaving may block
            case Ipc.ACK -> {
                List<?> l = Ipc.list(kind, value, 4);
                ProcessServers.Server s = listening;
                if (s != null) {
                    s.ack(this, Ipc.longField(kind, l.get(0), "seq"), l.get(1) == Boolean.TRUE,
                            Ipc.intField(kind, l.get(2), "open"), Ipc.intField(kind, l.get(3), "queued"));
                }
            }
            case Ipc.STATS -> {
                List<?> l = Ipc.list(kind, value, 6);
                Ipc.longField(kind, l.get(0), "messagesIn");
                Ipc.intField(kind, l.get(1), "mailbox");
                Ipc.field(kind, l.get(2), "utilization", Double.class);
                Ipc.longField(kind, l.get(3), "received");
                Ipc.longField(kind, l.get(4), "open");
                Ipc.longField(kind, l.get(5), "requestsServed");
                childStats = l;
            }
            default -> throw new ProtocolException("unexpected " + Ipc.name(kind) + " frame from worker " + spec.id());
        }
    }

    // ---------------------------------------------------------------- link thread

    /** The child asks to listen on an address: bind (or join) the shared socket and pass its descriptor. */
    private void onListen(List<?> request) throws IOException {
        InetSocketAddress address = Ipc.address(Ipc.LISTEN, request.get(0), request.get(1));
        boolean hasFd = request.get(2) == Boolean.TRUE;
        if (listening != null) {
            throw new ProtocolException("LISTEN frame from worker " + spec.id() + " while it already listens");
        }
        ProcessServers.Server s;
        try {
            NativeSockets.requireSupported("sharing a listening socket with a child JVM");
            s = workers.servers().join(address, this); // a member that takes no turns until ready()
            listening = s; // from now on the child's ACK and UNLISTEN frames find it
        } catch (IOException | RuntimeException e) {
            sendControl(Ipc.LISTEN_REPLY, List.of(e.getClass().getName(), String.valueOf(e.getMessage())));
            return;
        }
        try {
            if (!hasFd) {
                if (fdChannel < 0) {
                    // the descriptor socket is made when a child first listens, so a pool that never
                    // shares a socket makes no native call
                    fdSocketPath = workers.dir().socketPath("f" + spec.id());
                    fdListener = NativeSockets.listenUnix(fdSocketPath, 1);
                    sendControl(Ipc.FD_SOCKET, List.of(fdSocketPath.toString()));
                    if ((NativeSockets.poll(fdListener, NativeSockets.POLLIN, 5_000) & NativeSockets.POLLIN) == 0) {
                        throw new IOException("worker " + spec.id() + " did not connect its descriptor socket");
                    }
                    int fd = NativeSockets.accept(fdListener);
                    var peer = NativeSockets.peerCredentials(fd);
                    if (peer.pid() != process.pid()) {
                        NativeSockets.closeQuietly(fd);
                        throw new ProtocolException("descriptor socket of worker " + spec.id() + " connected from pid "
                                + peer.pid() + ", not the child's " + process.pid());
                    }
                    fdChannel = fd;
                    NativeSockets.closeQuietly(fdListener);
                    fdListener = -1;
                    deleteQuietly(fdSocketPath);
                }
                NativeSockets.sendFd(fdChannel, s.fd(), new byte[0]);
            }
        } catch (IOException | RuntimeException e) {
            listening = null;
            s.leave(this);
            sendControl(Ipc.LISTEN_REPLY, List.of(e.getClass().getName(), String.valueOf(e.getMessage())));
            if (e instanceof ProtocolException pe) {
                throw pe;
            }
            return;
        }
        sendControl(Ipc.LISTEN_REPLY, Ipc.address(s.address()));
        s.ready(this); // the child has the socket: turns go to it from now on, after the reply
    }

    /** Grants this child a turn to accept one connection on its shared socket. Any thread. */
    boolean grantTurn(long seq) {
        return sendControl(Ipc.TURN, List.of(seq));
    }

    /** Waits for the child process to end after its channel ended, forcing it if it lingers. */
    private ExitStatus awaitExit() {
        long grace = workers.options().killTimeout().toMillis() + 5_000;
        try {
            if (!process.waitFor(grace, TimeUnit.MILLISECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "worker " + spec.id() + " (pid " + process.pid()
                        + ") closed its channel but did not exit within " + grace + " ms; killing it");
                process.destroyForcibly();
                process.waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        return statusOf(process.isAlive() ? 137 : process.exitValue());
    }

    /** A child's exit code as an {@link ExitStatus}: 128 + n is signal n, as a shell reports it. */
    static ExitStatus statusOf(int code) {
        return switch (code) {
            case 143 -> ExitStatus.SIGTERM;
            case 137 -> ExitStatus.SIGKILL;
            case 129 -> new ExitStatus(code, "SIGHUP");
            case 130 -> new ExitStatus(code, "SIGINT");
            case 131 -> new ExitStatus(code, "SIGQUIT");
            case 132 -> new ExitStatus(code, "SIGILL");
            case 134 -> new ExitStatus(code, "SIGABRT");
            case 135 -> new ExitStatus(code, "SIGBUS");
            case 136 -> new ExitStatus(code, "SIGFPE");
            case 139 -> new ExitStatus(code, "SIGSEGV");
            default -> ExitStatus.exited(code);
        };
    }

    private static void closeQuietly(java.nio.channels.Channel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // discarding it
            }
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // the directory goes with the pool
            }
        }
    }

    @Override
    public String toString() {
        return "ProcessLink[" + spec.id() + ", " + phase.get() + "]";
    }
}
