package dev.loomcluster;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Worker main classes for tests that run in both isolations: a child JVM makes its own instance by name,
 * so each is a public class with a public no-argument constructor. Each reads what it should do from its
 * env or its messages.
 */
public final class Mains {
    private Mains() {
    }

    /** A record and an enum that cross the IPC channel (resolved by the application's class loader). */
    public record Point(int x, int y, String label) {
        public Point {
            if (x < 0) {
                throw new IllegalArgumentException("x must not be negative: " + x);
            }
        }
    }

    public enum Color { RED, GREEN }

    /**
     * Echoes every message; on {@code "boom"} throws; on {@code "exit N"} exits with N; on
     * {@code "sysexit N"} calls System.exit (process mode only); on {@code "halt N"} halts (process mode
     * only); on {@code "env K"} answers System.getenv(K); on {@code "disconnect"} disconnects itself; on
     * {@code "pid"} answers its pid. MODE in env picks a crash at start.
     */
    public static final class Echo implements WorkerMain {
        @Override
        public void start(WorkerContext ctx) {
            ctx.onMessage(m -> {
                if (m instanceof String s) {
                    String arg = s.indexOf(' ') < 0 ? "" : s.substring(s.indexOf(' ') + 1);
                    switch (s.indexOf(' ') < 0 ? s : s.substring(0, s.indexOf(' '))) {
                        case "boom" -> throw new IllegalStateException("boom");
                        case "exit" -> {
                            ctx.exit(Integer.parseInt(arg));
                            return;
                        }
                        case "sysexit" -> System.exit(Integer.parseInt(arg));
                        case "halt" -> Runtime.getRuntime().halt(Integer.parseInt(arg));
                        case "env" -> {
                            ctx.send(String.valueOf(System.getenv(arg)));
                            return;
                        }
                        case "ctxenv" -> {
                            ctx.send(String.valueOf(ctx.env().get(arg)));
                            return;
                        }
                        case "disconnect" -> {
                            ctx.disconnect();
                            return;
                        }
                        case "pid" -> {
                            ctx.send(ProcessHandle.current().pid());
                            return;
                        }
                        case "loops" -> { // how many of the pool's event loops run in other processes
                            ctx.send(dev.loomcluster.internal.loop.EventLoop.loopsElsewhere());
                            return;
                        }
                        case "current" -> {
                            ctx.send(WorkerContext.current().map(c -> c.id()).orElse(-1));
                            return;
                        }
                        case "burst" -> {
                            int n = Integer.parseInt(arg);
                            for (int i = 0; i < n; i++) {
                                ctx.send(i);
                            }
                            return;
                        }
                        case "oom" -> {
                            List<byte[]> hog = new java.util.ArrayList<>();
                            while (true) {
                                hog.add(new byte[1 << 20]);
                            }
                        }
                        default -> {
                        }
                    }
                }
                ctx.send(m);
            });
            switch (ctx.env().getOrDefault("MODE", "")) {
                case "start" -> throw new IllegalStateException("boom at start");
                case "exit" -> ctx.exit(42);
                case "sysexit" -> System.exit(7);
                case "slowexit" -> ctx.schedule(Duration.ofMillis(200), () -> ctx.exit(0));
                default -> {
                }
            }
        }
    }

    /** Does nothing: a worker that idles until it is disconnected or killed. */
    public static final class Idle implements WorkerMain {
        @Override
        public void start(WorkerContext ctx) {
        }
    }

    /** Blocks its loop for 30 s on any message (and answers first): a worker whose loop cannot read. */
    public static final class BlockOnMessage implements WorkerMain {
        @Override
        public void start(WorkerContext ctx) {
            ctx.onMessage(m -> {
                ctx.send("blocking");
                try {
                    Thread.sleep(30_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    /** Its constructor throws. */
    public static final class BadConstructor implements WorkerMain {
        public BadConstructor() {
            throw new IllegalStateException("constructor says no");
        }

        @Override
        public void start(WorkerContext ctx) {
        }
    }

    /** On {@code "raw <hex>"} writes those bytes as they are on its IPC socket (process mode only). */
    public static final class Hostile implements WorkerMain {
        @Override
        public void start(WorkerContext ctx) {
            ctx.onMessage(m -> {
                if (m instanceof String s && s.startsWith("raw ")) {
                    try {
                        dev.loomcluster.internal.process.ChildMain.writeRawForTest(
                                java.util.HexFormat.of().parseHex(s.substring(4)));
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            });
        }
    }

    /** Sample messages of every allowed kind. */
    static List<Object> samples() {
        java.util.Map<String, Object> map = new java.util.LinkedHashMap<>();
        map.put("a", 1);
        map.put("b", null);
        return List.of("text", "ünïcödé ✓", 42, 7L, 2.5, 1.5f, true, 'c', (byte) 3, (short) 4,
                new Point(1, 2, "p"), Color.GREEN, new byte[]{1, 2, 3}, List.of(1, "two", List.of(3)),
                java.util.Set.of("only"), map, Map.of("point", new Point(3, 4, "q")), new byte[64 * 1024]);
    }
}
