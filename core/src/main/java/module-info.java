/**
 * loomcluster core: Node's {@code cluster} for the JVM. Exports only the API package. The implementation
 * is split by role, one package each, none exported to applications: {@code internal.loop} (the event loop),
 * {@code internal.primary} (the pool and its worker handles), {@code internal.worker} (a running worker),
 * {@code internal.net} (shared sockets and connections), {@code internal.message} (what may be sent and its
 * wire codec), {@code internal.process} (workers as child JVMs),
 * {@code internal.observe} (loggers, JFR events, the blocked-loop watchdog, the pool's MXBean; exported to
 * the http module, which counts its requests there).
 */
module dev.loomcluster {
    requires org.jctools.core;
    requires java.management;
    requires jdk.jfr;
    requires jdk.net;

    exports dev.loomcluster;
    exports dev.loomcluster.internal.observe to dev.loomcluster.http;
}
