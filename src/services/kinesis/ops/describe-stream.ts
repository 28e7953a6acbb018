import { shardShape, enhancedMonitoring } from "../describe.js";
import type { OpContext } from "../operation.js";
import type { DescribeStreamInput, DescribeStreamOutput, StreamDescription } from "../shapes/types.js";

/** Shards listed per DescribeStream call unless Limit says otherwise. */
export const DESCRIBE_STREAM_DEFAULT_LIMIT = 100;

/** The stream with a page of its shards (none while CREATING, as the service shows it). */
export async function describeStream(input: DescribeStreamInput, { state }: OpContext): Promise<DescribeStreamOutput> {
  const stream = state.requireStream(input);
  let shards = stream.status === "CREATING" ? [] : state.shards(stream);
  if (input.ExclusiveStartShardId !== undefined) {
    const after = input.ExclusiveStartShardId;
    shards = shards.filter((s) => s.shardId > after);
  }
  const limit = input.Limit ?? DESCRIBE_STREAM_DEFAULT_LIMIT;
  const page = shards.slice(0, limit);
  const description: StreamDescription = {
    StreamName: stream.name,
    StreamARN: state.arnOf(stream.name),
    StreamStatus: stream.status,
    StreamModeDetails: { StreamMode: stream.mode },
    Shards: page.map(shardShape),
    HasMoreShards: shards.length > limit,
    RetentionPeriodHours: stream.retentionHours,
    StreamCreationTimestamp: new Date(stream.createdAt),
    EnhancedMonitoring: enhancedMonitoring(stream) as StreamDescription["EnhancedMonitoring"],
    EncryptionType: stream.encryptionType,
  };
  if (stream.keyId !== null) description.KeyId = stream.keyId;
  return { StreamDescription: description };
}
