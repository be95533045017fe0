/**
 * Benchmarks of the process mode's native layer ({@code dev.loomcluster.internal.process}): the accept turn
 * by which the primary lets one child JVM accept one connection on a listening socket they share.
 */
package dev.loomcluster.benchmarks.process;
