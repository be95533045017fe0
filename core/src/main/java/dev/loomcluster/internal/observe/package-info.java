/**
 * What the pool tells operators, with the JDK alone: {@code System.Logger} loggers ({@link
 * dev.loomcluster.internal.observe.Log}), JFR events ({@code dev.loomcluster.*}), the blocked-loop
 * watchdog and the loop probes it samples, loop-lag histograms, and the pool's JMX MXBean.
 */
package dev.loomcluster.internal.observe;
