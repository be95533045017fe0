package dev.loomcluster.http;

import dev.loomcluster.WorkerPool;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The server {@link HttpBoundedMemoryTest} starts in a child JVM with a small heap: {@code /big} answers
 * 1 MiB, {@code /heap} the heap in use after a GC, {@code /} a short text. Arguments: the port and
 * {@code loop} or {@code executor} (where handlers run). Prints {@code ready} once both workers listen.
 */
public final class BigAnswerServer {
    static final int BIG = 1 << 20;

    private BigAnswerServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        boolean executor = args[1].equals("executor");
        byte[] big = new byte[BIG];
        var listening = new java.util.concurrent.CountDownLatch(2);
        WorkerPool pool = WorkerPool.builder(ctx -> {
            var server = LoomHttp.create(new InetSocketAddress("127.0.0.1", port), HttpOptions.defaults());
            server.createContext("/big", ex -> {
                ex.sendResponseHeaders(200, big.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(big);
                }
            });
            server.createContext("/heap", ex -> {
                System.gc();
                Runtime rt = Runtime.getRuntime();
                HttpProtocolTest.respond(ex, 200, Long.toString(rt.totalMemory() - rt.freeMemory()));
            });
            server.createContext("/", ex -> HttpProtocolTest.respond(ex, 200, "small"));
            if (executor) {
                server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            }
            server.start();
        }).size(2).name("big").build();
        pool.onListening((w, a) -> listening.countDown());
        pool.onError((w, e) -> {
            System.out.println("worker " + w.id() + " failed: " + e);
            System.out.flush();
        });
        pool.start();
        listening.await();
        System.out.println("ready");
        System.out.flush();
    }
}
