package dev.loomcluster.benchmarks.isolation;

import dev.loomcluster.Isolation;
import dev.loomcluster.Worker;
import dev.loomcluster.WorkerPool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Memory per idle child JVM: forks {@code n} idle workers in {@code Isolation.PROCESS}, waits until all
 * are online and 3 s more (start-up garbage settles), then reads each child's {@code Pss} and {@code Rss}
 * from {@code /proc/<pid>/smaps_rollup} (PSS splits shared pages, such as the CDS archive and libjvm,
 * among the processes that map them, so it is what each child adds). Prints
 * {@code memory process children=n pss_kib_per_child=.. rss_kib_per_child=..}.
 * Usage: {@code ProcessMemory [n=4] [child options...]}. Main thread.
 */
public final class ProcessMemory {
    private ProcessMemory() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        String options = args.length > 1 ? String.join(" ", List.of(args).subList(1, args.length)) : "none";
        try (WorkerPool pool = Pools.builder("iso-mem", Isolation.PROCESS, Workers.Idle.class, options).size(n).build()) {
            CountDownLatch online = new CountDownLatch(n);
            pool.onOnline(w -> online.countDown());
            pool.start();
            if (!online.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("children did not come online");
            }
            Thread.sleep(3_000);
            long pss = 0;
            long rss = 0;
            List<Long> each = new ArrayList<>();
            for (Worker w : pool.workers().values()) {
                long pid = w.process().orElseThrow().pid();
                long p = field(pid, "Pss:");
                pss += p;
                rss += field(pid, "Rss:");
                each.add(p);
            }
            System.out.printf("memory process children=%d pss_kib_per_child=%d rss_kib_per_child=%d pss_kib_each=%s options=%s%n",
                    n, pss / n, rss / n, each, options.replace(' ', '_'));
        }
    }

    private static long field(long pid, String name) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps_rollup"))) {
            if (line.startsWith(name)) {
                return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IOException(name + " not in /proc/" + pid + "/smaps_rollup");
    }
}
