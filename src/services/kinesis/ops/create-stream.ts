import { randomBytes } from "node:crypto";
import { KinesisMetadataConflictError, type ShardRow, type StreamRow } from "../../../storage/kinesis-metadata/kinesis-metadata-store.js";
import { KinesisError } from "../errors.js";
import { evenRanges } from "../hash-key.js";
import { checkShardLimit, checkTagCount, onDemandStreams } from "../limits.js";
import { shardIdOf } from "../names.js";
import type { OpContext } from "../operation.js";
import type { CreateStreamInput } from "../shapes/types.js";

/** Shards an on-demand stream starts with (4 MiB/s of write capacity). */
export const ON_DEMAND_INITIAL_SHARDS = 4;
export const DEFAULT_RETENTION_HOURS = 24;
export const DEFAULT_MAX_RECORD_KIB = 1024;

/** A new stream id in the form the API reports (StreamId: [a-z0-9]{20}-[a-z0-9]{3}). */
function newStreamId(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = randomBytes(23);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]!);
  return `${chars.slice(0, 20).join("")}-${chars.slice(20).join("")}`;
}

/** Creates a stream in CREATING; it turns ACTIVE after the transition delay. */
export async function createStream(input: CreateStreamInput, { state }: OpContext): Promise<void> {
  const mode = input.StreamModeDetails?.StreamMode ?? "PROVISIONED";
  let count: number;
  if (mode === "ON_DEMAND") {
    if (input.ShardCount !== undefined) {
      throw new KinesisError("ValidationException", "ShardCount must not be specified for a stream in ON_DEMAND mode.");
    }
    count = ON_DEMAND_INITIAL_SHARDS;
    if (onDemandStreams(state).length >= state.options.onDemandStreamLimit) {
      throw new KinesisError(
        "LimitExceededException",
        `This request would exceed the on-demand stream limit for the account ${state.accountId} in ${state.options.region}. Limit: ${state.options.onDemandStreamLimit}.`,
      );
    }
  } else {
    if (input.ShardCount === undefined) {
      throw new KinesisError("ValidationException", "ShardCount is required for a stream in PROVISIONED mode.");
    }
    count = input.ShardCount;
  }
  const tags = input.Tags ?? {};
  checkTagCount(input.StreamName, state.accountId, {}, tags);
  if (state.findStream(input.StreamName) !== undefined) {
    throw new KinesisError("ResourceInUseException", `Stream ${input.StreamName} under account ${state.accountId} already exists.`);
  }
  checkShardLimit(state, count);

  const now = state.now();
  const id = newStreamId();
  const stream: StreamRow = {
    id,
    name: input.StreamName,
    status: "CREATING",
    statusUntil: now + state.options.transitionDelayMs,
    mode,
    retentionHours: DEFAULT_RETENTION_HOURS,
    createdAt: now,
    encryptionType: "NONE",
    keyId: null,
    shardLevelMetrics: [],
    maxRecordSizeKiB: input.MaxRecordSizeInKiB ?? DEFAULT_MAX_RECORD_KIB,
    nextShardIndex: count,
    scalingHistory: [],
  };
  const shards: ShardRow[] = evenRanges(count).map((range, index) => ({
    streamId: id,
    shardId: shardIdOf(index),
    index,
    parentShardId: null,
    adjacentParentShardId: null,
    startingHashKey: range.start,
    endingHashKey: range.end,
    createdAt: now,
    closedAt: null,
    endSeq: null,
  }));
  try {
    state.meta.createStream(stream, shards, tags);
  } catch (err) {
    if (err instanceof KinesisMetadataConflictError) {
      throw new KinesisError("ResourceInUseException", `Stream ${input.StreamName} under account ${state.accountId} already exists.`);
    }
    throw err;
  }
}
