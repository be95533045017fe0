package dev.loomcluster.benchmarks.isolation;

import dev.loomcluster.Isolation;
import dev.loomcluster.WorkerPool;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A training run for a child JVM's start-up archive: forks one echo worker in {@code Isolation.PROCESS}
 * with {@code <option>=<file>} (e.g. {@code -XX:AOTCacheOutput} for the JDK 25 AOT cache, JEP 483/514, or
 * {@code -XX:ArchiveClassesAtExit} for AppCDS), exchanges 2,000 messages, disconnects it and waits until
 * the child has exited and written {@code file}. Usage: {@code TrainChild <option> <file>}. Main thread.
 */
public final class TrainChild {
    private TrainChild() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[1]).toAbsolutePath();
        Files.deleteIfExists(file);
        try (WorkerPool pool = Pools.builder("iso-train", Isolation.PROCESS, Workers.Echo.class,
                args[0] + "=" + file).build()) {
            CountDownLatch online = new CountDownLatch(1);
            var replies = new LinkedBlockingQueue<Object>();
            pool.onOnline(w -> online.countDown());
            pool.onMessage((w, m) -> replies.add(m));
            pool.start();
            if (!online.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the training child did not come online");
            }
            var worker = pool.workers().values().iterator().next();
            for (int i = 0; i < 2_000; i++) {
                worker.send(i % 2 == 0 ? new Workers.Quote("T", i, i) : new byte[1024]);
                if (replies.poll(10, TimeUnit.SECONDS) == null) {
                    throw new IllegalStateException("no echo from the training child");
                }
            }
            worker.disconnect().get(120, TimeUnit.SECONDS);
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("the child wrote no " + file);
        }
        System.out.println("trained " + file + " (" + Files.size(file) / 1024 + " KiB)");
    }
}
