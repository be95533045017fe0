package dev.loomcluster.benchmarks;

import dev.loomcluster.IdleStrategy;
import dev.loomcluster.ThreadKind;
import dev.loomcluster.Worker;
import dev.loomcluster.WorkerPool;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The message round trip as Node's cluster benchmark drives it: from the primary's {@code onMessage}
 * listener. The listener receives the worker's echo, records the time since it sent the previous ping, and
 * sends the next one, so only the primary loop and the worker loop take part (no third thread). A plain
 * main rather than JMH: every single round trip is timed ({@code System.nanoTime()} on the primary loop,
 * ~25 ns) and the exact p50/p99/p99.9 of all of them are printed.
 *
 * <p>Method: per round and per thread kind (interleaved, a fresh pool each time): {@code warmup} round
 * trips untimed, then {@code count} timed ones; median of the rounds' percentiles at the end.
 *
 * <p>Usage: {@code ListenerRoundTrip [rounds=5] [count=200000] [warmup=50000] [kinds=PLATFORM,VIRTUAL] [idle=auto]}
 * ({@code idle}: park, auto or backoff, see {@link Idle}).
 * Prints {@code listener_rt threads=.. round=.. p50_us=.. p99_us=.. p999_us=.. mean_us=..} per run and a
 * {@code listener_rt_median ...} line per kind. Runs on the main thread; the pool's threads do the work.
 */
public final class ListenerRoundTrip {
    private static final String PING = "ping";

    private ListenerRoundTrip() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 50_000;
        String idleName = args.length > 4 ? args[4] : "auto";
        IdleStrategy idle = Idle.of(idleName);
        List<ThreadKind> kinds = new ArrayList<>();
        for (String k : (args.length > 3 ? args[3] : "PLATFORM,VIRTUAL").split(",")) {
            kinds.add(ThreadKind.valueOf(k.trim().toUpperCase(Locale.ROOT)));
        }
        double[][][] results = new double[kinds.size()][rounds][];
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < kinds.size(); k++) {
                double[] p = run(kinds.get(k), idle, count, warmup);
                results[k][r] = p;
                System.out.printf(Locale.ROOT, "listener_rt threads=%s idle=%s round=%d p50_us=%.2f p99_us=%.2f p999_us=%.2f mean_us=%.2f%n",
                        kinds.get(k), idleName, r + 1, p[0], p[1], p[2], p[3]);
            }
        }
        for (int k = 0; k < kinds.size(); k++) {
            System.out.printf(Locale.ROOT, "listener_rt_median threads=%s idle=%s rounds=%d p50_us=%.2f p99_us=%.2f p999_us=%.2f mean_us=%.2f%n",
                    kinds.get(k), idleName, rounds, median(results[k], 0), median(results[k], 1), median(results[k], 2),
                    median(results[k], 3));
        }
    }

    /** One pool, one worker: returns p50, p99, p99.9 and mean in microseconds. */
    static double[] run(ThreadKind kind, IdleStrategy idle, int count, int warmup) throws Exception {
        long[] samples = new long[count];
        CompletableFuture<Void> done = new CompletableFuture<>();
        CompletableFuture<Worker> online = new CompletableFuture<>();
        try (WorkerPool pool = WorkerPool.builder(ctx -> ctx.onMessage(ctx::send))
                .name("listener-rt").size(1).threads(kind).idleStrategy(idle).build()) {
            // Primary loop only: no synchronisation needed between these.
            long[] state = new long[2]; // [0] = round trips completed, [1] = nanoTime of the last send
            pool.onOnline(online::complete);
            pool.onMessage((w, message) -> {
                long now = System.nanoTime();
                long n = state[0]++;
                if (!PING.equals(message)) {
                    done.completeExceptionally(new IllegalStateException("echo was " + message));
                    return;
                }
                if (n >= warmup) {
                    samples[(int) (n - warmup)] = now - state[1];
                }
                if (n + 1 < (long) warmup + count) {
                    state[1] = System.nanoTime();
                    w.send(PING);
                } else {
                    done.complete(null);
                }
            });
            pool.start();
            Worker worker = online.get(10, TimeUnit.SECONDS);
            worker.send(PING);
            done.get(5, TimeUnit.MINUTES);
        }
        Arrays.sort(samples);
        double sum = 0;
        for (long s : samples) {
            sum += s;
        }
        return new double[]{at(samples, 0.50), at(samples, 0.99), at(samples, 0.999), sum / count / 1000.0};
    }

    private static double at(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))] / 1000.0;
    }

    private static double median(double[][] perRound, int index) {
        double[] v = new double[perRound.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = perRound[i][index];
        }
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
