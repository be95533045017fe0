package dev.loomcluster.benchmarks.isolation;

import dev.loomcluster.Isolation;
import dev.loomcluster.Worker;
import dev.loomcluster.WorkerPool;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Message round trips driven from the primary loop, as {@code node/cluster-bench.js} measures Node's
 * cluster: the pool's {@code onMessage} listener (primary loop) records the time of each echo and sends
 * the next message at once, so a round trip is primary loop → worker → primary loop, with no benchmark
 * thread in between (JMH's {@link IsolationRoundTripBenchmark} has that one more hand-off). Runs
 * {@code warmUp} round trips, then {@code n} measured ones, for each isolation and payload; prints
 * {@code loop_round_trip isolation=.. payload=.. p50_us=.. p99_us=.. n=..}.
 * Usage: {@code LoopRoundTrip [n=20000] [warmUp=5000] [child JVM options...]}. Main thread waits; the primary loop drives.
 */
public final class LoopRoundTrip {
    private LoopRoundTrip() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int warmUp = args.length > 1 ? Integer.parseInt(args[1]) : 5_000;
        String childOptions = args.length > 2 ? String.join(" ", Arrays.asList(args).subList(2, args.length)) : "none";
        for (Isolation isolation : Isolation.values()) {
            for (String payload : new String[]{"record", "1k", "64k"}) {
                run(isolation, payload, n, warmUp, childOptions);
            }
        }
    }

    private static void run(Isolation isolation, String payload, int n, int warmUp, String childOptions)
            throws Exception {
        Object message = switch (payload) {
            case "record" -> new Workers.Quote("LOOM", 4_200, 100);
            case "1k" -> new byte[1024];
            default -> new byte[64 * 1024];
        };
        long[] latencies = new long[n];
        CompletableFuture<Void> done = new CompletableFuture<>();
        try (WorkerPool pool = Pools.builder("iso-loop", isolation, Workers.Echo.class, childOptions).build()) {
            int[] count = {0};
            long[] sentAt = {0};
            Worker[] worker = new Worker[1];
            pool.onMessage((w, m) -> { // primary loop
                int i = count[0]++;
                if (i >= warmUp) {
                    latencies[i - warmUp] = System.nanoTime() - sentAt[0];
                }
                if (i + 1 == warmUp + n) {
                    done.complete(null);
                    return;
                }
                sentAt[0] = System.nanoTime();
                w.send(message);
            });
            pool.onOnline(w -> { // primary loop: the first message
                worker[0] = w;
                sentAt[0] = System.nanoTime();
                w.send(message);
            });
            pool.start();
            done.get(300, TimeUnit.SECONDS);
        }
        Arrays.sort(latencies);
        System.out.printf("loop_round_trip isolation=%s payload=%s p50_us=%.1f p99_us=%.1f n=%d child=%s%n", isolation, payload,
                latencies[n / 2] / 1e3, latencies[(int) (n * 0.99)] / 1e3, n, childOptions.replace(' ', '_'));
    }
}
