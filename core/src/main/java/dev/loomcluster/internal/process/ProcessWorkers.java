package dev.loomcluster.internal.process;

import dev.loomcluster.IdleStrategy;
import dev.loomcluster.WorkerMain;
import dev.loomcluster.internal.loop.EventLoop;
import dev.loomcluster.internal.message.WireCodec;
import dev.loomcluster.internal.message.WireLimits;
import dev.loomcluster.internal.primary.PoolOptions;
import dev.loomcluster.internal.primary.WorkerLink;
import dev.loomcluster.internal.worker.Uplink;
import dev.loomcluster.internal.worker.WorkerSpec;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * What a pool in {@link dev.loomcluster.Isolation#PROCESS} shares between its child JVMs: the private
 * directory of their IPC sockets, the codec, the command line that starts a child and its
 * {@link StartupCache}, and the listening sockets the children share ({@link ProcessServers}). Made with
 * the pool, closed by its shutdown on the primary loop; {@link #newLink} runs on whatever thread forks.
 */
public final class ProcessWorkers {
    /** The option that names the selector provider ({@link SelectorProvider#provider()}), up to its value. */
    static final String SELECTOR_PROVIDER_OPTION = "-Djava.nio.channels.spi.SelectorProvider=";

    /**
     * Options every child gets unless the pool's {@code jvmOptions} set the same thing: a child is one
     * event loop, so the serial GC (least memory, no GC threads) and the JDK's class-data archive (left out
     * when the pool's {@link StartupCache} gives the child an AOT cache, which the JVM refuses to combine
     * with any {@code -Xshare}); a child that exhausts its heap exits (an {@code exit} event with code 3)
     * instead of limping on with a broken loop. Compilation stays tiered (C1 then C2): C1 alone
     * ({@code -XX:TieredStopAtLevel=1}) starts a few milliseconds sooner but served 18-52% fewer HTTP
     * requests/s in two runs of {@code benchmarks/run-isolation.sh}.
     */
    static final List<String> DEFAULT_OPTIONS = List.of("-XX:+UseSerialGC", "-Xshare:auto",
            "-XX:+ExitOnOutOfMemoryError");

    // ---- immutable
    private final PoolOptions options;
    private final PrivateSocketDir dir;
    private final WireCodec codec;
    private final List<String> command;
    private final StartupCache startupCache;
    private final ProcessServers servers;

    // ---- any thread
    /** Children launched whose process has not ended: each runs one event loop. */
    private final Set<ProcessLink> children = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean announcementScheduled = new AtomicBoolean();

    private ProcessWorkers(PoolOptions options, PrivateSocketDir dir) {
        this.options = options;
        this.dir = dir;
        Class<? extends WorkerMain> main = options.mainClass().orElseThrow(
                () -> new IllegalStateException("Isolation.PROCESS needs a main class"));
        ClassLoader loader = main.getClassLoader() == null ? ClassLoader.getSystemClassLoader() : main.getClassLoader();
        this.codec = WireCodec.create(WireLimits.DEFAULTS, loader);
        this.command = command(options.jvmOptions(), main);
        this.startupCache = StartupCache.create(options.name(), options.startupCache(), command,
                System.getProperty("java.class.path", ""), childModulePath(), options.env());
        this.servers = new ProcessServers(options.name(), options.scheduling(), options.connectionBacklog());
    }

    /** The process state of a new pool. */
    public static ProcessWorkers create(PoolOptions options) {
        try {
            PrivateSocketDir dir = PrivateSocketDir.create("loomcluster-");
            dir.directory().toFile().deleteOnExit(); // empty unless a child is mid-connect: gone if close() never runs
            return new ProcessWorkers(options, dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the IPC socket directory of pool " + options.name(), e);
        }
    }

    /**
     * A link that runs the worker of {@code spec} in a new child JVM, launched now; the pool's
     * {@code primary} loop reads the child's frames. Any thread.
     */
    public WorkerLink newLink(WorkerSpec spec, Uplink uplink, EventLoop primary) {
        return new ProcessLink(this, spec, uplink, primary);
    }

    PoolOptions options() {
        return options;
    }

    /** The event loops this pool runs on this machine: the primary's, and one per live child. Any thread. */
    int loops() {
        return 1 + children.size();
    }

    /**
     * {@code link}'s child is launched: until its process ends, {@link IdleStrategy#auto()} counts its loop,
     * here and in every other child of the pool (each told on the {@code primary} loop). Forking thread.
     */
    void launched(ProcessLink link, Process process, EventLoop primary) {
        children.add(link);
        EventLoop.addLoopsElsewhere(1);
        scheduleAnnouncement(primary);
        process.onExit().thenRun(() -> {
            if (children.remove(link)) {
                EventLoop.addLoopsElsewhere(-1);
                scheduleAnnouncement(primary);
            }
        });
    }

    /** One announcement for the changes made before it runs (n forks at once send n frames, not n²). */
    private void scheduleAnnouncement(EventLoop primary) {
        if (announcementScheduled.compareAndSet(false, true)) {
            primary.execute(this::announceLoops);
        }
    }

    /** Tells every live child how many loops the pool runs now. Primary loop, so that they learn in order. */
    private void announceLoops() {
        announcementScheduled.set(false); // a change from here on schedules another
        int loops = loops();
        for (ProcessLink child : children) {
            child.loopsChanged(loops);
        }
    }

    PrivateSocketDir dir() {
        return dir;
    }

    WireCodec codec() {
        return codec;
    }

    List<String> command() {
        return command;
    }

    /**
     * The command line of a child whose environment is {@code env}: {@link #command()}, less the selector
     * provider it names if the environment's {@code JAVA_TOOL_OPTIONS} or {@code JDK_JAVA_OPTIONS} name one
     * (the command line would override the user's choice). Any thread.
     */
    List<String> commandFor(Map<String, String> env) {
        return commandFor(command, env);
    }

    static List<String> commandFor(List<String> command, Map<String, String> env) {
        boolean userNamesOne = Stream.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS")
                .anyMatch(name -> env.getOrDefault(name, "").contains(SELECTOR_PROVIDER_OPTION));
        return userNamesOne ? command.stream().filter(o -> !o.startsWith(SELECTOR_PROVIDER_OPTION)).toList() : command;
    }

    /**
     * Starts a child: {@code pb}, whose command is {@link #command()}, with the options of the pool's
     * startup cache for this fork, if the pool has one. The forking thread.
     */
    Process launch(ProcessBuilder pb) throws IOException {
        return startupCache.launch(pb);
    }

    ProcessServers servers() {
        return servers;
    }

    /**
     * Pool shutdown, every child gone: closes the shared sockets, keeps the startup cache a child trained,
     * and removes the socket directory.
     */
    public void close() {
        servers.closeAll();
        startupCache.close();
        try {
            dir.close();
        } catch (IOException e) {
            System.getLogger("dev.loomcluster").log(System.Logger.Level.WARNING,
                    "cannot remove " + dir + ": " + e);
        }
    }

    /**
     * The child's command line: the primary's own {@code java}, the defaults the user did not override,
     * this JVM's selector provider unless the user names one, the user's options, native access for
     * descriptor passing, and the primary's class path and module path so that the child runs the same code.
     */
    static List<String> command(List<String> jvmOptions, Class<?> mainClass) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        for (String d : DEFAULT_OPTIONS) {
            if (!overridden(d, jvmOptions)) {
                cmd.add(d);
            }
        }
        if (jvmOptions.stream().noneMatch(o -> o.startsWith(SELECTOR_PROVIDER_OPTION))) {
            selectorProvider().ifPresent(name -> cmd.add(SELECTOR_PROVIDER_OPTION + name));
        }
        cmd.addAll(jvmOptions);
        Module core = ProcessWorkers.class.getModule();
        String modulePath = childModulePath();
        String classPath = System.getProperty("java.class.path", "");
        cmd.add("--enable-native-access=" + (core.isNamed() ? core.getName() : "ALL-UNNAMED"));
        if (!classPath.isEmpty()) {
            cmd.add("-cp");
            cmd.add(classPath);
        }
        if (!modulePath.isEmpty()) {
            cmd.add("--module-path");
            cmd.add(modulePath);
            Module app = mainClass.getModule();
            if (app.isNamed() && app != core) {
                cmd.add("--add-modules");
                cmd.add(app.getName());
            }
            cmd.add("-m");
            cmd.add(core.getName() + "/" + ChildMain.class.getName());
        } else {
            cmd.add(ChildMain.class.getName());
        }
        return List.copyOf(cmd);
    }

    /**
     * The class of this JVM's selector provider if it is the JDK's own, which the child, with the same class
     * path, finds too: named on its command line, the child's first channel skips the search of its class
     * path for a provider, which opens every jar on it (8-12 ms with one jar of 2,500 entries, on this
     * machine; more with many jars).
     */
    static Optional<String> selectorProvider() {
        Class<?> type = SelectorProvider.provider().getClass();
        // Only the JDK's own: an application's provider may be in a package its module does not export, or
        // on a module path the child does not get; the child then finds it as the primary did.
        return type.getModule() == SelectorProvider.class.getModule() ? Optional.of(type.getName()) : Optional.empty();
    }

    /** The module path a child gets: this JVM's, if loomcluster runs on it; else none (empty). */
    private static String childModulePath() {
        return ProcessWorkers.class.getModule().isNamed() ? System.getProperty("jdk.module.path", "") : "";
    }

    private static String javaBinary() {
        Optional<String> self = ProcessHandle.current().info().command();
        return self.orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    }

    /** Whether the user's options already decide what default option {@code d} decides. */
    private static boolean overridden(String d, List<String> user) {
        for (String u : user) {
            boolean same = switch (d) {
                case "-XX:+UseSerialGC" -> u.matches("-XX:[+-]Use\\w*GC");
                case "-Xshare:auto" -> u.startsWith("-Xshare") || u.startsWith("-XX:SharedArchiveFile")
                        || u.startsWith("-XX:AOTCache");
                case "-XX:+ExitOnOutOfMemoryError" -> u.contains("OutOfMemoryError");
                default -> false;
            };
            if (same) {
                return true;
            }
        }
        return false;
    }
}
