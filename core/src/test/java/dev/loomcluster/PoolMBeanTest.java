package dev.loomcluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;

import static dev.loomcluster.TestPools.builder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pool's MXBean, read as JConsole or the Prometheus JMX exporter read it: through the platform MBean server. */
@Timeout(60)
class PoolMBeanTest {
    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

    @Test
    void poolAndWorkerAttributesAreReadableAndTheBeanGoesAwayOnClose() throws Exception {
        var replies = new LinkedBlockingQueue<Object>();
        WorkerPool pool = builder("jmx", ThreadKind.VIRTUAL, ctx -> ctx.onMessage(ctx::send)).size(2).build();
        ObjectName name = new ObjectName("dev.loomcluster:type=WorkerPool,name=" + pool.name());
        try (pool) {
            Await.until("registered after build: " + name, () -> SERVER.isRegistered(name));
            assertEquals("true", SERVER.getMBeanInfo(name).getDescriptor().getFieldValue("mxbean"));
            Events events = Events.of(pool);
            pool.onMessage((w, m) -> replies.add(m));
            pool.start();
            events.awaitCount("online", e -> e.startsWith("online "), 2);
            pool.send(1, "a");
            pool.send(2, "b");
            pool.send(2, "c");
            for (int i = 0; i < 3; i++) {
                Await.take("echo", replies);
            }
            assertEquals(pool.name(), SERVER.getAttribute(name, "Name"));
            assertEquals(2, SERVER.getAttribute(name, "Workers"));
            assertEquals(2L, SERVER.getAttribute(name, "Forked"));
            assertEquals(0, SERVER.getAttribute(name, "LeakedThreads"));
            assertEquals(0L, SERVER.getAttribute(name, "Restarts"));
            assertEquals(3L, SERVER.getAttribute(name, "MessagesIn"));
            assertEquals(3L, SERVER.getAttribute(name, "MessagesOut"));
            assertEquals(0L, SERVER.getAttribute(name, "ConnectionsOpen"));
            assertEquals(0L, SERVER.getAttribute(name, "RequestsServed"));

            TabularData workers = (TabularData) SERVER.getAttribute(name, "WorkerStats");
            assertEquals(2, workers.size());
            CompositeData w2 = (CompositeData) workers.get(new Object[] {2}).get("value");
            assertEquals(2, w2.get("id"));
            assertEquals(2L, w2.get("messagesIn"));
            assertEquals(2L, w2.get("messagesOut"));
            assertEquals(0, w2.get("restarts"));
            assertTrue((Long) w2.get("uptimeMillis") >= 0);
            assertTrue(w2.getCompositeType().keySet().containsAll(List.of("mailboxDepth", "loopUtilization",
                    "connectionsReceived", "connectionsOpen", "requestsServed", "loopLagP50Micros", "loopLagP99Micros")),
                    w2.getCompositeType().keySet().toString());
        }
        assertFalse(SERVER.isRegistered(name), "unregistered on close");
    }

    @Test
    void twoPoolsOfOneNameGetTwoBeans() throws Exception {
        String shared = TestPools.uniqueName("jmxtwin");
        try (WorkerPool a = WorkerPool.builder(ctx -> { }).name(shared).size(0).build();
             WorkerPool b = WorkerPool.builder(ctx -> { }).name(shared).size(1).build()) {
            b.start();
            ObjectName first = new ObjectName("dev.loomcluster:type=WorkerPool,name=" + shared);
            ObjectName second = new ObjectName("dev.loomcluster:type=WorkerPool,name=" + shared + "-2");
            Await.until("both registered", () -> SERVER.isRegistered(first) && SERVER.isRegistered(second));
            assertEquals(1L, SERVER.getAttribute(second, "Forked"));
            assertEquals(0L, SERVER.getAttribute(first, "Forked"));
        }
        assertEquals(0, SERVER.queryNames(new ObjectName("dev.loomcluster:type=WorkerPool,name=" + shared + "*"), null).size());
    }

    @Test
    void aPoolClosedBeforeItsBeanIsRegisteredLeavesNoBean() throws Exception {
        String quick = TestPools.uniqueName("jmxquick");
        for (int i = 0; i < 5; i++) {
            WorkerPool.builder(ctx -> { }).name(quick).size(0).build().close();
        }
        // registrations run in build order: once a later pool's bean is there, the earlier ones are settled
        try (WorkerPool marker = WorkerPool.builder(ctx -> { }).name(quick + "-marker").size(0).build()) {
            ObjectName m = new ObjectName("dev.loomcluster:type=WorkerPool,name=" + marker.name());
            Await.until("the marker registered", () -> SERVER.isRegistered(m));
            assertEquals(0, SERVER.queryNames(new ObjectName("dev.loomcluster:type=WorkerPool,name=" + quick + "*"),
                    null).size() - 1, "only the marker is left");
        }
    }

    @Test
    void aNameWithJmxSyntaxIsQuoted() throws Exception {
        String odd = TestPools.uniqueName("jmx,odd=name:");
        try (WorkerPool pool = WorkerPool.builder(ctx -> { }).name(odd).size(0).build()) {
            ObjectName name = new ObjectName("dev.loomcluster:type=WorkerPool,name=" + ObjectName.quote(odd));
            Await.until("registered as " + name, () -> SERVER.isRegistered(name));
            assertEquals(odd, SERVER.getAttribute(name, "Name"));
        }
    }
}
