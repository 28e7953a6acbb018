import type { ShardRow, StreamRow } from "../../storage/kinesis-metadata/kinesis-metadata-store.js";
import { endingSequenceNumber, startingSequenceNumber } from "./sequence-number.js";
import type { ChildShard, Shard, StreamDescriptionSummary } from "./shapes/types.js";
import type { KinesisState } from "./state.js";

/** A shard as DescribeStream and ListShards show it. */
export function shardShape(shard: ShardRow): Shard {
  const out: Shard = {
    ShardId: shard.shardId,
    HashKeyRange: { StartingHashKey: shard.startingHashKey.toString(), EndingHashKey: shard.endingHashKey.toString() },
    SequenceNumberRange: { StartingSequenceNumber: startingSequenceNumber(shard.createdAt, shard.index) },
  };
  if (shard.parentShardId !== null) out.ParentShardId = shard.parentShardId;
  if (shard.adjacentParentShardId !== null) out.AdjacentParentShardId = shard.adjacentParentShardId;
  if (shard.closedAt !== null) out.SequenceNumberRange.EndingSequenceNumber = endingSequenceNumber(shard.createdAt, shard.index, shard.closedAt);
  return out;
}

/** The children of a closed shard, as GetRecords and SubscribeToShard report them at its end. */
export function childShardsOf(all: readonly ShardRow[], parent: ShardRow): ChildShard[] {
  return all
    .filter((s) => s.parentShardId === parent.shardId || s.adjacentParentShardId === parent.shardId)
    .map((s) => ({
      ShardId: s.shardId,
      ParentShards: [s.parentShardId, s.adjacentParentShardId].filter((p): p is string => p !== null),
      HashKeyRange: { StartingHashKey: s.startingHashKey.toString(), EndingHashKey: s.endingHashKey.toString() },
    }));
}

/** The enhanced-monitoring member every description carries. */
export function enhancedMonitoring(stream: StreamRow): { ShardLevelMetrics: string[] }[] {
  return [{ ShardLevelMetrics: [...stream.shardLevelMetrics] }];
}

/** DescribeStreamSummary's body. */
export function streamSummary(state: KinesisState, stream: StreamRow): StreamDescriptionSummary {
  const shards = state.shards(stream);
  const out: StreamDescriptionSummary = {
    StreamName: stream.name,
    StreamARN: state.arnOf(stream.name),
    StreamId: stream.id,
    StreamStatus: stream.status,
    StreamModeDetails: { StreamMode: stream.mode },
    RetentionPeriodHours: stream.retentionHours,
    StreamCreationTimestamp: new Date(stream.createdAt),
    EnhancedMonitoring: enhancedMonitoring(stream) as StreamDescriptionSummary["EnhancedMonitoring"],
    EncryptionType: stream.encryptionType,
    OpenShardCount: shards.filter((s) => s.closedAt === null).length,
    ConsumerCount: state.meta.listConsumers(stream.id).length,
    MaxRecordSizeInKiB: stream.maxRecordSizeKiB,
  };
  if (stream.keyId !== null) out.KeyId = stream.keyId;
  return out;
}
