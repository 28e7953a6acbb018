import type { ShardRow } from "../../../storage/kinesis-metadata/kinesis-metadata-store.js";
import { shardShape } from "../describe.js";
import { KinesisError } from "../errors.js";
import type { OpContext } from "../operation.js";
import { decodeNextToken, encodeNextToken } from "../paging.js";
import type { ListShardsInput, ListShardsOutput, ShardFilter } from "../shapes/types.js";

export const LIST_SHARDS_DEFAULT_LIMIT = 1000;

/** Whether a shard was open at time `t` (created at or before it, not closed before it). */
function openAt(shard: ShardRow, t: number): boolean {
  return shard.createdAt <= t && (shard.closedAt === null || shard.closedAt > t);
}

/** Applies a ShardFilter as the ListShards docs define each type. */
function applyFilter(shards: ShardRow[], filter: ShardFilter | undefined, trimHorizon: number): ShardRow[] {
  if (filter === undefined) return shards;
  switch (filter.Type) {
    case "AFTER_SHARD_ID": {
      if (filter.ShardId === undefined) throw new KinesisError("InvalidArgumentException", "ShardId must be specified with the AFTER_SHARD_ID ShardFilter type.");
      const after = filter.ShardId;
      return shards.filter((s) => s.shardId > after);
    }
    case "AT_TRIM_HORIZON":
      return shards.filter((s) => openAt(s, trimHorizon) || (s.createdAt > trimHorizon && s.parentShardId === null));
    case "FROM_TRIM_HORIZON":
      return shards;
    case "AT_LATEST":
      return shards.filter((s) => s.closedAt === null);
    case "AT_TIMESTAMP":
    case "FROM_TIMESTAMP": {
      if (filter.Timestamp === undefined) {
        throw new KinesisError("InvalidArgumentException", `Timestamp must be specified with the ${filter.Type} ShardFilter type.`);
      }
      const t = Math.max(filter.Timestamp.getTime(), trimHorizon);
      if (filter.Type === "AT_TIMESTAMP") return shards.filter((s) => openAt(s, t) || (s.createdAt > t && s.parentShardId === null));
      return shards.filter((s) => s.closedAt === null || s.closedAt > t);
    }
  }
}

/** A page of a stream's shards, optionally filtered; NextToken pages expire after 300 seconds. */
export async function listShards(input: ListShardsInput, { state }: OpContext): Promise<ListShardsOutput> {
  let streamName: string;
  let after = input.ExclusiveStartShardId;
  let filter = input.ShardFilter;
  if (input.NextToken !== undefined) {
    if (input.StreamName !== undefined || input.StreamARN !== undefined) {
      throw new KinesisError("InvalidArgumentException", "NextToken and StreamName cannot be provided together.");
    }
    const token = decodeNextToken(input.NextToken, state.now());
    if (typeof token["stream"] !== "string" || typeof token["after"] !== "string") {
      throw new KinesisError("InvalidArgumentException", `Invalid NextToken: ${input.NextToken}`);
    }
    streamName = token["stream"];
    after = token["after"];
    if (typeof token["filter"] === "object" && token["filter"] !== null) {
      const f = token["filter"] as { Type: ShardFilter["Type"]; ShardId?: string; Timestamp?: number };
      filter = { Type: f.Type, ...(f.ShardId !== undefined ? { ShardId: f.ShardId } : {}), ...(f.Timestamp !== undefined ? { Timestamp: new Date(f.Timestamp) } : {}) };
    }
  } else {
    streamName = state.nameOf(input);
  }
  const stream = state.requireStream(streamName);
  if (input.StreamCreationTimestamp !== undefined && Math.floor(input.StreamCreationTimestamp.getTime() / 1000) !== Math.floor(stream.createdAt / 1000)) {
    throw state.notFound(stream.name);
  }
  if (stream.status === "CREATING") {
    throw new KinesisError("ResourceInUseException", `Stream ${stream.name} under account ${state.accountId} not ACTIVE, instead in state CREATING`);
  }
  let shards = applyFilter(state.shards(stream), filter, state.retentionCutoff(stream));
  if (after !== undefined) {
    const a = after;
    shards = shards.filter((s) => s.shardId > a);
  }
  const limit = input.MaxResults ?? LIST_SHARDS_DEFAULT_LIMIT;
  const page = shards.slice(0, limit);
  const out: ListShardsOutput = { Shards: page.map(shardShape) };
  const last = page[page.length - 1];
  if (shards.length > limit && last !== undefined) {
    const f = filter === undefined ? undefined : { Type: filter.Type, ShardId: filter.ShardId, Timestamp: filter.Timestamp?.getTime() };
    out.NextToken = encodeNextToken({ stream: stream.name, after: last.shardId, filter: f }, state.now());
  }
  return out;
}
