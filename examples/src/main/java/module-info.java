/**
 * loomcluster examples: runnable programs written against the public API only. Not a library: its one
 * package is exported only to loomcluster's core, which makes the worker main classes
 * ({@code WorkerPool.builder(Class)}). Run a program by name, e.g.
 * {@code java -p <jars> -m dev.loomcluster.examples/dev.loomcluster.examples.HelloCluster}.
 */
module dev.loomcluster.examples {
    requires dev.loomcluster.http;

    exports dev.loomcluster.examples to dev.loomcluster;
}
