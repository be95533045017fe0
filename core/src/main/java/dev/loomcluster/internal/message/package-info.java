/**
 * The message policy: which values may be sent between primary and workers and how they are isolated
 * ({@link dev.loomcluster.internal.message.Messages}), apart from how they travel (an in-JVM hand-off, or
 * a wire codec between processes).
 */
package dev.loomcluster.internal.message;
