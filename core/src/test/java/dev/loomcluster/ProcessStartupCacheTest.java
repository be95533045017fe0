package dev.loomcluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.logging.Level;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code WorkerPool.Builder.startupCache} with real child JVMs. An AOT cache needs a class path of jars
 * and surefire runs tests on {@code target/classes} directories, so the pool that trains and uses the
 * cache runs in a primary JVM ({@link StartupCachePrimary}) started here on jars made from this JVM's
 * class path; the pool on this JVM's own class path shows what a directory does.
 */
@Timeout(90)
class ProcessStartupCacheTest {

    @Test
    void aPoolOnJarsTrainsTheCacheWithItsFirstChildAndStartsTheNextWithIt() throws Exception {
        Path tmp = Files.createTempDirectory("startup-cache");
        Process primary = null;
        try {
            String classPath = jarredClassPath(Files.createDirectory(tmp.resolve("jars")));
            Path dir = tmp.resolve("cache");
            Path out = tmp.resolve("stdout.txt");
            Path err = tmp.resolve("stderr.txt");
            String java = ProcessHandle.current().info().command().orElseThrow();
            // its own temporary directory for the IPC sockets, removed below whatever happens to the primary
            primary = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Djava.io.tmpdir=" + tmp,
                    "-cp", classPath, StartupCachePrimary.class.getName(), dir.toString())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!primary.waitFor(60, TimeUnit.SECONDS)) {
                fail("the primary did not finish within 60 s; stdout:\n" + Files.readString(out)
                        + "\nstderr:\n" + Files.readString(err));
            }
            List<String> lines = Files.readAllLines(out);
            String report = "stdout:\n" + String.join("\n", lines) + "\nstderr:\n" + Files.readString(err);
            assertEquals(0, primary.exitValue(), report);
            for (String line : lines) {
                assertTrue(line.matches("(TRAIN|EXIT|FILE|USE|ECHO|DONE)(\t.*)?"),
                        "only the primary's own lines on stdout (the JVM's lines about the cache go to stderr): "
                                + line + "\n" + report);
            }

            List<String> training = fact(lines, "TRAIN");
            String prefix = "-XX:AOTCacheOutput=" + dir.toAbsolutePath() + "/loomcluster-";
            assertTrue(training.stream().anyMatch(a -> a.startsWith(prefix) && a.endsWith(".tmp")),
                    "the first child trains, to a temporary file: " + training);
            assertFalse(training.stream().anyMatch(a -> a.startsWith("-XX:AOTCache=") || a.equals("-Xshare:auto")),
                    training.toString());
            assertEquals(List.of("0"), fact(lines, "EXIT"), "the training child exits normally");

            Path file = Path.of(fact(lines, "FILE").getFirst());
            assertEquals(dir.toAbsolutePath(), file.getParent());
            assertTrue(file.getFileName().toString().matches("loomcluster-\\p{XDigit}{24}\\.aot"), file.toString());
            assertTrue(Files.size(file) > 1 << 20, "a cache of the JDK's and loomcluster's classes: "
                    + Files.size(file));
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(file), files.toList(), "the cache, and no temporary file");
            }

            List<String> using = fact(lines, "USE");
            assertTrue(using.contains("-XX:AOTCache=" + file), "the second child uses the cache: " + using);
            assertFalse(using.stream().anyMatch(a -> a.startsWith("-XX:AOTCacheOutput")), using.toString());
            assertEquals(List.of("ping"), fact(lines, "ECHO"), "the child that uses the cache works");
            assertEquals(List.of(), fact(lines, "DONE"));
        } finally {
            if (primary != null) {
                primary.descendants().forEach(ProcessHandle::destroyForcibly);
                primary.destroyForcibly();
                primary.waitFor(10, TimeUnit.SECONDS);
            }
            delete(tmp);
        }
    }

    @Test
    void aDirectoryOnTheClassPathMeansNoCacheOptionsAndTheChildrenStillStart() throws Exception {
        assertTrue(Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .anyMatch(e -> Files.isDirectory(Path.of(e))), "surefire's class path has target/classes");
        Path tmp = Files.createTempDirectory("startup-cache");
        Path dir = tmp.resolve("cache");
        try (LogCapture log = LogCapture.of("dev.loomcluster.pool", Level.INFO)) {
            WorkerPool pool = IsolationTest.builder("p-cache-dir", Isolation.PROCESS, Mains.Echo.class).size(2)
                    .startupCache(dir).build();
            try (pool) {
                Events events = Events.of(pool);
                pool.start();
                events.await("online 1");
                events.await("online 2");
                for (Worker w : pool.workers().values()) {
                    List<String> args = List.of(w.process().orElseThrow().info().arguments().orElseThrow());
                    assertFalse(args.stream().anyMatch(a -> a.startsWith("-XX:AOT") || a.startsWith("-Xlog:aot")),
                            args.toString());
                    assertTrue(args.contains("-Xshare:auto"), "the usual command line: " + args);
                }
            }
            Threads.assertNoneAlive(pool.name());
            List<String> why = log.messages().stream().filter(m -> m.contains("no startup cache")).toList();
            assertEquals(1, why.size(), "logged once for the pool: " + log.messages());
            assertTrue(why.getFirst().contains("the class path has a directory"), why.getFirst());
            assertFalse(Files.exists(dir), "nothing is written");
        } finally {
            delete(tmp);
        }
    }

    /** This JVM's class path with every directory replaced by a jar of its files, made in {@code jars}. */
    private static String jarredClassPath(Path jars) throws IOException {
        List<String> entries = new ArrayList<>();
        int n = 0;
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            if (!Files.isDirectory(p)) {
                entries.add(entry);
                continue;
            }
            Path jar = jars.resolve((n++) + "-" + p.getFileName() + ".jar");
            try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jo = new JarOutputStream(out);
                 Stream<Path> files = Files.walk(p)) {
                for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                    jo.putNextEntry(new JarEntry(p.relativize(f).toString().replace(java.io.File.separatorChar, '/')));
                    Files.copy(f, jo);
                    jo.closeEntry();
                }
            }
            entries.add(jar.toString());
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    /** The values of the one line of {@code fact}. */
    private static List<String> fact(List<String> lines, String fact) {
        List<String> found = lines.stream().filter(l -> l.equals(fact) || l.startsWith(fact + "\t")).toList();
        assertEquals(1, found.size(), "one " + fact + " line in " + lines);
        List<String> parts = List.of(found.getFirst().split("\t", -1));
        return parts.subList(1, parts.size());
    }

    private static void delete(Path tree) throws IOException {
        try (Stream<Path> files = Files.walk(tree)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
