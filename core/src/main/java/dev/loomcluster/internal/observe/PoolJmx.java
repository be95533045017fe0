package dev.loomcluster.internal.observe;

import dev.loomcluster.PoolStats;
import dev.loomcluster.WorkerPoolMXBean;
import dev.loomcluster.WorkerStats;

import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The {@link WorkerPoolMXBean} of one pool and its registration. The first use of the platform MBean
 * server builds every platform MXBean, which takes 50 to 350 ms, so registration does not hold up
 * {@code build()}: it runs on a virtual thread, one pool after another in the order they were built
 * (so of two pools named {@code p} the first gets {@code name=p}, the second {@code name=p-2}).
 * {@link #unregister} never waits: a bean still being registered is unregistered by its registering
 * thread. Any thread.
 */
public final class PoolJmx implements WorkerPoolMXBean {
    static final String DOMAIN = "dev.loomcluster";
    private static final Executor REGISTRAR = task -> Thread.ofVirtual().name("dev.loomcluster.jmx").start(task);

    // ---- guarded by CHAIN (any thread)
    private static final Object CHAIN = new Object();
    private static CompletableFuture<Void> last = CompletableFuture.completedFuture(null);

    /** Where the bean is; moved forward only, under the bean's monitor. */
    private enum State { PENDING, REGISTERED, UNREGISTERED }

    // ---- immutable
    private final String name;
    private final Supplier<PoolStats> stats;

    // ---- guarded by this (any thread)
    private State state = State.PENDING;
    private ObjectName objectName;

    private PoolJmx(String name, Supplier<PoolStats> stats) {
        this.name = name;
        this.stats = stats;
    }

    /**
     * Registers a pool's MXBean in the platform MBean server, soon, after the pools built before it. A
     * failure (no management in this runtime) is logged and the pool runs without it.
     */
    public static PoolJmx register(String pool, Supplier<PoolStats> stats) {
        PoolJmx bean = new PoolJmx(pool, stats);
        synchronized (CHAIN) {
            last = last.handleAsync((ignored, failure) -> {
                bean.registerNow();
                return null;
            }, REGISTRAR);
        }
        return bean;
    }

    private void registerNow() {
        synchronized (this) {
            if (state != State.PENDING) {
                return; // closed before its turn
            }
        }
        ObjectName on = null;
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            for (int n = 1; on == null; n++) {
                ObjectName candidate = objectName(n == 1 ? name : name + "-" + n);
                try {
                    server.registerMBean(this, candidate);
                    on = candidate;
                } catch (InstanceAlreadyExistsException taken) {
                    // another pool of this name: try the next suffix
                }
            }
        } catch (JMException | RuntimeException | LinkageError e) {
            Log.POOL.log(System.Logger.Level.WARNING, "pool " + name + ": cannot register its MBean: " + e);
        }
        boolean closedMeanwhile;
        synchronized (this) {
            closedMeanwhile = state != State.PENDING;
            if (!closedMeanwhile) {
                state = on != null ? State.REGISTERED : State.UNREGISTERED;
                objectName = on;
            }
        }
        if (closedMeanwhile && on != null) {
            unregister(on);
        }
    }

    /** Where the bean is registered, {@code null} if it is not (yet, or any more). */
    public synchronized ObjectName objectName() {
        return objectName;
    }

    /** Unregisters the bean, or makes sure it never is; idempotent, never waits. */
    public void unregister() {
        ObjectName on;
        synchronized (this) {
            on = state == State.REGISTERED ? objectName : null;
            state = State.UNREGISTERED;
            objectName = null;
        }
        if (on != null) {
            unregister(on);
        }
    }

    private void unregister(ObjectName on) {
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(on);
        } catch (InstanceNotFoundException gone) {
            // unregistered by someone else: nothing left to do
        } catch (JMException | RuntimeException e) {
            Log.POOL.log(System.Logger.Level.WARNING, "pool " + name + ": cannot unregister its MBean: " + e);
        }
    }

    static ObjectName objectName(String pool) throws MalformedObjectNameException {
        boolean plain = pool.chars().noneMatch(c -> ",=:\"*?\n\\".indexOf(c) >= 0);
        return new ObjectName(DOMAIN + ":type=WorkerPool,name=" + (plain ? pool : ObjectName.quote(pool)));
    }

    // ---------------------------------------------------------------- attributes

    @Override
    public String getName() {
        return name;
    }

    @Override
    public int getWorkers() {
        return stats.get().workers().size();
    }

    @Override
    public long getForked() {
        return stats.get().forked();
    }

    @Override
    public int getLeakedThreads() {
        return stats.get().leakedThreads();
    }

    @Override
    public long getRestarts() {
        return stats.get().restarts();
    }

    @Override
    public long getMessagesIn() {
        return stats.get().workers().stream().mapToLong(WorkerStats::messagesIn).sum();
    }

    @Override
    public long getMessagesOut() {
        return stats.get().workers().stream().mapToLong(WorkerStats::messagesOut).sum();
    }

    @Override
    public long getConnectionsOpen() {
        return stats.get().workers().stream().mapToLong(WorkerStats::connectionsOpen).sum();
    }

    @Override
    public long getConnectionsReceived() {
        return stats.get().workers().stream().mapToLong(WorkerStats::connectionsReceived).sum();
    }

    @Override
    public long getRequestsServed() {
        return stats.get().workers().stream().mapToLong(WorkerStats::requestsServed).sum();
    }

    @Override
    public long getMaxLoopLagP99Micros() {
        return stats.get().workers().stream().mapToLong(w -> w.loopLagP99().toNanos() / 1000).max().orElse(0);
    }

    @Override
    public Map<Integer, WorkerInfo> getWorkerStats() {
        Map<Integer, WorkerInfo> m = new LinkedHashMap<>();
        for (WorkerStats w : stats.get().workers()) {
            m.put(w.id(), new Info(w));
        }
        return m;
    }

    /** One worker's stats as the MXBean's composite type. */
    private record Info(WorkerStats s) implements WorkerInfo {
        @Override
        public int getId() {
            return s.id();
        }

        @Override
        public long getMessagesIn() {
            return s.messagesIn();
        }

        @Override
        public long getMessagesOut() {
            return s.messagesOut();
        }

        @Override
        public int getMailboxDepth() {
            return s.mailboxDepth();
        }

        @Override
        public long getUptimeMillis() {
            return s.uptime().toMillis();
        }

        @Override
        public double getLoopUtilization() {
            return s.loopUtilization();
        }

        @Override
        public int getRestarts() {
            return s.restarts();
        }

        @Override
        public long getConnectionsReceived() {
            return s.connectionsReceived();
        }

        @Override
        public long getConnectionsOpen() {
            return s.connectionsOpen();
        }

        @Override
        public long getRequestsServed() {
            return s.requestsServed();
        }

        @Override
        public long getLoopLagP50Micros() {
            return s.loopLagP50().toNanos() / 1000;
        }

        @Override
        public long getLoopLagP99Micros() {
            return s.loopLagP99().toNanos() / 1000;
        }
    }
}
