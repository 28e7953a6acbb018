import type { ShardRow, StreamRow } from "../../storage/kinesis-metadata/kinesis-metadata-store.js";
import { waitForAppend } from "../../storage/shard-log/wait-for-append.js";
import { parseStreamArn } from "./names.js";
import { recordSequenceNumber } from "./sequence-number.js";
import type { KinesisState } from "./state.js";

/** A stream as a reader inside the server sees it. */
export interface KinesisStreamInfo {
  readonly name: string;
  readonly arn: string;
  /** Creation time (ms); a stream deleted and created again under the same name has another. */
  readonly createdAt: number;
  readonly status: StreamRow["status"];
}

/** One shard with its lineage and range. */
export interface KinesisShardInfo {
  readonly shardId: string;
  readonly parentShardId: string | undefined;
  readonly adjacentParentShardId: string | undefined;
  readonly startingHashKey: bigint;
  readonly endingHashKey: bigint;
  /** For a closed shard, the position after its last record (reads end there); undefined while open. */
  readonly endPosition: bigint | undefined;
}

/** A record read from a shard. */
export interface KinesisRecordRead {
  /**
   * The record's position in its shard: durable, strictly increasing, never reused. A reader
   * checkpoints `position + 1n` and resumes there.
   */
  readonly position: bigint;
  /** The SequenceNumber GetRecords reports for this record. */
  readonly sequenceNumber: string;
  /** Arrival time (ms since epoch). */
  readonly arrivalTimestamp: number;
  readonly partitionKey: string;
  readonly data: Uint8Array;
}

/** What a server-side reader of a stream (a Firehose Kinesis source) needs. */
export interface KinesisInternalApi {
  /** The readable (ACTIVE or UPDATING) stream an ARN names, or undefined. */
  describeStream(accountId: string, streamArn: string): KinesisStreamInfo | undefined;
  /** Every shard of the stream, open and closed, in index order (parents before children). */
  listShards(accountId: string, streamArn: string): readonly KinesisShardInfo[];
  /** The first position still retained (TRIM_HORIZON). */
  trimHorizon(accountId: string, streamArn: string, shardId: string): Promise<bigint>;
  /**
   * Records at positions >= `from`, in order, within the limits; for a closed shard never past
   * its end. Positions below the trim horizon are skipped (those records expired).
   */
  readRecords(accountId: string, streamArn: string, shardId: string, from: bigint, limits: { maxRecords: number; maxBytes: number }): Promise<readonly KinesisRecordRead[]>;
  /** Resolves when a record at a position >= `from` may exist, after `timeoutMs`, or when `signal` aborts. */
  waitForRecords(accountId: string, streamArn: string, shardId: string, from: bigint, timeoutMs: number, signal: AbortSignal): Promise<void>;
}

/** The Kinesis internal API over the service's live state (one account: the server's). */
export function createKinesisInternalApi(state: KinesisState): KinesisInternalApi {
  function stream(accountId: string, arn: string): StreamRow | undefined {
    const parsed = parseStreamArn(arn);
    if (parsed === undefined || parsed.accountId !== accountId || accountId !== state.accountId) return undefined;
    if (state.arnOf(parsed.name) !== arn) return undefined;
    const s = state.findStream(parsed.name);
    return s === undefined || s.status === "CREATING" || s.status === "DELETING" ? undefined : s;
  }
  function shard(s: StreamRow, shardId: string): ShardRow | undefined {
    return state.shards(s).find((sh) => sh.shardId === shardId);
  }
  return {
    describeStream(accountId, arn) {
      const s = stream(accountId, arn);
      return s === undefined ? undefined : { name: s.name, arn, createdAt: s.createdAt, status: s.status };
    },
    listShards(accountId, arn) {
      const s = stream(accountId, arn);
      if (s === undefined) return [];
      return state.shards(s).map((sh) => ({
        shardId: sh.shardId,
        parentShardId: sh.parentShardId ?? undefined,
        adjacentParentShardId: sh.adjacentParentShardId ?? undefined,
        startingHashKey: sh.startingHashKey,
        endingHashKey: sh.endingHashKey,
        endPosition: sh.endSeq ?? undefined,
      }));
    },
    async trimHorizon(accountId, arn, shardId) {
      const s = stream(accountId, arn);
      const sh = s === undefined ? undefined : shard(s, shardId);
      if (s === undefined || sh === undefined) return 0n;
      if (sh.endSeq === 0n) return 0n;
      const log = await state.log(s, sh);
      await state.trimIfDue(s, sh, log);
      return log.firstSeq();
    },
    async readRecords(accountId, arn, shardId, from, limits) {
      const s = stream(accountId, arn);
      const sh = s === undefined ? undefined : shard(s, shardId);
      if (s === undefined || sh === undefined || sh.endSeq === 0n) return [];
      const log = await state.log(s, sh);
      await state.trimIfDue(s, sh, log);
      const start = from < log.firstSeq() ? log.firstSeq() : from;
      const end = sh.endSeq;
      const maxRecords = end === null ? limits.maxRecords : Math.min(limits.maxRecords, Number(end - start));
      if (maxRecords <= 0) return [];
      const read = await log.read(start, { maxRecords, maxBytes: limits.maxBytes });
      return read.map((r) => ({
        position: r.seq,
        sequenceNumber: recordSequenceNumber(sh.createdAt, sh.index, r.seq),
        arrivalTimestamp: r.timestamp,
        partitionKey: r.partitionKey,
        data: r.data,
      }));
    },
    async waitForRecords(accountId, arn, shardId, from, timeoutMs, signal) {
      const s = stream(accountId, arn);
      const sh = s === undefined ? undefined : shard(s, shardId);
      const log = s === undefined || sh === undefined || sh.endSeq !== null ? undefined : await state.log(s, sh);
      // nextSeq() counts records not yet durable; only a read shows what a reader can have.
      if (log !== undefined && (await log.read(from, { maxRecords: 1, maxBytes: 1 })).length > 0) return;
      await waitForAppend(log, (last) => last >= from, timeoutMs, signal);
    },
  };
}
