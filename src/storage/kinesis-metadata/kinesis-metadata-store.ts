/** Lifecycle states of a stream (DescribeStream's StreamStatus). */
export type StreamStatus = "CREATING" | "ACTIVE" | "UPDATING" | "DELETING";
export type StreamMode = "PROVISIONED" | "ON_DEMAND";
export type ConsumerStatus = "CREATING" | "ACTIVE" | "DELETING";

/** A Kinesis data stream as stored. */
export interface StreamRow {
  /** Internal id (the StreamId the API reports); shard logs are keyed by it. */
  readonly id: string;
  /** Unique among live streams. */
  readonly name: string;
  readonly status: StreamStatus;
  /** When the pending status transition completes (ms); null when the status is settled. */
  readonly statusUntil: number | null;
  readonly mode: StreamMode;
  readonly retentionHours: number;
  /** Creation time (ms since epoch). */
  readonly createdAt: number;
  readonly encryptionType: "NONE" | "KMS";
  readonly keyId: string | null;
  /** Enabled enhanced-monitoring metric names. */
  readonly shardLevelMetrics: readonly string[];
  readonly maxRecordSizeKiB: number;
  /** Index the next created shard gets (shard ids are never reused). */
  readonly nextShardIndex: number;
  /** Times (ms) of recent UpdateShardCount calls, for the per-24-hours limit. */
  readonly scalingHistory: readonly number[];
}

/** Fields of a stream that change after creation. */
export type StreamPatch = Partial<Omit<StreamRow, "id" | "name" | "createdAt">>;

/** One shard of a stream. */
export interface ShardRow {
  readonly streamId: string;
  /** "shardId-000000000000" */
  readonly shardId: string;
  readonly index: number;
  readonly parentShardId: string | null;
  readonly adjacentParentShardId: string | null;
  readonly startingHashKey: bigint;
  readonly endingHashKey: bigint;
  readonly createdAt: number;
  /** When the shard was closed by a split/merge (ms), or null while open. */
  readonly closedAt: number | null;
  /** For a closed shard: the log seq after its last record (reads end there). */
  readonly endSeq: bigint | null;
}

/** An enhanced fan-out consumer. */
export interface ConsumerRow {
  readonly streamId: string;
  readonly name: string;
  readonly arn: string;
  readonly createdAt: number;
  readonly status: ConsumerStatus;
  /** When the pending status transition completes (ms); null when settled. */
  readonly statusUntil: number | null;
}

/** A split, merge or rescale applied atomically. */
export interface ReshardChange {
  /** Shards to close, with the log position their reads end at. */
  readonly close: readonly { readonly shardId: string; readonly closedAt: number; readonly endSeq: bigint }[];
  /** New shards. */
  readonly add: readonly ShardRow[];
  /** Stream fields to update in the same transaction (status, nextShardIndex, ...). */
  readonly stream: StreamPatch;
}

/** Raised when a name is already taken. */
export class KinesisMetadataConflictError extends Error {
  override readonly name = "KinesisMetadataConflictError";
}

/**
 * Where Kinesis keeps streams, shards, consumers and tags (records live in shard logs).
 * Calls are synchronous and each is atomic.
 */
export interface KinesisMetadataStore {
  /** Creates a stream with its first shards and tags; throws KinesisMetadataConflictError if the name is taken. */
  createStream(stream: StreamRow, shards: readonly ShardRow[], tags: Readonly<Record<string, string>>): void;
  /** The stream named `name`, if any. */
  getStream(name: string): StreamRow | undefined;
  /** Every stream, ordered by name. */
  listStreams(): StreamRow[];
  /** Updates a stream's mutable fields. */
  updateStream(id: string, patch: StreamPatch): void;
  /** Removes a stream with its shards, consumers and tags. */
  deleteStream(id: string): void;
  /** A stream's shards (open and closed), ordered by index. */
  listShards(streamId: string): ShardRow[];
  /** Closes and adds shards and updates the stream in one transaction. */
  reshard(streamId: string, change: ReshardChange): void;
  /** Forgets shards (closed shards whose records have all expired). */
  removeShards(streamId: string, shardIds: readonly string[]): void;
  /** Tags of a resource (a stream id or a consumer ARN), ordered by key. */
  getTags(resource: string): Record<string, string>;
  /** Adds or overwrites tags. */
  putTags(resource: string, tags: Readonly<Record<string, string>>): void;
  /** Removes tags by key (absent keys are ignored). */
  removeTags(resource: string, keys: readonly string[]): void;
  /** Registers a consumer; throws KinesisMetadataConflictError if the stream already has one of that name. */
  createConsumer(consumer: ConsumerRow): void;
  /** A consumer by stream and name. */
  getConsumer(streamId: string, name: string): ConsumerRow | undefined;
  /** A consumer by ARN. */
  getConsumerByArn(arn: string): ConsumerRow | undefined;
  /** A stream's consumers ordered by creation time, then name. */
  listConsumers(streamId: string): ConsumerRow[];
  /** Updates a consumer's status. */
  updateConsumer(streamId: string, name: string, patch: Partial<Pick<ConsumerRow, "status" | "statusUntil">>): void;
  /** Removes a consumer and its tags. */
  deleteConsumer(streamId: string, name: string): void;
  /** Releases the database. */
  close(): void;
}
