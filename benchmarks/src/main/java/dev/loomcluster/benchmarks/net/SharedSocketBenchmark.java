package dev.loomcluster.benchmarks.net;

import dev.loomcluster.SchedulingPolicy;
import dev.loomcluster.ThreadKind;
import dev.loomcluster.testing.EchoLoad;
import dev.loomcluster.testing.FreePorts;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;

/**
 * The shared-socket benchmark (issue 3): connections per second accepted and echoed by one server
 * variant, measured with the fixtures' {@link EchoLoad}: each client connection is connect, write
 * {@code payload} bytes, read them back, half-close, read the server's end of stream, close.
 *
 * <p>The client threads run in this JVM, next to the server (same process for every variant, so the
 * client's share of the 2 CPUs is the same for all): {@code clients} platform threads, one connection at
 * a time each (closed loop). One variant per JVM run, so that no variant inherits another's JIT or heap
 * state; {@code run-net.sh} runs each variant several times, interleaved, and reports medians.
 *
 * <p>Usage: {@code SharedSocketBenchmark VARIANT [key=value...]} where VARIANT is {@code nio} (baseline:
 * one NIO selector thread), {@code blocking} (one blocking thread, one connection at a time) or
 * {@code pool} (loomcluster), and the keys are {@code workers=1}, {@code policy=ROUND_ROBIN|SHARED},
 * {@code threads=PLATFORM|VIRTUAL}, {@code clients=4}, {@code payload=64}, {@code warmup=3} and
 * {@code seconds=5} (durations in seconds). Prints one line:
 * {@code net variant=.. workers=.. policy=.. threads=.. clients=.. conns_per_s=.. p50_us=.. p99_us=.. errors=..
 * cpu_us_per_conn=.. sys_share=.. per_worker=..}, where {@code cpu_us_per_conn} is the CPU time this process
 * (server and client together) used during the measured run per connection (less sensitive than
 * conns/s to other processes taking CPUs of a shared machine), {@code sys_share} the kernel's share of
 * it, and {@code per_worker} each worker's count of connections received over warm-up and measurement
 * ({@code -} for the baselines).
 *
 * <p>Threads: main thread builds the server, runs the load (which starts its own client threads) and
 * closes the server.
 */
public final class SharedSocketBenchmark {

    private SharedSocketBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: SharedSocketBenchmark nio|blocking|pool [workers=1] [policy=ROUND_ROBIN|SHARED]"
                    + " [threads=PLATFORM|VIRTUAL] [clients=4] [payload=64] [warmup=3] [seconds=5]");
            System.exit(2);
        }
        String variant = args[0];
        int workers = 1;
        SchedulingPolicy policy = SchedulingPolicy.ROUND_ROBIN;
        ThreadKind threads = ThreadKind.PLATFORM;
        int clients = 4;
        int payload = 64;
        int warmup = 3;
        int seconds = 5;
        for (int i = 1; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("expected key=value: " + args[i]);
            }
            switch (kv[0]) {
                case "workers" -> workers = Integer.parseInt(kv[1]);
                case "policy" -> policy = SchedulingPolicy.valueOf(kv[1].toUpperCase(Locale.ROOT));
                case "threads" -> threads = ThreadKind.valueOf(kv[1].toUpperCase(Locale.ROOT));
                case "clients" -> clients = Integer.parseInt(kv[1]);
                case "payload" -> payload = Integer.parseInt(kv[1]);
                case "warmup" -> warmup = Integer.parseInt(kv[1]);
                case "seconds" -> seconds = Integer.parseInt(kv[1]);
                default -> throw new IllegalArgumentException("unknown key " + kv[0]);
            }
        }
        InetSocketAddress bind = new InetSocketAddress(FreePorts.LOOPBACK, 0);
        int backlog = 1024;
        EchoServer server = switch (variant) {
            case "nio" -> new NioEchoServer(bind, backlog);
            case "blocking" -> new BlockingEchoServer(bind, backlog);
            case "pool" -> new PoolEchoServer(bind, workers, policy, threads, 256);
            default -> throw new IllegalArgumentException("unknown variant " + variant);
        };
        EchoLoad.Result result;
        String distribution;
        ProcessCpu cpuBefore;
        ProcessCpu cpuAfter;
        try {
            EchoLoad load = EchoLoad.to(server.address()).threads(clients).payloadBytes(payload)
                    .timeout(Duration.ofSeconds(5)).maxErrors(1_000);
            EchoLoad.Result warm = load.duration(Duration.ofSeconds(warmup)).run();
            if (warm.errors() > 0) {
                System.err.println("warm-up errors: " + warm);
            }
            cpuBefore = ProcessCpu.now();
            result = load.duration(Duration.ofSeconds(seconds)).run();
            cpuAfter = ProcessCpu.now();
            distribution = server.distribution();
        } finally {
            server.close();
        }
        boolean isPool = variant.equals("pool");
        System.out.printf(Locale.ROOT,
                "net variant=%s workers=%s policy=%s threads=%s clients=%d payload=%d conns_per_s=%.0f p50_us=%.1f"
                        + " p99_us=%.1f errors=%d cpu_us_per_conn=%.1f sys_share=%.2f per_worker=%s%n",
                variant, isPool ? workers : 1, isPool ? policy : "-", isPool ? threads : "-", clients, payload,
                result.connectionsPerSecond(), result.p50Nanos() / 1e3, result.p99Nanos() / 1e3, result.errors(),
                cpuAfter.micros(cpuBefore) / Math.max(1, result.connections()), cpuAfter.sysShare(cpuBefore), distribution);
        if (result.errors() > 0) {
            System.err.println("errors: " + result.errorSamples());
        }
    }
}
