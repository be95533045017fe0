package dev.loomcluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Thread snapshots. {@link Thread#getAllStackTraces()} lists platform threads only, so virtual threads are
 * found in a JSON thread dump (which lists every thread started with the {@code Thread} API). The dump is
 * reached reflectively: the tests compile inside module {@code dev.loomcluster}, which does not read
 * {@code jdk.management}, but run on the class path.
 */
final class Threads {
    private static final Pattern NAME = Pattern.compile("\"name\": \"((?:[^\"\\\\]|\\\\.)*)\"");

    private Threads() {
    }

    /** Names of the live threads, platform and virtual, whose name starts with {@code prefix}. */
    static Set<String> alive(String prefix) {
        Set<String> names = new TreeSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith(prefix)) {
                names.add(t.getName());
            }
        }
        try {
            Path dir = Files.createTempDirectory("loomcluster-threads");
            Path file = dir.resolve("dump.json");
            try {
                dumpThreads(file);
                Matcher m = NAME.matcher(Files.readString(file));
                while (m.find()) {
                    String name = m.group(1).replace("\\/", "/");
                    if (name.startsWith(prefix)) {
                        names.add(name);
                    }
                }
            } finally {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void dumpThreads(Path file) throws IOException {
        try {
            Class<?> factory = Class.forName("java.lang.management.ManagementFactory");
            Class<?> beanType = Class.forName("com.sun.management.HotSpotDiagnosticMXBean");
            Class<? extends Enum> format = (Class<? extends Enum>)
                    Class.forName("com.sun.management.HotSpotDiagnosticMXBean$ThreadDumpFormat");
            Object bean = factory.getMethod("getPlatformMXBean", Class.class).invoke(null, beanType);
            beanType.getMethod("dumpThreads", String.class, format)
                    .invoke(bean, file.toString(), Enum.valueOf(format, "JSON"));
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException("thread dump failed", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("no thread dump support in this JDK", e);
        }
    }

    /** Asserts that no thread of the pool named {@code poolName} ({@code <name>-...}) is alive. */
    static void assertNoneAlive(String poolName) {
        assertEquals(Set.of(), alive(poolName + "-"), "threads of pool " + poolName + " still alive");
    }
}
