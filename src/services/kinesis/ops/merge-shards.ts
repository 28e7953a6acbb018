import { KinesisError } from "../errors.js";
import type { OpContext } from "../operation.js";
import { applyReshard } from "../resharding.js";
import { findOpenShard } from "../shard-lookup.js";
import type { MergeShardsInput } from "../shapes/types.js";

/** Closes two adjacent shards and creates one child covering both ranges. */
export async function mergeShards(input: MergeShardsInput, { state }: OpContext): Promise<void> {
  const stream = state.requireActive(input);
  const a = findOpenShard(state, stream, input.ShardToMerge, "merging");
  const b = findOpenShard(state, stream, input.AdjacentShardToMerge, "merging");
  const [lo, hi] = a.startingHashKey < b.startingHashKey ? [a, b] : [b, a];
  if (a.shardId === b.shardId || lo.endingHashKey + 1n !== hi.startingHashKey) {
    throw new KinesisError(
      "InvalidArgumentException",
      `Shards ${a.shardId} and ${b.shardId} in stream ${stream.name} under account ${state.accountId} are not an adjacent pair of shards eligible for merging`,
    );
  }
  await applyReshard(
    state,
    stream,
    [a, b],
    [{ start: lo.startingHashKey, end: hi.endingHashKey, parent: a.shardId, adjacentParent: b.shardId }],
    { status: "UPDATING", statusUntil: state.now() + state.options.transitionDelayMs },
  );
}
