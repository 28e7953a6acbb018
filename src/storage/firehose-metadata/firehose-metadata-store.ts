/** Lifecycle states of a delivery stream (DescribeDeliveryStream's DeliveryStreamStatus). */
export type DeliveryStreamStatus = "CREATING" | "ACTIVE" | "DELETING";

/** A delivery stream as stored. Configuration documents are kept as the service serializes them. */
export interface DeliveryStreamRow {
  /** Internal id: spool logs, lanes and staged deliveries are keyed by it, so a re-created name starts afresh. */
  readonly id: string;
  readonly accountId: string;
  readonly name: string;
  readonly type: "DirectPut" | "KinesisStreamAsSource";
  readonly status: DeliveryStreamStatus;
  /** When the pending status transition completes (ms); null when settled. */
  readonly statusUntil: number | null;
  /** Starts at 1, +1 for every UpdateDestination. */
  readonly versionId: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** JSON: the source configuration (Kinesis stream ARN, role), or null for DirectPut. */
  readonly source: string | null;
  /** JSON: the destination configuration. */
  readonly destination: string;
}

/** Fields that change after creation. */
export type DeliveryStreamPatch = Partial<Pick<DeliveryStreamRow, "status" | "statusUntil" | "versionId" | "updatedAt" | "destination">>;

/**
 * How far one input lane (the DirectPut spool, or one shard of a Kinesis source) has been
 * consumed: every position below `checkpoint` is done, and so is every position in `done`
 * (half-open ranges above the checkpoint, for records whose partitions flushed out of order).
 */
export interface LaneRow {
  readonly lane: string;
  readonly checkpoint: bigint;
  readonly done: ReadonlyArray<readonly [bigint, bigint]>;
}

/** Output waiting to be delivered: an S3 object or an HTTP endpoint request, bytes included. */
export interface NewDelivery {
  /** "s3" or "http". */
  readonly kind: string;
  /** JSON: where it goes (bucket and key, or URL and request id) and how. */
  readonly target: string;
  readonly body: Uint8Array;
  /** When the first attempt may be made (ms). */
  readonly notBefore: number;
}

export interface DeliveryRow extends NewDelivery {
  readonly id: number;
  readonly streamId: string;
  readonly createdAt: number;
  readonly attempts: number;
}

export class FirehoseMetadataConflictError extends Error {
  override readonly name = "FirehoseMetadataConflictError";
}

/**
 * Where Firehose keeps delivery streams, tags, consumption checkpoints and staged deliveries.
 * Calls are synchronous; each is one durable transaction.
 */
export interface FirehoseMetadataStore {
  /** Throws FirehoseMetadataConflictError if the account already has a stream of that name. */
  createStream(row: DeliveryStreamRow, tags: Readonly<Record<string, string>>): void;
  getStream(accountId: string, name: string): DeliveryStreamRow | undefined;
  /** Streams of an account ordered by name; of every account when `accountId` is undefined. */
  listStreams(accountId: string | undefined): DeliveryStreamRow[];
  updateStream(id: string, patch: DeliveryStreamPatch): void;
  /** Removes the stream with its tags, lanes and staged deliveries. */
  deleteStream(id: string): void;
  getTags(id: string): Record<string, string>;
  putTags(id: string, tags: Readonly<Record<string, string>>): void;
  removeTags(id: string, keys: readonly string[]): void;
  getLanes(streamId: string): LaneRow[];
  /**
   * Atomically records new deliveries (output now durable here) and the lanes' consumption
   * that produced them; returns the deliveries' ids.
   */
  stage(streamId: string, deliveries: readonly NewDelivery[], lanes: readonly LaneRow[], now: number): number[];
  /** Staged deliveries of a stream in id order. */
  listDeliveries(streamId: string): DeliveryRow[];
  /** Records a failed attempt and when to try again. */
  deferDelivery(id: number, notBefore: number): void;
  /** Removes a delivered one, staging its follow-ups (e.g. an S3 backup of failed data) in the same transaction. */
  completeDelivery(id: number, followUps: readonly NewDelivery[], now: number): void;
  close(): void;
}
