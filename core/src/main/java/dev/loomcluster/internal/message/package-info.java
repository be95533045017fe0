/**
 * Messages between a primary and its workers: what may be sent, and the wire codec that carries it
 * between processes ({@link dev.loomcluster.internal.message.WireCodec} for values,
 * {@link dev.loomcluster.internal.message.FrameWriter} and {@link dev.loomcluster.internal.message.FrameDecoder}
 * for length-prefixed frames on a non-blocking channel, all bounded by
 * {@link dev.loomcluster.internal.message.WireLimits}). Not exported; nothing here is API.
 */
package dev.loomcluster.internal.message;
