package dev.loomcluster.integration;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.spi.Container;
import org.glassfish.jersey.server.spi.ContainerLifecycleListener;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plain Jersey 3.1 application, written as for any JAX-RS container: JSON through JSON-B, path and
 * query parameters, a POST echo, a resource that waits for the test (to be in flight on purpose), and a
 * lifecycle listener that counts start-ups and shutdowns. Its methods run on Jersey's executor threads.
 */
final class JerseyApp {
    /** The JSON answer of {@code GET /api/greet/{name}}. */
    public record Greeting(String text, int worker) {
    }

    /** The JSON body that {@code POST /api/echo} returns as it got it. */
    public record Note(String text, List<Integer> numbers) {
    }

    /** What a test sees of the application of every worker. */
    static final class Probe {
        final AtomicInteger startups = new AtomicInteger();
        final AtomicInteger shutdowns = new AtomicInteger();
        final CountDownLatch slowEntered = new CountDownLatch(1);
        final CountDownLatch slowRelease = new CountDownLatch(1);
        final AtomicInteger slowWorker = new AtomicInteger();
    }

    private JerseyApp() {
    }

    static ResourceConfig config(int worker, Probe probe) {
        return new ResourceConfig()
                .register(new Api(worker, probe))
                .register(new Lifecycle(probe));
    }

    @Path("/api")
    public static final class Api {
        private final int worker;
        private final Probe probe;

        Api(int worker, Probe probe) {
            this.worker = worker;
            this.probe = probe;
        }

        @GET
        @Path("greet/{name}")
        @Produces(MediaType.APPLICATION_JSON)
        public Greeting greet(@PathParam("name") String name, @QueryParam("greeting") @DefaultValue("Hello") String greeting) {
            return new Greeting(greeting + ", " + name, worker);
        }

        @POST
        @Path("echo")
        @Consumes(MediaType.APPLICATION_JSON)
        @Produces(MediaType.APPLICATION_JSON)
        public Note echo(Note note) {
            return note;
        }

        @GET
        @Path("slow")
        @Produces(MediaType.TEXT_PLAIN)
        public String slow() throws InterruptedException {
            probe.slowWorker.set(worker);
            probe.slowEntered.countDown();
            probe.slowRelease.await();
            return "done by worker " + worker;
        }
    }

    public static final class Lifecycle implements ContainerLifecycleListener {
        private final Probe probe;

        Lifecycle(Probe probe) {
            this.probe = probe;
        }

        @Override
        public void onStartup(Container container) {
            probe.startups.incrementAndGet();
        }

        @Override
        public void onReload(Container container) {
        }

        @Override
        public void onShutdown(Container container) {
            probe.shutdowns.incrementAndGet();
        }
    }
}
