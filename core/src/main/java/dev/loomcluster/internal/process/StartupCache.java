package dev.loomcluster.internal.process;

import dev.loomcluster.internal.observe.Log;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The start-up cache of a pool's child JVMs ({@code WorkerPool.Builder.startupCache}): a JDK AOT cache
 * (JEP 483), trained by one child with {@code -XX:AOTCacheOutput} (JEP 514) and then given to every child
 * with {@code -XX:AOTCache}. It decides, per fork, which of the two a child gets, or neither.
 *
 * <p>What JDK 25 (25.0.3) does, as checked by hand, and what this class does about it:
 * <ul>
 *   <li>A child started with {@code -XX:AOTCacheOutput=<f>} records what it loads and links in
 *   {@code <f>.config} (created empty at start, a few MB once written at exit); when it exits (normal
 *   exit, {@code System.exit}, {@code Runtime.halt}, SIGTERM; not SIGKILL, which leaves only the
 *   {@code .config}) the JVM starts a second JVM that writes {@code <f>} and waits for it, then deletes
 *   {@code <f>.config}. That adds about 1 s to the child's exit (0.8-1.1 s measured). If the second JVM
 *   fails, {@code <f>} is not there and {@code <f>.config} stays. {@code <f>} is written in place, not
 *   renamed into place, so the child writes to a temporary name and the pool renames it to the cache's
 *   name once the child has exited, the {@code .config} is gone and the file starts with the archive
 *   magic; anything else is deleted and the next fork trains again (at most {@link #MAX_TRAININGS} times
 *   per pool).</li>
 *   <li>The training JVM prints five lines about it on stdout, which no {@code -Xlog} option silences,
 *   plus about ten {@code [aot]} warnings ("Skipping jdk/internal/event/Event: JFR event class" and the
 *   like); the second JVM prints "Picked up JAVA_TOOL_OPTIONS: ..." on stderr. {@link #TRAINING} sends the
 *   five lines to stderr ({@code -XX:+DisplayVMOutputToStderr}, given to that child only, so the rest of
 *   its VM output, such as a thread dump on SIGQUIT, goes to stderr too) and drops the warnings, keeping
 *   errors (on stderr).</li>
 *   <li>A child using a good cache prints nothing. A missing, truncated or corrupt cache file is not fatal
 *   (the JVM starts without it) but prints five {@code [aot]} warning and error lines on stdout;
 *   {@link #USING} moves exactly those to stderr.</li>
 *   <li>The JVM does not check that the class path jars are the ones the cache was made from: a cache used
 *   with a rebuilt jar at the same path served the classes of the old jar, without a warning. So the
 *   cache's file name is keyed by everything the cache depends on (see {@link #key}), and a changed jar
 *   gets a new file.</li>
 *   <li>{@code -XX:AOTCache} and {@code -XX:AOTCacheOutput} refuse to start together with any {@code -Xshare}
 *   option, so the default {@code -Xshare:auto} (which is also the JVM's default) is left out of those
 *   children's command lines.</li>
 *   <li>A directory of classes cannot be cached: on the class path the training JVM fails to write the
 *   cache ("Cannot have non-empty directory in paths"); an exploded module makes it log an error. A
 *   directory of jars on the module path works.</li>
 * </ul>
 *
 * <p>Threads: made with the pool's {@link ProcessWorkers} on the thread that builds the pool;
 * {@link #launch} runs on whatever thread forks; the end of a training child is handled on the JDK's
 * process-exit thread ({@link Process#onExit()}), or by {@link #close} on the primary loop at shutdown,
 * whichever comes first. Mutable state is guarded by this object's lock, which is also held while the end of
 * a training checks and renames the file (a few system calls, once per training).
 */
final class StartupCache {
    /** Trainings that may end without a cache before this pool stops training. */
    static final int MAX_TRAININGS = 3;
    /**
     * Options of a child that uses the cache: its VM's warnings and errors about the cache (a corrupt file,
     * say) go to stderr instead of stdout.
     */
    static final List<String> USING = List.of("-Xlog:aot*=off,cds*=off", "-Xlog:aot*=warning,cds*=warning:stderr");
    /**
     * Options of the child that trains: the VM's plain messages about writing the cache go to stderr, and
     * so do its errors about the cache; its warnings (a dozen "Skipping ...: JFR event class" and the like
     * for classes a cache cannot hold, printed on every training) are dropped.
     */
    static final List<String> TRAINING = List.of("-Xlog:aot*=off,cds*=off", "-Xlog:aot*=error,cds*=error:stderr",
            "-XX:+DisplayVMOutputToStderr");
    /** The first four bytes of an AOT cache (a static CDS archive), little-endian 0xf00baba2. */
    private static final byte[] MAGIC = {(byte) 0xa2, (byte) 0xab, 0x0b, (byte) 0xf0};
    /**
     * JVM options with which the user chooses an archive or cache of their own (the switches of the cache's
     * method profiles, {@code -XX:±AOTRecordTraining} and {@code -XX:±AOTReplayTraining}, are not).
     */
    private static final Pattern OWN_ARCHIVE = Pattern.compile("-Xshare:.*|-XX:[+-]?((?!AOTRe(cord|play)Training)AOT\\w*|SharedArchiveFile"
            + "|ArchiveClassesAtExit|SharedClassListFile|DumpLoadedClassList)\\b.*");
    /** A training's temporary files: {@code loomcluster-<key>.aot.<primary's pid>-<n>.tmp[.config]}. */
    private static final Pattern TEMP = Pattern.compile(
            "loomcluster-\\p{XDigit}+\\.aot\\.(\\d+)-\\d+\\.tmp(\\.config)?");
    private static final AtomicLong TEMP_SEQ = new AtomicLong();
    private static final System.Logger LOG = Log.POOL;

    /** One child that trains: its temporary cache file and its process, once launched. */
    private static final class Training {
        final Path temp;
        Process process;   // set after launch; guarded by the cache's lock
        boolean finished;  // guarded by the cache's lock

        Training(Path temp) {
            this.temp = temp;
        }

        Path config() {
            return temp.resolveSibling(temp.getFileName() + ".config");
        }
    }

    // ---- immutable
    private final String pool;
    private final Path file;          // null: no cache for this pool
    private final boolean trainable;  // the directory exists and is writable

    // ---- guarded by this
    private Training training;
    private int failed;

    private StartupCache(String pool, Path file, boolean trainable) {
        this.pool = pool;
        this.file = file;
        this.trainable = trainable;
    }

    /** No cache: every child gets the pool's command line unchanged. */
    static StartupCache none() {
        return new StartupCache("", null, false);
    }

    /**
     * The cache of pool {@code pool} in {@code directory}, for children started with {@code command} (the
     * pool's command line, which carries the user's options) and the given class path and module path (the
     * module path empty when the child does not use one), whose environment adds {@code env} to this JVM's.
     * If these cannot be cached, logs why at INFO on {@code dev.loomcluster.pool} (once: this runs once per
     * pool) and returns {@link #none()}.
     */
    static StartupCache create(String pool, Optional<Path> directory, List<String> command, String classPath,
                               String modulePath, Map<String, String> env) {
        if (directory.isEmpty()) {
            return none();
        }
        Path dir = directory.get().toAbsolutePath().normalize();
        Optional<String> why = refusal(command, classPath, modulePath, env);
        String key;
        try {
            key = why.isPresent() ? null : key(command, classPath, modulePath, env);
        } catch (IOException e) {
            why = Optional.of("cannot read the files the cache depends on: " + e);
            key = null;
        }
        if (why.isPresent()) {
            LOG.log(System.Logger.Level.INFO, "pool " + pool + ": no startup cache in " + dir + ", because "
                    + why.get() + "; child JVMs start without one");
            return none();
        }
        Path file = dir.resolve("loomcluster-" + key + ".aot");
        boolean trainable;
        try {
            Files.createDirectories(dir);
            trainable = Files.isWritable(dir);
        } catch (IOException e) {
            trainable = false;
        }
        if (!trainable && !(Files.isRegularFile(file) && Files.isReadable(file))) {
            LOG.log(System.Logger.Level.INFO, "pool " + pool + ": no startup cache, because " + dir
                    + " is not a writable directory and holds no " + file.getFileName()
                    + "; child JVMs start without one");
            return none();
        }
        if (trainable) {
            removeAbandoned(dir);
        }
        return new StartupCache(pool, file, trainable);
    }

    /** Whether the cache file is there to be used. */
    private boolean usable() {
        return Files.isRegularFile(file) && Files.isReadable(file);
    }

    /** The cache file, if this pool has a cache. */
    Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /**
     * Starts {@code pb} (a child's process builder, whose command is the pool's command line) with the
     * options of this fork: use the cache if its file is there, else train it if no child is training,
     * else none. Any thread.
     */
    Process launch(ProcessBuilder pb) throws IOException {
        if (file == null) {
            return pb.start();
        }
        Training t = null;
        List<String> options;
        if (usable()) {
            options = new ArrayList<>(USING);
            options.add("-XX:AOTCache=" + file);
        } else {
            synchronized (this) {
                if (training == null && trainable && failed < MAX_TRAININGS) {
                    t = new Training(file.resolveSibling(file.getFileName() + "." + ProcessHandle.current().pid()
                            + "-" + TEMP_SEQ.incrementAndGet() + ".tmp"));
                    training = t;
                }
            }
            if (t == null) {
                return pb.start(); // another child trains (or training gave up): this one starts plainly
            }
            options = new ArrayList<>(TRAINING);
            options.add("-XX:AOTCacheOutput=" + t.temp);
        }
        pb.command(withOptions(pb.command(), options));
        Process p;
        try {
            p = pb.start();
        } catch (IOException | RuntimeException e) {
            if (t != null) {
                synchronized (this) {
                    training = null;
                }
            }
            throw e;
        }
        if (t != null) {
            synchronized (this) {
                t.process = p;
            }
            Training started = t;
            p.onExit().thenRun(() -> trained(started));
            if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
                LOG.log(System.Logger.Level.DEBUG, "pool " + pool + ": child JVM " + p.pid()
                        + " trains the startup cache " + file + "; it is written when that child exits");
            }
        }
        return p;
    }

    /**
     * Shutdown, every child gone: ends a training whose child has exited but whose exit was not handled yet,
     * so that a JVM that exits right after its pool closes still keeps the cache. Primary loop.
     */
    void close() {
        Training t;
        synchronized (this) {
            t = training;
            if (t == null || t.process == null || t.process.isAlive()) {
                return;
            }
        }
        trained(t);
    }

    /** The training child has exited: moves a complete cache into place, or removes what it left. Once per training. */
    private void trained(Training t) {
        synchronized (this) {
            if (t.finished) {
                return;
            }
            t.finished = true;
            String outcome;
            boolean written = complete(t);
            if (written) {
                try {
                    Files.move(t.temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    outcome = null;
                } catch (IOException e) {
                    outcome = "could not be moved to " + file + ": " + e;
                    written = false;
                }
            } else {
                outcome = "was not written";
            }
            if (!written) {
                failed++;
                deleteQuietly(t.temp);
                deleteQuietly(t.config());
            }
            training = null;
            if (written) {
                LOG.log(System.Logger.Level.INFO, "pool " + pool + ": startup cache " + file
                        + " written by child JVM " + t.process.pid() + " at its exit; later children use it");
            } else {
                LOG.log(System.Logger.Level.INFO, "pool " + pool + ": the startup cache that child JVM "
                        + t.process.pid() + " trained (exit code " + t.process.exitValue() + ") " + outcome
                        + (failed < MAX_TRAININGS ? "; the next child forked trains again"
                        : "; " + failed + " trainings failed, so this pool stops training"));
            }
        }
    }

    /** The JVM finished writing: the temporary file is there, its {@code .config} is gone, the magic is right. */
    private static boolean complete(Training t) {
        if (!Files.isRegularFile(t.temp) || Files.exists(t.config())) {
            return false;
        }
        try (InputStream in = Files.newInputStream(t.temp)) {
            byte[] head = in.readNBytes(MAGIC.length);
            return java.util.Arrays.equals(head, MAGIC);
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code command} with {@code options} after the {@code java} binary, without the default {@code -Xshare:auto}. */
    static List<String> withOptions(List<String> command, List<String> options) {
        List<String> cmd = new ArrayList<>(command.size() + options.size());
        cmd.add(command.getFirst());
        cmd.addAll(options);
        for (String s : command.subList(1, command.size())) {
            if (!s.equals("-Xshare:auto")) {
                cmd.add(s);
            }
        }
        return cmd;
    }

    /** Why children started with these cannot have a cache, if they cannot. */
    static Optional<String> refusal(List<String> command, String classPath, String modulePath,
                                    Map<String, String> env) {
        for (String option : command) {
            if (OWN_ARCHIVE.matcher(option).matches() && !option.equals("-Xshare:auto")) {
                return Optional.of("the JVM options choose an archive themselves (" + option + ")");
            }
        }
        for (var e : launcherOptions(env).entrySet()) {
            for (String option : e.getValue().trim().split("\\s+")) {
                if (OWN_ARCHIVE.matcher(option).matches()) {
                    return Optional.of("the environment variable " + e.getKey() + " chooses an archive ("
                            + option + ")");
                }
            }
        }
        for (String entry : entries(classPath)) {
            if (entry.isEmpty() || Files.isDirectory(Path.of(entry))) {
                return Optional.of("the class path has a directory, "
                        + (entry.isEmpty() ? "the working directory (an empty entry)" : entry)
                        + " (an AOT cache needs a class path of jars)");
            }
        }
        for (String entry : entries(modulePath)) {
            Path p = Path.of(entry);
            if (Files.isDirectory(p)) {
                if (Files.exists(p.resolve("module-info.class"))) {
                    return Optional.of("the module path has an exploded module, " + entry
                            + " (an AOT cache needs modules in jars)");
                }
                try (DirectoryStream<Path> in = Files.newDirectoryStream(p)) {
                    for (Path q : in) {
                        if (Files.exists(q.resolve("module-info.class"))) {
                            return Optional.of("the module path has an exploded module, " + q
                                    + " (an AOT cache needs modules in jars)");
                        }
                    }
                } catch (IOException e) {
                    return Optional.of("cannot list the module path directory " + entry + ": " + e);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The key in the cache's file name: a hash of what makes a cache valid for these children: the JDK (its
     * {@code java.home}, version, runtime image and VM library, with their sizes and modification times),
     * the child's whole command line (its {@code java} binary, options, class path and module path), the
     * launcher variables of its environment, and the path, size and modification time of every jar it
     * loads classes from: each class path jar and the jars its manifest's {@code Class-Path} names, each
     * module path jar and each file in a module path directory.
     */
    static String key(List<String> command, String classPath, String modulePath, Map<String, String> env)
            throws IOException {
        List<String> parts = new ArrayList<>();
        String home = System.getProperty("java.home");
        parts.add("home " + home);
        parts.add("version " + Runtime.version() + " " + System.getProperty("java.vm.version") + " "
                + System.getProperty("java.vm.name") + " " + System.getProperty("os.arch"));
        for (String f : List.of("lib/modules", "lib/server/libjvm.so")) {
            Path p = Path.of(home, f);
            if (Files.exists(p)) {
                parts.add("jdk " + stamp(p));
            }
        }
        for (String s : command) {
            parts.add("arg " + s);
        }
        launcherOptions(env).forEach((k, v) -> parts.add("env " + k + "=" + v));
        Set<Path> jars = new LinkedHashSet<>();
        for (String entry : entries(classPath)) {
            classPathJar(Path.of(entry).toAbsolutePath().normalize(), jars);
        }
        for (Path jar : jars) {
            parts.add("cp " + stamp(jar));
        }
        for (String entry : entries(modulePath)) {
            Path p = Path.of(entry).toAbsolutePath().normalize();
            if (Files.isDirectory(p)) {
                List<Path> files = new ArrayList<>();
                try (DirectoryStream<Path> in = Files.newDirectoryStream(p)) {
                    in.forEach(files::add);
                }
                files.sort(null);
                parts.add("mp-dir " + p);
                for (Path f : files) {
                    parts.add("mp " + stamp(f));
                }
            } else {
                parts.add("mp " + stamp(p));
            }
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : parts) {
                sha.update(part.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** Adds {@code jar} and, recursively, the jars named by its manifest's {@code Class-Path}. */
    private static void classPathJar(Path jar, Set<Path> jars) throws IOException {
        if (!jars.add(jar) || !Files.isRegularFile(jar)) {
            return; // seen, or missing (the JVM skips it; its stamp says "missing")
        }
        String referenced;
        try (JarFile jf = new JarFile(jar.toFile())) {
            Manifest m = jf.getManifest();
            referenced = m == null ? null : m.getMainAttributes().getValue("Class-Path");
        } catch (IOException e) {
            return; // not a jar the JVM can read either; its stamp is still in the key
        }
        if (referenced != null) {
            for (String ref : referenced.trim().split("\\s+")) {
                if (!ref.isEmpty() && !ref.contains(":")) { // relative URLs only; file: and other schemes are rare
                    classPathJar(jar.resolveSibling(ref).normalize(), jars);
                }
            }
        }
    }

    /** {@code path size mtime}, or {@code path missing}. */
    private static String stamp(Path p) throws IOException {
        if (!Files.exists(p)) {
            return p + " missing";
        }
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        return p + " " + a.size() + " " + a.lastModifiedTime().toInstant();
    }

    private static List<String> entries(String path) {
        return path.isEmpty() ? List.of() : List.of(path.split(java.io.File.pathSeparator, -1));
    }

    /** The environment variables the {@code java} launcher or the JVM read options from, as the child sees them. */
    private static Map<String, String> launcherOptions(Map<String, String> env) {
        Map<String, String> found = new TreeMap<>();
        for (String name : List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS")) {
            String value = env.containsKey(name) ? env.get(name) : System.getenv(name);
            if (value != null && !value.isBlank()) {
                found.put(name, value);
            }
        }
        return found;
    }

    /**
     * Removes the temporary files of trainings whose primary JVM has died (their name carries its pid): a
     * primary killed while one of its children trained never renames or deletes them.
     */
    private static void removeAbandoned(Path dir) {
        try (DirectoryStream<Path> in = Files.newDirectoryStream(dir, "loomcluster-*.tmp*")) {
            for (Path p : in) {
                Matcher m = TEMP.matcher(p.getFileName().toString());
                if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                    deleteQuietly(p);
                }
            }
        } catch (IOException | RuntimeException e) {
            // left for a later pool
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover temporary file; a later pool removes it
        }
    }

    @Override
    public String toString() {
        return "StartupCache[" + (file == null ? "none" : file) + "]";
    }
}
