import type { ShardRow, StreamRow } from "../../storage/kinesis-metadata/kinesis-metadata-store.js";
import { KinesisError } from "./errors.js";
import { shardIdOf, shardIndexOf } from "./names.js";
import type { KinesisState } from "./state.js";

/** A shard of a stream by id (short forms like "1" accepted), with the service's not-found wording. */
export function findShard(state: KinesisState, stream: StreamRow, shardId: string, wording: "data" | "admin"): ShardRow {
  const index = shardIndexOf(shardId);
  const shard = index === undefined ? undefined : state.shards(stream).find((s) => s.index === index);
  if (shard !== undefined) return shard;
  if (wording === "admin" || index === undefined) {
    throw new KinesisError("ResourceNotFoundException", `Could not find shard ${shardId} in stream ${stream.name} under account ${state.accountId}.`);
  }
  throw new KinesisError("ResourceNotFoundException", `Shard ${shardIdOf(index)} in stream ${stream.name} under account ${state.accountId} does not exist`);
}

/** An open shard for SplitShard/MergeShards (closed ones are not eligible). */
export function findOpenShard(state: KinesisState, stream: StreamRow, shardId: string, action: "splitting" | "merging"): ShardRow {
  const shard = findShard(state, stream, shardId, "admin");
  if (shard.closedAt !== null) {
    throw new KinesisError(
      "InvalidArgumentException",
      `Shard ${shard.shardId} in stream ${stream.name} under account ${state.accountId} has already been merged or split, and thus is not eligible for ${action}.`,
    );
  }
  return shard;
}
