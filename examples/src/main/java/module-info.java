/**
 * loomcluster examples: runnable programs written against the public API only. Not a library: nothing
 * is exported; run a program by name, e.g.
 * {@code java -p <jars> -m dev.loomcluster.examples/dev.loomcluster.examples.HelloCluster}.
 */
module dev.loomcluster.examples {
    requires dev.loomcluster.http;
}
