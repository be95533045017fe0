package dev.loomcluster.testing;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Snapshots of live threads' names, to assert that closing something left no thread behind.
 *
 * <p>{@link #platform()} is cheap ({@link Thread#getAllStackTraces()}) but sees only platform threads.
 * {@link #all()} also sees virtual threads: it takes a JSON thread dump through
 * {@link HotSpotDiagnosticMXBean#dumpThreads} (some tens of milliseconds) and reads the names from it; it
 * sees every virtual thread started with the {@code Thread} API as long as {@code jdk.trackAllThreads}
 * is not turned off. Names are kept with repeats (a multiset, sorted), since thread names need not be
 * unique.
 *
 * <p>Runs on the calling thread; stateless; any thread.
 */
public final class Threads {

    private static final Pattern NAME = Pattern.compile("^\\s*\"name\": \"((?:[^\"\\\\]|\\\\.)*)\",?\\s*$");

    private Threads() {
    }

    /** The names of the live platform threads, sorted. */
    public static List<String> platform() {
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive()) {
                names.add(t.getName());
            }
        }
        Collections.sort(names);
        return List.copyOf(names);
    }

    /** The names of the live platform and virtual threads, sorted (see the class comment). */
    public static List<String> all() {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("loomcluster-threads");
            Path file = dir.resolve("dump.json");
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
            List<String> names = new ArrayList<>();
            for (String line : Files.readAllLines(file)) {
                Matcher m = NAME.matcher(line);
                if (m.matches()) {
                    names.add(unescape(m.group(1)));
                }
            }
            Collections.sort(names);
            return List.copyOf(names);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot dump threads", e);
        } finally {
            if (dir != null) {
                try {
                    Files.deleteIfExists(dir.resolve("dump.json"));
                    Files.deleteIfExists(dir);
                } catch (IOException ignored) {
                    // a temporary file left behind is harmless
                }
            }
        }
    }

    /**
     * The names in {@code now} that are not in {@code before}, counting repeats: if {@code before} had one
     * thread named "x" and {@code now} has two, one "x" is new.
     */
    public static List<String> newSince(List<String> before, List<String> now) {
        List<String> left = new ArrayList<>(now);
        for (String name : before) {
            left.remove(name);
        }
        return List.copyOf(left);
    }

    /**
     * Waits until no live thread (platform, or also virtual if {@code includeVirtual}) has a name
     * matching {@code leaked}, polling every 10 ms.
     *
     * @param what names the threads in the failure message, e.g. {@code "threads of pool 'echo'"}
     * @throws AssertionError after {@code timeout}, listing the matching threads still alive
     */
    public static void awaitNone(String what, Predicate<String> leaked, boolean includeVirtual, Duration timeout) {
        Objects.requireNonNull(leaked, "leaked");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> alive = (includeVirtual ? all() : platform()).stream().filter(leaked).toList();
            if (alive.isEmpty()) {
                return;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms awaiting the end of "
                        + what + "; still alive: " + alive);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted awaiting the end of " + what, e);
            }
        }
    }

    /**
     * Waits until every thread alive now that was not in {@code before} has ended; see
     * {@link #awaitNone}. Use with a {@code before} taken by the same method ({@link #platform()} when
     * {@code includeVirtual} is false, {@link #all()} when true).
     */
    public static void awaitNoNewThreads(String what, List<String> before, boolean includeVirtual, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> extra = newSince(before, includeVirtual ? all() : platform());
            if (extra.isEmpty()) {
                return;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms awaiting the end of "
                        + what + "; threads started since and still alive: " + extra);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted awaiting the end of " + what, e);
            }
        }
    }

    private static String unescape(String json) {
        if (json.indexOf('\\') < 0) {
            return json;
        }
        StringBuilder out = new StringBuilder(json.length());
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c != '\\' || i + 1 == json.length()) {
                out.append(c);
                continue;
            }
            char e = json.charAt(++i);
            switch (e) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'u' -> {
                    if (i + 4 < json.length()) {
                        out.append((char) Integer.parseInt(json.substring(i + 1, i + 5), 16));
                        i += 4;
                    }
                }
                default -> out.append(e); // \" \\ \/
            }
        }
        return out.toString();
    }
}
