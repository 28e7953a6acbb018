import { freeRecordBlocks } from "../../storage/shard-log/read-blocks.js";
import type { LogRecord, ShardLog } from "../../storage/shard-log/shard-log.js";
import { waitForAppend } from "../../storage/shard-log/wait-for-append.js";
import type { KinesisInternalApi } from "../kinesis/internal-api.js";

/** A record as it enters a delivery stream, with its durable position. */
export interface SourceRecord {
  /** The input lane: "spool" for DirectPut, the shard id for a Kinesis source. */
  readonly lane: string;
  /** Position in the lane; the lane resumes after its checkpoint. */
  readonly position: bigint;
  /** Approximate arrival time (ms). */
  readonly arrival: number;
  readonly data: Uint8Array;
  /** Kinesis source only: what the transformation event's kinesisRecordMetadata reports. */
  readonly kinesis?: { readonly shardId: string; readonly partitionKey: string; readonly sequenceNumber: string };
}

/** A lane's identity and ordering constraints. */
export interface LaneInfo {
  readonly lane: string;
  /** Lanes that must be read to their end first (a shard's parents). */
  readonly after: readonly string[];
  /** Where the lane ends (closed shards); undefined while it can still grow. */
  readonly end: bigint | undefined;
}

/** Where a delivery stream's records come from. */
export interface RecordSource {
  /** The current lanes, parents before children. */
  lanes(): Promise<readonly LaneInfo[]>;
  /** Where a lane without a checkpoint starts (TRIM_HORIZON). */
  start(lane: string): Promise<bigint>;
  read(lane: string, from: bigint, limits: { maxRecords: number; maxBytes: number }): Promise<readonly SourceRecord[]>;
  /**
   * The caller is done with the `data` of the records of one `read` (copied into outputs, or
   * not needed): the file blocks that read loaded are freed now instead of at a later garbage
   * collection. Any view of that data then reads as empty.
   */
  done(records: readonly SourceRecord[]): void;
  /** Resolves when new records may be readable, after `timeoutMs`, or on abort. */
  wait(positions: ReadonlyMap<string, bigint>, timeoutMs: number, signal: AbortSignal): Promise<void>;
  /** Lets go of records below `position` in a lane (the spool deletes them; Kinesis keeps its retention). */
  release(lane: string, position: bigint, timestampAtPosition: number | undefined): Promise<void>;
}

/** The DirectPut spool: one lane over the stream's ShardLog. */
export function spoolSource(log: ShardLog): RecordSource {
  // nextSeq() counts records assigned but not yet durable; waiters need the durable tip.
  let tip = log.nextSeq();
  // The log's own answer to each read (its blocks are registered under it: read-blocks.ts).
  const loaded = new WeakMap<readonly SourceRecord[], readonly LogRecord[]>();
  log.onAppend((last) => {
    if (last + 1n > tip) tip = last + 1n;
  });
  return {
    async lanes() {
      return [{ lane: "spool", after: [], end: undefined }];
    },
    async start() {
      return log.firstSeq();
    },
    async read(lane, from, limits) {
      const start = from < log.firstSeq() ? log.firstSeq() : from;
      const records = await log.read(start, limits);
      const out = records.map((r) => ({ lane, position: r.seq, arrival: r.timestamp, data: r.data }));
      loaded.set(out, records);
      return out;
    },
    done(records) {
      const read = loaded.get(records);
      loaded.delete(records);
      if (read !== undefined) freeRecordBlocks(read);
    },
    wait(positions, timeoutMs, signal) {
      const from = positions.get("spool") ?? 0n;
      if (tip > from) return Promise.resolve();
      return waitForAppend(log, () => true, timeoutMs, signal);
    },
    async release(_lane, position, timestamp) {
      // Whole segments older than the oldest record still needed go; records at or after `position`
      // have timestamps >= `timestamp`, since the spool's arrival times never decrease.
      if (timestamp !== undefined && position > log.firstSeq()) await log.trimBefore(timestamp);
    },
  };
}

/** A Kinesis data stream: one lane per shard, children after their parents. */
export function kinesisSource(kinesis: KinesisInternalApi, accountId: string, streamArn: string, pollMs = 200): RecordSource {
  return {
    async lanes() {
      const shards = kinesis.listShards(accountId, streamArn);
      const known = new Set(shards.map((s) => s.shardId));
      return shards.map((s) => ({
        lane: s.shardId,
        // A parent no longer listed has expired entirely: nothing to wait for.
        after: [s.parentShardId, s.adjacentParentShardId].filter((p): p is string => p !== undefined && known.has(p)),
        end: s.endPosition,
      }));
    },
    start(lane) {
      return kinesis.trimHorizon(accountId, streamArn, lane);
    },
    async read(lane, from, limits) {
      const records = await kinesis.readRecords(accountId, streamArn, lane, from, limits);
      return records.map((r) => ({
        lane,
        position: r.position,
        arrival: r.arrivalTimestamp,
        data: r.data,
        kinesis: { shardId: lane, partitionKey: r.partitionKey, sequenceNumber: r.sequenceNumber },
      }));
    },
    async wait(_positions, timeoutMs, signal) {
      // Shards come and go with resharding; a short poll keeps this simple and cheap.
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          signal.removeEventListener("abort", done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(timeoutMs, pollMs));
        signal.addEventListener("abort", done, { once: true });
      });
    },
    async release() {
      // The source stream keeps its records for its own retention period.
    },
    done() {
      // The Kinesis service's internal API does not hand out its reads: their blocks are left to the GC.
    },
  };
}
