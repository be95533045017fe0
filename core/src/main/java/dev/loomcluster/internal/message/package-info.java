/**
 * The message policy: which values may be sent between primary and workers and how they are isolated
 * ({@link dev.loomcluster.internal.message.Messages}), apart from how they travel: an in-JVM hand-off, or
 * the wire codec between processes ({@link dev.loomcluster.internal.message.WireCodec} for values,
 * {@link dev.loomcluster.internal.message.FrameWriter} and {@link dev.loomcluster.internal.message.FrameDecoder}
 * for length-prefixed frames, all bounded by {@link dev.loomcluster.internal.message.WireLimits}). Not
 * exported; nothing here is API.
 */
package dev.loomcluster.internal.message;
