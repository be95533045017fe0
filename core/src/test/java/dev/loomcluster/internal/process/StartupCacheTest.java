package dev.loomcluster.internal.process;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link StartupCache}'s decisions, on a class path of jars made here: the key, the refusals, and per fork
 * train / use / neither, with a stand-in for {@code java} (a shell script that acts as JDK 25 does with
 * {@code -XX:AOTCacheOutput}: a {@code .config} file while it runs, the cache written when it exits, then
 * the {@code .config} deleted). The real JVM is exercised by {@code dev.loomcluster.ProcessStartupCacheTest}.
 */
@Timeout(30)
class StartupCacheTest {
    /** The stand-in for {@code java}: trains when given -XX:AOTCacheOutput, waits for its stdin to close. */
    private static final String FAKE_JAVA = """
            #!/bin/sh
            out=
            for a in "$@"; do case "$a" in -XX:AOTCacheOutput=*) out="${a#*=}";; esac; done
            [ -n "$out" ] && : > "$out.config"
            cat > /dev/null
            [ -z "$out" ] && exit 0
            [ "$FAKE_JAVA_MODE" = fail ] && exit 1
            printf '\\242\\253\\013\\360 an AOT cache' > "$out"
            [ "$FAKE_JAVA_MODE" = leave-config ] || rm -f "$out.config"
            exit 0
            """;

    private Path tmp;
    private Path dir;
    private Path jarA;
    private Path jarB;
    private List<String> command;
    private final List<Process> started = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        tmp = Files.createTempDirectory("startup-cache-test");
        dir = tmp.resolve("cache");
        jarA = jar(tmp.resolve("a.jar"), null);
        jarB = jar(tmp.resolve("b.jar"), null);
        Path java = tmp.resolve("java");
        Files.writeString(java, FAKE_JAVA);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));
        command = List.of(java.toString(), "-XX:+UseSerialGC", "-Xshare:auto", "-Xmx64m", "-cp", classPath(),
                "dev.loomcluster.internal.process.ChildMain");
    }

    @AfterEach
    void tearDown() throws IOException {
        for (Process p : started) {
            p.destroyForcibly();
        }
        try (Stream<Path> files = Files.walk(tmp)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void theKeyChangesWithAJarsTimeOrSizeAnOptionOrTheEnvironment() throws IOException {
        String key = StartupCache.key(command, classPath(), "", Map.of());
        assertEquals(key, StartupCache.key(command, classPath(), "", Map.of()), "the same inputs, the same key");
        assertTrue(key.matches("\\p{XDigit}{24}"), key);

        Files.setLastModifiedTime(jarB, FileTime.fromMillis(Files.getLastModifiedTime(jarB).toMillis() - 60_000));
        String touched = StartupCache.key(command, classPath(), "", Map.of());
        assertNotEquals(key, touched, "a jar with another modification time");

        FileTime time = Files.getLastModifiedTime(jarB);
        Files.write(jarB, new byte[]{1}, java.nio.file.StandardOpenOption.APPEND);
        Files.setLastModifiedTime(jarB, time);
        String grown = StartupCache.key(command, classPath(), "", Map.of());
        assertNotEquals(touched, grown, "a jar of another size, same modification time");

        List<String> other = new ArrayList<>(command);
        other.set(3, "-Xmx128m");
        assertNotEquals(grown, StartupCache.key(other, classPath(), "", Map.of()), "another option");
        assertNotEquals(grown, StartupCache.key(command, classPath(), "", Map.of("JDK_JAVA_OPTIONS", "-Xmx1g")),
                "options in the child's environment");
    }

    @Test
    void theKeyCoversTheJarsAManifestClassPathNames() throws IOException {
        Path lib = tmp.resolve("lib");
        Files.createDirectories(lib);
        Path dependency = jar(lib.resolve("dep.jar"), null);
        Path app = jar(tmp.resolve("app.jar"), "lib/dep.jar");
        String key = StartupCache.key(command, app.toString(), "", Map.of());
        Files.setLastModifiedTime(dependency,
                FileTime.fromMillis(Files.getLastModifiedTime(dependency).toMillis() - 60_000));
        assertNotEquals(key, StartupCache.key(command, app.toString(), "", Map.of()),
                "a changed jar that only the manifest's Class-Path names");
    }

    @Test
    void aDirectoryOrAnArchiveOfTheUsersOwnMeansNoCache() throws IOException {
        assertEquals(Optional.empty(), StartupCache.refusal(command, classPath(), "", Map.of()),
                "jars, and the default -Xshare:auto");
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        assertTrue(StartupCache.refusal(command, classPath() + ":" + classes, "", Map.of()).orElseThrow()
                .contains("directory, " + classes));
        assertTrue(StartupCache.refusal(command, ":" + classPath(), "", Map.of()).orElseThrow()
                .contains("working directory"));
        for (String own : List.of("-Xshare:off", "-XX:SharedArchiveFile=app.jsa", "-XX:AOTCache=app.aot",
                "-XX:AOTMode=off", "-XX:+AOTClassLinking")) {
            List<String> withOwn = new ArrayList<>(command);
            withOwn.add(3, own);
            assertTrue(StartupCache.refusal(withOwn, classPath(), "", Map.of()).orElseThrow().contains(own), own);
        }
        List<String> noReplay = new ArrayList<>(command);
        noReplay.addAll(3, List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:-AOTReplayTraining"));
        assertEquals(Optional.empty(), StartupCache.refusal(noReplay, classPath(), "", Map.of()),
                "turning the cache's method profiles off is no archive of one's own");
        assertTrue(StartupCache.refusal(command, classPath(), "", Map.of("JAVA_TOOL_OPTIONS", "-Xmx1g -Xshare:off"))
                .orElseThrow().contains("JAVA_TOOL_OPTIONS"));

        Path modules = Files.createDirectories(tmp.resolve("mods"));
        jar(modules.resolve("m.jar"), null);
        assertEquals(Optional.empty(), StartupCache.refusal(command, classPath(), modules.toString(), Map.of()),
                "a module path directory of jars");
        Path exploded = Files.createDirectories(modules.resolve("m2"));
        Files.write(exploded.resolve("module-info.class"), new byte[0]);
        assertTrue(StartupCache.refusal(command, classPath(), modules.toString(), Map.of()).orElseThrow()
                .contains("exploded module"));
        assertTrue(StartupCache.refusal(command, classPath(), exploded.toString(), Map.of()).orElseThrow()
                .contains("exploded module"));
    }

    @Test
    void noCacheWhenRefusedAndTheDirectoryIsNotEvenMade() {
        Path classes = tmp.resolve("classes");
        assertTrue(classes.toFile().mkdir());
        StartupCache cache = StartupCache.create("t", Optional.of(dir), command, classPath() + ":" + classes, "",
                Map.of());
        assertEquals(Optional.empty(), cache.file());
        assertFalse(Files.exists(dir));
    }

    @Test
    void oneChildTrainsWhileOthersStartPlainlyThenAllUseTheCache() throws Exception {
        StartupCache cache = create();
        Path file = cache.file().orElseThrow();
        assertTrue(Files.isDirectory(dir), "the directory is made");
        assertTrue(file.getFileName().toString().matches("loomcluster-\\p{XDigit}{24}\\.aot"), file.toString());

        ProcessBuilder first = builder();
        Process trainer = launch(cache, first);
        List<String> trainOptions = first.command();
        String output = trainOptions.stream().filter(s -> s.startsWith("-XX:AOTCacheOutput=")).findFirst()
                .orElseThrow(() -> new AssertionError("the first child trains: " + trainOptions));
        Path temp = Path.of(output.substring(output.indexOf('=') + 1));
        assertEquals(dir, temp.getParent());
        assertTrue(temp.getFileName().toString().startsWith(file.getFileName() + "."), temp.toString());
        assertEquals(command.getFirst(), trainOptions.getFirst());
        assertTrue(trainOptions.containsAll(StartupCache.TRAINING), trainOptions.toString());
        assertFalse(trainOptions.contains("-Xshare:auto"), "the JVM refuses -Xshare with an AOT cache");
        assertEquals(command.subList(command.indexOf("-Xshare:auto") + 1, command.size()),
                trainOptions.subList(trainOptions.size() - 4, trainOptions.size()), "the rest of the command line");

        ProcessBuilder second = builder();
        launch(cache, second);
        assertEquals(command, second.command(), "another child while one trains: no cache options");

        trainer.getOutputStream().close(); // the stand-in exits and writes the cache
        assertTrue(trainer.waitFor(10, TimeUnit.SECONDS));
        awaitFile(file);
        assertFalse(Files.exists(temp), "renamed, not copied");
        assertEquals(List.of(file), files(), "no temporary file left");

        for (int i = 0; i < 2; i++) {
            ProcessBuilder later = builder();
            launch(cache, later);
            List<String> using = later.command();
            assertTrue(using.contains("-XX:AOTCache=" + file), using.toString());
            assertTrue(using.containsAll(StartupCache.USING), using.toString());
            assertFalse(using.stream().anyMatch(s -> s.startsWith("-XX:AOTCacheOutput")), using.toString());
        }
    }

    @Test
    void aTrainingThatLeavesNoCompleteFileIsDeletedAndTheNextForkTrainsAgainUpToALimit() throws Exception {
        StartupCache cache = create();
        Path file = cache.file().orElseThrow();
        for (String mode : List.of("fail", "leave-config", "fail")) {
            ProcessBuilder pb = builder();
            pb.environment().put("FAKE_JAVA_MODE", mode);
            Process p = launch(cache, pb);
            assertTrue(pb.command().stream().anyMatch(s -> s.startsWith("-XX:AOTCacheOutput=")),
                    mode + ": " + pb.command());
            p.getOutputStream().close();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            cache.close(); // handles the exit now, if the process-exit thread has not yet
            assertEquals(List.of(), files(), mode + ": what it left is deleted");
        }
        ProcessBuilder pb = builder();
        launch(cache, pb);
        assertEquals(command, pb.command(), "after " + StartupCache.MAX_TRAININGS + " failed trainings: none");
        assertFalse(Files.exists(file));
    }

    @Test
    void closeKeepsTheCacheOfAChildThatHasExited() throws Exception {
        StartupCache cache = create();
        ProcessBuilder pb = builder();
        Process p = launch(cache, pb);
        p.getOutputStream().close();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        cache.close();
        assertTrue(Files.isRegularFile(cache.file().orElseThrow()), "renamed by close, whichever thread came first");
    }

    @Test
    void theTemporaryFilesOfADeadPrimaryAreRemoved() throws Exception {
        Files.createDirectories(dir);
        long dead = new ProcessBuilder("true").start().onExit().get().pid();
        Path abandoned = dir.resolve("loomcluster-0123456789abcdef01234567.aot." + dead + "-1.tmp");
        Path abandonedConfig = dir.resolve(abandoned.getFileName() + ".config");
        Path live = dir.resolve("loomcluster-0123456789abcdef01234567.aot." + ProcessHandle.current().pid() + "-9.tmp");
        Path unrelated = dir.resolve("notes.tmp");
        for (Path p : List.of(abandoned, abandonedConfig, live, unrelated)) {
            Files.write(p, new byte[0]);
        }
        create();
        assertFalse(Files.exists(abandoned));
        assertFalse(Files.exists(abandonedConfig));
        assertTrue(Files.exists(live), "a live primary's training is left alone");
        assertTrue(Files.exists(unrelated));
    }

    // ---------------------------------------------------------------- helpers

    private StartupCache create() {
        StartupCache cache = StartupCache.create("t", Optional.of(dir), command, classPath(), "", Map.of());
        assertTrue(cache.file().isPresent(), "a class path of jars has a cache");
        return cache;
    }

    private ProcessBuilder builder() {
        return new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
    }

    private Process launch(StartupCache cache, ProcessBuilder pb) throws IOException {
        Process p = cache.launch(pb);
        started.add(p);
        return p;
    }

    private String classPath() {
        return jarA + ":" + jarB;
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    private static void awaitFile(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!Files.isRegularFile(file)) {
            if (System.nanoTime() > deadline) {
                fail("no " + file + " within 10 s of the training child's exit");
            }
            Thread.sleep(5);
        }
    }

    private static Path jar(Path path, String classPath) throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (classPath != null) {
            m.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
        }
        try (OutputStream out = Files.newOutputStream(path); JarOutputStream jar = new JarOutputStream(out, m)) {
            jar.putNextEntry(new java.util.jar.JarEntry("x.txt"));
            jar.write(path.getFileName().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return path;
    }
}
