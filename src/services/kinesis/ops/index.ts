import type { OpContext } from "../operation.js";
import { addTagsToStream } from "./add-tags-to-stream.js";
import { createStream } from "./create-stream.js";
import { decreaseStreamRetentionPeriod } from "./decrease-stream-retention-period.js";
import { deleteStream } from "./delete-stream.js";
import { deregisterStreamConsumer } from "./deregister-stream-consumer.js";
import { describeLimits } from "./describe-limits.js";
import { describeStream } from "./describe-stream.js";
import { describeStreamConsumer } from "./describe-stream-consumer.js";
import { describeStreamSummary } from "./describe-stream-summary.js";
import { disableEnhancedMonitoring } from "./disable-enhanced-monitoring.js";
import { enableEnhancedMonitoring } from "./enable-enhanced-monitoring.js";
import { getRecords } from "./get-records.js";
import { getShardIterator } from "./get-shard-iterator.js";
import { increaseStreamRetentionPeriod } from "./increase-stream-retention-period.js";
import { listShards } from "./list-shards.js";
import { listStreamConsumers } from "./list-stream-consumers.js";
import { listStreams } from "./list-streams.js";
import { listTagsForResource } from "./list-tags-for-resource.js";
import { listTagsForStream } from "./list-tags-for-stream.js";
import { mergeShards } from "./merge-shards.js";
import { putRecord } from "./put-record.js";
import { putRecords } from "./put-records.js";
import { registerStreamConsumer } from "./register-stream-consumer.js";
import { removeTagsFromStream } from "./remove-tags-from-stream.js";
import { splitShard } from "./split-shard.js";
import { startStreamEncryption } from "./start-stream-encryption.js";
import { stopStreamEncryption } from "./stop-stream-encryption.js";
import { subscribeToShard } from "./subscribe-to-shard.js";
import { tagResource } from "./tag-resource.js";
import { untagResource } from "./untag-resource.js";
import { updateShardCount } from "./update-shard-count.js";
import { updateStreamMode } from "./update-stream-mode.js";

/** An operation with its input type erased; the router only calls it with validated input of the op's shape. */
export type AnyOperation = (input: never, ctx: OpContext) => Promise<unknown>;

/** Every operation the service answers, by its X-Amz-Target name. */
export const kinesisOperations: Readonly<Record<string, AnyOperation>> = {
  AddTagsToStream: addTagsToStream,
  CreateStream: createStream,
  DecreaseStreamRetentionPeriod: decreaseStreamRetentionPeriod,
  DeleteStream: deleteStream,
  DeregisterStreamConsumer: deregisterStreamConsumer,
  DescribeLimits: describeLimits,
  DescribeStream: describeStream,
  DescribeStreamConsumer: describeStreamConsumer,
  DescribeStreamSummary: describeStreamSummary,
  DisableEnhancedMonitoring: disableEnhancedMonitoring,
  EnableEnhancedMonitoring: enableEnhancedMonitoring,
  GetRecords: getRecords,
  GetShardIterator: getShardIterator,
  IncreaseStreamRetentionPeriod: increaseStreamRetentionPeriod,
  ListShards: listShards,
  ListStreamConsumers: listStreamConsumers,
  ListStreams: listStreams,
  ListTagsForResource: listTagsForResource,
  ListTagsForStream: listTagsForStream,
  MergeShards: mergeShards,
  PutRecord: putRecord,
  PutRecords: putRecords,
  RegisterStreamConsumer: registerStreamConsumer,
  RemoveTagsFromStream: removeTagsFromStream,
  SplitShard: splitShard,
  StartStreamEncryption: startStreamEncryption,
  StopStreamEncryption: stopStreamEncryption,
  SubscribeToShard: subscribeToShard,
  TagResource: tagResource,
  UntagResource: untagResource,
  UpdateShardCount: updateShardCount,
  UpdateStreamMode: updateStreamMode,
};
