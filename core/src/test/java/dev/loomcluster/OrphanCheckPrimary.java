package dev.loomcluster;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A primary JVM for {@link ProcessOnlyTest}: forks two child JVMs, prints {@code PIDS <a> <b>} once both
 * are online (with the argument {@code busy}: once both block their loops), then waits to be killed (it
 * exits by itself after 30 s).
 */
public final class OrphanCheckPrimary {
    private OrphanCheckPrimary() {
    }

    public static void main(String[] args) throws Exception {
        boolean busy = args.length > 0 && args[0].equals("busy");
        WorkerPool pool = WorkerPool.builder(busy ? Mains.BlockOnMessage.class : Mains.Idle.class).isolation(Isolation.PROCESS).size(2)
                .name("orphan-check").build();
        CountDownLatch online = new CountDownLatch(2);
        pool.onOnline(w -> online.countDown());
        pool.start();
        if (!online.await(20, TimeUnit.SECONDS)) {
            System.out.println("children did not come online");
            System.exit(1);
        }
        if (busy) {
            CountDownLatch blocking = new CountDownLatch(2);
            pool.onMessage((w, m) -> blocking.countDown());
            pool.workers().values().forEach(w -> w.send("block"));
            if (!blocking.await(20, TimeUnit.SECONDS)) {
                System.out.println("children did not block");
                System.exit(1);
            }
        }
        StringBuilder line = new StringBuilder("PIDS");
        pool.workers().values().forEach(w -> line.append(' ').append(w.process().orElseThrow().pid()));
        System.out.println(line);
        System.out.flush();
        Thread.sleep(30_000);
        pool.close();
    }
}
