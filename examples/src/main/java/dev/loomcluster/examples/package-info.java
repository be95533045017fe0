/**
 * Runnable examples. {@link dev.loomcluster.examples.HelloCluster} is Node's cluster example
 * ({@code {"message":"Hello from worker <id>"}} on every CPU) written with the JDK's HttpServer API: the
 * main job that {@code bin/hello} runs. Not exported: run it by class name, on the class path or the
 * module path.
 */
package dev.loomcluster.examples;
