package dev.loomcluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A primary JVM for {@link ProcessStartupCacheTest}, started on a class path of jars: a pool in
 * {@code Isolation.PROCESS} with {@code startupCache(<args[0]>)} forks a first worker, disconnects it once
 * online, waits for the cache file to appear, forks a second and exchanges a message with it. It prints one
 * tab-separated line per fact for the test to check ({@code TRAIN} and {@code USE} with the child's
 * command-line arguments, {@code FILE}, {@code ECHO}, {@code EXIT} with the first child's exit code,
 * {@code DONE}), or {@code FAIL} and exits with 1. Nothing else it does writes to stdout.
 */
public final class StartupCachePrimary {
    private static final long TIMEOUT_SECONDS = 20;

    private StartupCachePrimary() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        WorkerPool pool = WorkerPool.builder(Mains.Echo.class).isolation(Isolation.PROCESS).size(0)
                .name("cache-check").startupCache(dir)
                .shutdownTimeout(Duration.ofSeconds(5)).killTimeout(Duration.ofSeconds(2)).build();
        try (pool) {
            var online = new LinkedBlockingQueue<Integer>();
            var exits = new LinkedBlockingQueue<ExitStatus>();
            var messages = new LinkedBlockingQueue<Object>();
            pool.onOnline(w -> online.add(w.id()));
            pool.onExit((w, s) -> exits.add(s));
            pool.onMessage((w, m) -> messages.add(m));

            Worker trainer = pool.fork();
            expect("the first worker online", online.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            print("TRAIN", arguments(trainer));
            trainer.disconnect();
            ExitStatus exit = expect("the first worker's exit", exits.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            print("EXIT", List.of(String.valueOf(exit.code())));
            Path file = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
            while (file == null && System.nanoTime() < deadline) {
                try (Stream<Path> files = Files.list(dir)) {
                    file = files.filter(p -> p.getFileName().toString().endsWith(".aot")).findFirst().orElse(null);
                }
                Thread.sleep(5);
            }
            print("FILE", List.of(String.valueOf(expect("a cache file in " + dir, file))));

            Worker user = pool.fork();
            expect("the second worker online", online.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            print("USE", arguments(user));
            user.send("ping");
            print("ECHO", List.of(String.valueOf(expect("an echo", messages.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS)))));
        }
        print("DONE", List.of());
    }

    private static List<String> arguments(Worker w) {
        return List.of(w.process().orElseThrow().info().arguments().orElseThrow());
    }

    private static <T> T expect(String what, T value) {
        if (value == null) {
            print("FAIL", List.of("timed out waiting for " + what));
            System.exit(1);
        }
        return value;
    }

    private static void print(String fact, List<String> values) {
        StringBuilder line = new StringBuilder(fact);
        values.forEach(v -> line.append('\t').append(v));
        System.out.println(line);
        System.out.flush();
    }
}
