import type { ReadPlan, RecordVisitor } from "./read-plan.js";

/** A record as the log stores it. */
export interface LogRecord {
  /** Position in this shard's log: strictly increasing, assigned by the log, never reused. */
  readonly seq: bigint;
  /** Arrival time (ms since epoch) from the injected clock; non-decreasing within a log. */
  readonly timestamp: number;
  readonly partitionKey: string;
  /** The record's payload. */
  readonly data: Uint8Array;
}

/** A record to append; the log assigns `seq`. */
export interface AppendInput {
  readonly timestamp: number;
  readonly partitionKey: string;
  readonly data: Uint8Array;
}

/** Limits for one read. */
export interface ReadOptions {
  /** At most this many records. */
  readonly maxRecords: number;
  /** Stop before the total data+partition-key bytes would exceed this (but always return >= 1 record if any). */
  readonly maxBytes: number;
}

/**
 * One shard's append-only, durable log (segment files of checksummed frames).
 * Appends are acknowledged only once fsynced; concurrent appends share fsyncs (group commit).
 */
export interface ShardLog {
  /**
   * Appends records in the given order and resolves with their seqs once they are durable.
   * Seqs are assigned synchronously in call order, so two appends started one after the other
   * keep that order even though they may share one fsync.
   */
  append(records: readonly AppendInput[]): Promise<readonly bigint[]>;
  /**
   * Optional: appends `count` records given as blank frames (frame-patch.ts: encoded with seq and
   * timestamp 0), as `append` would with each record's timestamp `timestamp`; the log numbers
   * them in place (`frames` then belongs to the log until the promise settles; it keeps no view
   * of them after that) and resolves with the first one's seq (the rest follow it) once they are durable. `count` must be at least 1. Undefined: use `append`.
   */
  appendFrames?(frames: Buffer, count: number, timestamp: number): Promise<bigint>;
  /**
   * Optional: when records from `fromSeq` on are being made durable right now (appended, not
   * yet fsynced) and none at or after it is readable yet, a promise that resolves once those
   * appends are durable or failed, or after `timeoutMs`, whichever is first (never rejects).
   * Undefined when a read from `fromSeq` has records now or no append of them is in flight.
   */
  whenInFlightDurable?(fromSeq: bigint, timeoutMs: number): Promise<void> | undefined;
  /**
   * Optional: resolves once the I/O callbacks of the current event-loop turn have run (check
   * phase; readers waiting so are released one per turn, in order, so the turns between them look
   * for new requests), or earlier as soon as a record at or after `fromSeq` becomes durable (never rejects);
   * returns undefined when a record at or after `fromSeq` is durable already (no reason to wait).
   * Without this method: wait for the check phase (setImmediate).
   */
  afterThisTurn?(fromSeq: bigint): Promise<void> | undefined;
  /** Records with seq >= `fromSeq` in order, within the limits; [] at the tip. */
  read(fromSeq: bigint, options: ReadOptions): Promise<readonly LogRecord[]>;
  /**
   * Optional: the records `read` would return, as a two-pass plan over the files (see
   * read-plan.ts) for answers written while they are sent; undefined when a plain `read` should
   * be used instead (the records are in memory, there are none, or the log has no files).
   */
  planRead?(fromSeq: bigint, options: ReadOptions, measure: RecordVisitor): Promise<ReadPlan | undefined>;
  /** The seq of the first record with timestamp >= `timestamp` (or `nextSeq()` if none). */
  seekTimestamp(timestamp: number): Promise<bigint>;
  /** The seq of the oldest retained record (== nextSeq() when the log is empty or fully trimmed). */
  firstSeq(): bigint;
  /** The seq the next appended record will get. */
  nextSeq(): bigint;
  /** Arrival time of the newest record, or undefined when empty. */
  lastTimestamp(): number | undefined;
  /**
   * Removes records older than `timestamp` from disk (whole segments at a time, so a few older
   * records may survive until their segment is fully expired, but `firstSeq()` and reads move
   * past every record older than `timestamp`). Returns how many records became unreadable.
   */
  trimBefore(timestamp: number): Promise<number>;
  /** Calls `listener` after each durable append (for push consumers); returns an unsubscribe function. */
  onAppend(listener: (lastSeq: bigint) => void): () => void;
  /** Flushes and closes file handles. */
  close(): Promise<void>;
}

/** Opens and removes shard logs by id (e.g. `<streamId>/<shardId>`). */
export interface ShardLogStore {
  /** Opens (creating if needed) a log; recovers a torn tail frame left by a crash. */
  open(id: string): Promise<ShardLog>;
  /** Closes and deletes a log's files. */
  remove(id: string): Promise<void>;
  /** Closes every open log. */
  close(): Promise<void>;
}
