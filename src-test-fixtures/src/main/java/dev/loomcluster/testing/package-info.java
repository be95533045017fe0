/**
 * Helpers shared by loomcluster's tests and benchmarks: a free loopback port ({@link
 * dev.loomcluster.testing.FreePorts}), polling waits that fail with a message naming what was awaited
 * ({@link dev.loomcluster.testing.Await}), a blocking socket client with timeouts ({@link
 * dev.loomcluster.testing.RawClient}), a connect/echo/close load generator ({@link
 * dev.loomcluster.testing.EchoLoad}) and live-thread snapshots for leak checks ({@link
 * dev.loomcluster.testing.Threads}).
 *
 * <p>This package depends on nothing of loomcluster: it only uses the JDK, so that tests of every module
 * (and the benchmarks) can use it. Every helper talks to 127.0.0.1 only, and every wait in it is bounded.
 */
package dev.loomcluster.testing;
