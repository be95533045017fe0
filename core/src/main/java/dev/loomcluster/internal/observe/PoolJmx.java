package dev.loomcluster.internal.observe;

import dev.loomcluster.PoolStats;
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
import java.util.function.Supplier;

/**
 * The {@link WorkerPoolMXBean} of one pool and its registration. {@link #register} picks a unique name:
 * {@code name=<pool>}, or {@code name=<pool>-2}, {@code -3}… when a pool of that name is registered
 * already. Any thread.
 */
public final class PoolJmx implements WorkerPoolMXBean {
    static final String DOMAIN = "dev.loomcluster";

    // ---- immutable
    private final String name;
    private final Supplier<PoolStats> stats;

    // ---- any thread
    private volatile ObjectName objectName;

    private PoolJmx(String name, Supplier<PoolStats> stats) {
        this.name = name;
        this.stats = stats;
    }

    /**
     * Registers a pool's MXBean in the platform MBean server. A failure (no management in this runtime, a
     * security policy) is logged and the pool runs without it.
     */
    public static PoolJmx register(String pool, Supplier<PoolStats> stats) {
        PoolJmx bean = new PoolJmx(pool, stats);
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            for (int n = 1; ; n++) {
                ObjectName on = objectName(n == 1 ? pool : pool + "-" + n);
                try {
                    server.registerMBean(bean, on);
                    bean.objectName = on;
                    break;
                } catch (InstanceAlreadyExistsException taken) {
                    // another pool of this name: try the next suffix
                }
            }
        } catch (JMException | RuntimeException | LinkageError e) {
            Log.POOL.log(System.Logger.Level.WARNING, "pool " + pool + ": cannot register its MBean: " + e);
        }
        return bean;
    }

    /** Where the bean is registered, {@code null} if it is not. */
    public ObjectName objectName() {
        return objectName;
    }

    /** Unregisters the bean; idempotent. */
    public void unregister() {
        ObjectName on = objectName;
        if (on == null) {
            return;
        }
        objectName = null;
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
