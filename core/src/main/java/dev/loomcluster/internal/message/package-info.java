/**
 * Messages between primary and workers. The policy, apart from the transport: which values may be sent
 * and how they are isolated ({@link dev.loomcluster.internal.message.Messages}), then how they travel
 * between processes: {@link dev.loomcluster.internal.message.WireCodec} encodes the same allowed types
 * (never Java serialization; records rebuilt through their canonical constructors) within
 * {@link dev.loomcluster.internal.message.WireLimits}, and {@link dev.loomcluster.internal.message.FrameWriter}
 * / {@link dev.loomcluster.internal.message.FrameDecoder} carry them as length-prefixed frames on a channel.
 */
package dev.loomcluster.internal.message;
