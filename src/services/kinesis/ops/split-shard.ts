import { KinesisError } from "../errors.js";
import { parseHashKey } from "../hash-key.js";
import { checkShardLimit } from "../limits.js";
import type { OpContext } from "../operation.js";
import { applyReshard } from "../resharding.js";
import { findOpenShard } from "../shard-lookup.js";
import type { SplitShardInput } from "../shapes/types.js";

/** Closes a shard and creates two children splitting its hash key range at NewStartingHashKey. */
export async function splitShard(input: SplitShardInput, { state }: OpContext): Promise<void> {
  const stream = state.requireActive(input);
  const shard = findOpenShard(state, stream, input.ShardToSplit, "splitting");
  const at = parseHashKey(input.NewStartingHashKey);
  // The service wants StartingHashKey + 1 < NewStartingHashKey < EndingHashKey (SplitShard error text).
  if (at === undefined || at <= shard.startingHashKey + 1n || at >= shard.endingHashKey) {
    throw new KinesisError(
      "InvalidArgumentException",
      `NewStartingHashKey ${input.NewStartingHashKey} used in SplitShard() on shard ${shard.shardId} in stream ${stream.name} under account ${state.accountId} is not both greater than one plus the shard's StartingHashKey ${shard.startingHashKey} and less than the shard's EndingHashKey ${shard.endingHashKey}.`,
    );
  }
  checkShardLimit(state, 1);
  await applyReshard(
    state,
    stream,
    [shard],
    [
      { start: shard.startingHashKey, end: at - 1n, parent: shard.shardId },
      { start: at, end: shard.endingHashKey, parent: shard.shardId },
    ],
    { status: "UPDATING", statusUntil: state.now() + state.options.transitionDelayMs },
  );
}
