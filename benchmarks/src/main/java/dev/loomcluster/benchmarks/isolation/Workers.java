package dev.loomcluster.benchmarks.isolation;

import dev.loomcluster.WorkerContext;
import dev.loomcluster.WorkerMain;

/** Worker mains of the isolation benchmarks; each runs on its worker's loop, in a thread or a child JVM. */
public final class Workers {
    private Workers() {
    }

    /** The small record of the round-trip benchmark. */
    public record Quote(String symbol, long price, int size) {
    }

    /** Echoes every message. */
    public static final class Echo implements WorkerMain {
        @Override
        public void start(WorkerContext ctx) {
            ctx.onMessage(ctx::send);
        }
    }

    /** Counts messages; on a {@code Long} n it answers once it has counted n messages since the last answer. */
    public static final class Counter implements WorkerMain {
        private long count;
        private long target = -1;

        @Override
        public void start(WorkerContext ctx) {
            ctx.onMessage(m -> {
                if (m instanceof Long n) {
                    target = n;
                } else {
                    count++;
                }
                if (target >= 0 && count >= target) {
                    ctx.send(count);
                    count = 0;
                    target = -1;
                }
            });
        }
    }

    /** Does nothing: an idle worker. */
    public static final class Idle implements WorkerMain {
        @Override
        public void start(WorkerContext ctx) {
        }
    }
}
