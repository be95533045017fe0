/**
 * loomcluster core: Node's {@code cluster} inside one JVM. Exports only the API package; the
 * implementation lives in {@code dev.loomcluster.internal}, which is not exported.
 */
module dev.loomcluster {
    requires org.jctools.core;

    exports dev.loomcluster;
}
