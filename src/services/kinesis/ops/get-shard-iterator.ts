import type { OpContext } from "../operation.js";
import { resolveStart } from "../positions.js";
import { encodeShardIterator } from "../shard-iterator.js";
import { findShard } from "../shard-lookup.js";
import type { GetShardIteratorInput, GetShardIteratorOutput } from "../shapes/types.js";

/** An iterator (valid 5 minutes) positioned as the iterator type says. */
export async function getShardIterator(input: GetShardIteratorInput, { state }: OpContext): Promise<GetShardIteratorOutput> {
  const stream = state.requireReadable(input);
  const shard = findShard(state, stream, input.ShardId, "data");
  const position = await resolveStart(
    state,
    stream,
    shard,
    { type: input.ShardIteratorType, sequenceNumber: input.StartingSequenceNumber, timestamp: input.Timestamp },
    "GetShardIterator",
  );
  return {
    ShardIterator: encodeShardIterator({
      streamName: stream.name,
      streamCreatedAt: stream.createdAt,
      shardIndex: shard.index,
      position,
      issuedAt: state.now(),
    }),
  };
}
