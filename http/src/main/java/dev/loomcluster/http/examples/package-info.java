/**
 * Runnable examples. {@link dev.loomcluster.http.examples.HelloCluster} is Node's cluster example
 * ({@code {"message":"Hello from worker <id>"}} on every CPU) written with the JDK's HttpServer API.
 * Not exported: run it by class name.
 */
package dev.loomcluster.http.examples;
