package dev.loomcluster;

import java.util.Objects;

/**
 * Clean stops for a server's JVM: SIGTERM (Kubernetes, systemd, {@code docker stop}) and SIGINT (Ctrl-C)
 * drain the pool and the JVM exits with status 0.
 *
 * <p>Built on a JVM shutdown hook (no {@code sun.misc.Signal}): on the signal the JVM starts its shutdown
 * with the pool's threads still running; the hook calls {@link WorkerPool#close()}, which disconnects every
 * worker (requests in flight finish; with no other worker left, connections are served for the pool's
 * {@link WorkerPool.Builder#drainGrace drain grace} and answered with {@code Connection: close} by the HTTP
 * server) and waits at most the pool's {@link WorkerPool.Builder#shutdownTimeout shutdown timeout} before
 * killing what is left; then it halts the JVM with status 0 (a JVM ended by a signal would report 143 or
 * 130). Other shutdown hooks run at the same time and may be cut short by the halt. Because shutdown hooks
 * also run on {@link System#exit}, an exit with another status drains too and ends with status 0.
 */
public final class Signals {
    private Signals() {
    }

    /** {@link #drainOnTermination(WorkerPool, Runnable)} with nothing run first. */
    public static Registration drainOnTermination(WorkerPool pool) {
        return drainOnTermination(pool, () -> {
        });
    }

    /**
     * Installs the hook described above; {@code beforeDrain} runs first, on the hook's thread (to log the
     * stop, or to fail a readiness check). Any thread.
     *
     * @return removes the hook (while the JVM is not shutting down yet)
     */
    public static Registration drainOnTermination(WorkerPool pool, Runnable beforeDrain) {
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(beforeDrain, "beforeDrain");
        Thread hook = Thread.ofPlatform().name(pool.name() + "-drain-on-signal").unstarted(() -> {
            try {
                beforeDrain.run();
                pool.close();
            } catch (Throwable t) {
                System.getLogger("dev.loomcluster").log(System.Logger.Level.ERROR,
                        "draining pool " + pool.name() + " on termination failed", t);
            } finally {
                System.out.flush();
                System.err.flush();
                Runtime.getRuntime().halt(0);
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        return () -> {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // too late: the hook runs
            }
        };
    }
}
