import { open } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import type { Logger } from "../../util/logger.js";
import type { AppendInput, LogRecord, ReadOptions, ShardLog } from "./shard-log.js";
import { encodeBatch, frameTimestamp } from "./frame.js";
import { numberBlankFrames } from "./frame-patch.js";
import { ShardLogClosedError } from "./errors.js";
import { HORIZON_FILE, fsyncDir, indexFileName, unlinkIfPresent, writeAll, writeFileAtomically, writeFileDurably } from "./log-paths.js";
import { SegmentGoneError } from "./handle-pool.js";
import type { HandlePool } from "./handle-pool.js";
import { planRead, type ReadPlan, type RecordVisitor } from "./read-plan.js";
import { MIN_READ_BLOCK, walkFrames } from "./segment-reader.js";
import { NEW_WRITER_FLAGS, Segment, WRITES_ARE_DURABLE } from "./segment.js";
import { DEFAULT_TAIL_CACHE_BYTES, TailCache } from "./tail-cache.js";
import { InFlightWaiters, afterThisTurn } from "./in-flight-waiters.js";
import { readRecords, type ReadSource } from "./segment-read.js";
import { seqNumber, seqRange } from "./seq-numbers.js";
import { collectThreadWrites, writeOnThread } from "./write-threads.js";
import { ZEROS, prepareAhead } from "./prepared-tail.js";
import { directWriteHelps, inFlightWrite, mayWriteDirectly, writeDirectly } from "./direct-write.js";
import { firstSegmentReaching, segmentHolding } from "./segment-search.js";

/** What a log needs from its store. */
export interface SegmentLogConfig {
  readonly id: string;
  readonly dir: string;
  readonly segmentBytes: number;
  readonly indexEveryBytes: number;
  readonly pool: HandlePool;
  readonly logger: Logger | undefined;
  /** Bytes of the latest durable frames kept in memory for readers at the tip (default 256 KiB). */
  readonly tailCacheBytes?: number;
  /** Small commits bypass FileHandle: a lone one written directly (direct-write.ts), others on the log's own write threads (write-threads.ts); default true. */
  readonly writeThreads?: boolean;
}

interface PendingBatch {
  readonly buf: Buffer;
  readonly first: number;
  readonly count: number;
  readonly firstTs: number;
  readonly lastTs: number;
  /** Called with the batch's first seq once it is durable. */
  readonly resolve: (first: number) => void;
  readonly reject: (err: unknown) => void;
}

interface ControlOp {
  readonly run: () => Promise<void>;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

function resolveBatch(batch: readonly PendingBatch[]): void {
  for (const b of batch) b.resolve(b.first);
}

/** A log whose last round ended this recently (ms) is busy: its next round waits one turn to batch. */
const BUSY_WINDOW_MS = 2;

/**
 * A shard log stored as segment files of checksummed frames (see frame.ts). One writer loop
 * ("pump") does all file mutation in order: group-commit rounds (one durable writev, O_DSYNC, for
 * every batch that queued while the previous round was writing) and control operations (segment
 * roll). Reads and seeks use positional reads on pooled handles and see only durable frames;
 * a returned record's `data` is a view into the block it was read with (no per-record copy).
 * Seqs are kept as safe integers internally (2^53 records per shard is out of reach).
 */
export class SegmentShardLog implements ShardLog {
  readonly #cfg: SegmentLogConfig;
  /** Sorted by base; the last one is active (pinned writer handle). */
  readonly #segments: Segment[];
  /** Records below this seq are trimmed (persisted in horizon.json). */
  #horizon: number;
  #assignedNext: number;
  #assignedLastTs: number;
  #durableNext: number;
  #durableLastTs: number;
  readonly #pending: PendingBatch[] = [];
  readonly #control: ControlOp[] = [];
  #pumping = false;
  #pumpDone: Promise<void> = Promise.resolve();
  #failed: unknown;
  #closing: Promise<void> | undefined;
  readonly #listeners = new Set<(lastSeq: bigint) => void>();
  #trimChain: Promise<unknown> = Promise.resolve();
  readonly #background = new Set<Promise<void>>();
  readonly #tail: TailCache;
  /** performance.now() when the last group-commit round ended. */
  #lastRoundAt = Number.NEGATIVE_INFINITY;
  readonly #inFlightWaiters = new InFlightWaiters();
  readonly #readSource: ReadSource;

  /** Use `openSegmentLog`; segments come recovered, the last one with an open writer handle. */
  constructor(cfg: SegmentLogConfig, segments: Segment[], horizon: number) {
    this.#cfg = cfg;
    this.#segments = segments;
    this.#horizon = horizon;
    this.#tail = new TailCache(cfg.tailCacheBytes ?? DEFAULT_TAIL_CACHE_BYTES);
    this.#readSource = { pool: cfg.pool, tail: this.#tail, firstSeq: () => this.#firstSeqNumber(), segmentFor: (s) => this.#segmentFor(s), acquire: (seg) => this.#acquire(seg) };
    const active = this.#active;
    this.#assignedNext = this.#durableNext = active.end;
    let lastTs = Number.NEGATIVE_INFINITY;
    for (const s of segments) if (s.count > 0) lastTs = s.lastTs;
    this.#assignedLastTs = this.#durableLastTs = lastTs;
  }

  get #active(): Segment {
    return this.#segments[this.#segments.length - 1]!;
  }

  /** True once close() was called. */
  get closing(): boolean {
    return this.#closing !== undefined;
  }

  append(records: readonly AppendInput[]): Promise<readonly bigint[]> {
    if (this.#closing) return Promise.reject(new ShardLogClosedError(`shard log ${this.#cfg.id} is closed`));
    if (this.#failed !== undefined) return Promise.reject(this.#failedError());
    if (records.length === 0) return Promise.resolve([]);
    const first = this.#assignedNext;
    let enc;
    try {
      enc = encodeBatch(records, first, this.#assignedLastTs);
    } catch (err) {
      return Promise.reject(err);
    }
    this.#assignedNext = first + records.length;
    this.#assignedLastTs = enc.lastTs;
    return new Promise((resolve, reject) => {
      const resolveSeqs = (from: number): void => resolve(seqRange(from, records.length));
      this.#pending.push({ buf: enc.buf, first, count: records.length, firstTs: enc.firstTs, lastTs: enc.lastTs, resolve: resolveSeqs, reject });
      this.#kick();
    });
  }

  appendFrames(frames: Buffer, count: number, timestamp: number): Promise<bigint> {
    if (this.#closing) return Promise.reject(new ShardLogClosedError(`shard log ${this.#cfg.id} is closed`));
    if (this.#failed !== undefined) return Promise.reject(this.#failedError());
    if (count === 0) return Promise.reject(new RangeError("no frames to append"));
    const first = this.#assignedNext;
    const ts = Math.max(this.#assignedLastTs, Math.floor(timestamp));
    try {
      if (!Number.isSafeInteger(ts)) throw new RangeError(`timestamp ${timestamp} is not a safe integer of milliseconds`);
      numberBlankFrames(frames, count, first, ts);
    } catch (err) {
      return Promise.reject(err);
    }
    this.#assignedNext = first + count;
    this.#assignedLastTs = ts;
    return new Promise((resolve, reject) => {
      this.#pending.push({ buf: frames, first, count, firstTs: ts, lastTs: ts, resolve: (from) => resolve(BigInt(from)), reject });
      this.#kick();
    });
  }

  afterThisTurn(fromSeq: bigint): Promise<void> | undefined {
    const from = seqNumber(fromSeq);
    if (from < this.#durableNext) return undefined;
    if (this.#failed !== undefined || this.#closing) return afterThisTurn();
    return this.#inFlightWaiters.waitTurn(from + 1);
  }

  whenInFlightDurable(fromSeq: bigint, timeoutMs: number): Promise<void> | undefined {
    collectThreadWrites(); // a write that finished is settled without waiting for the next loop turn
    const from = seqNumber(fromSeq);
    const until = this.#assignedNext;
    if (from < this.#durableNext || until <= Math.max(from, this.#durableNext) || this.#failed !== undefined || this.#closing) return undefined;
    return this.#inFlightWaiters.wait(until, timeoutMs);
  }

  read(fromSeq: bigint, options: ReadOptions): Promise<readonly LogRecord[]> {
    if (this.#closing) return Promise.reject(new ShardLogClosedError(`shard log ${this.#cfg.id} is closed`));
    return readRecords(this.#readSource, seqNumber(fromSeq), options);
  }

  planRead(fromSeq: bigint, options: ReadOptions, measure: RecordVisitor): Promise<ReadPlan | undefined> {
    this.#assertOpen();
    const src = { pool: this.#cfg.pool, tailFirst: this.#tail.first, segmentFor: (s: number) => this.#segmentFor(s), acquire: (seg: Segment) => this.#acquire(seg) };
    return planRead(src, Math.max(seqNumber(fromSeq), this.#firstSeqNumber()), options, measure);
  }

  async seekTimestamp(timestamp: number): Promise<bigint> {
    this.#assertOpen();
    return BigInt(await this.#seek(timestamp));
  }

  firstSeq(): bigint {
    return BigInt(this.#firstSeqNumber());
  }

  nextSeq(): bigint {
    return BigInt(this.#assignedNext);
  }

  lastTimestamp(): number | undefined {
    return this.#durableNext > this.#firstSeqNumber() ? this.#durableLastTs : undefined;
  }

  trimBefore(timestamp: number): Promise<number> {
    const run = this.#trimChain.then(() => this.#trim(timestamp));
    this.#trimChain = run.catch(() => undefined);
    return run;
  }

  onAppend(listener: (lastSeq: bigint) => void): () => void {
    const wrapped = (lastSeq: bigint): void => listener(lastSeq);
    this.#listeners.add(wrapped);
    return () => this.#listeners.delete(wrapped);
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  /** Deletes sealed segments wholly below the horizon (trim, or leftovers of a crash during trim). */
  async deleteExpired(): Promise<void> {
    const doomed: Segment[] = [];
    while (this.#segments.length > 1 && this.#segments[0]!.end <= this.#horizon) doomed.push(this.#segments.shift()!);
    if (doomed.length === 0) return;
    for (const seg of doomed) {
      await this.#cfg.pool.retire(seg);
      await unlinkIfPresent(seg.path);
      await unlinkIfPresent(seg.indexPath);
    }
    await fsyncDir(this.#cfg.dir);
  }

  async #close(): Promise<void> {
    await this.#trimChain;
    while (this.#pumping || this.#pending.length > 0 || this.#control.length > 0) {
      this.#kick();
      await this.#pumpDone;
    }
    await Promise.all(this.#background);
    for (const seg of this.#segments) await this.#cfg.pool.retire(seg);
    this.#listeners.clear();
    this.#tail.clear();
  }

  #assertOpen(): void {
    if (this.#closing) throw new ShardLogClosedError(`shard log ${this.#cfg.id} is closed`);
  }

  #failedError(): Error {
    return new ShardLogClosedError(`shard log ${this.#cfg.id} stopped after a write error; reopen it`, { cause: this.#failed });
  }

  #firstSeqNumber(): number {
    return Math.max(this.#horizon, this.#segments[0]!.base);
  }

  /** The segment holding `seq` (the last one whose base is <= seq). */
  #segmentFor(seq: number): Segment | undefined {
    return segmentHolding(this.#segments, seq);
  }

  /** A read handle for `seg`, or undefined when trim deleted the segment first. */
  async #acquire(seg: Segment): Promise<FileHandle | undefined> {
    try {
      return await this.#cfg.pool.acquire(seg);
    } catch (err) {
      if (err instanceof SegmentGoneError) {
        this.#assertOpen();
        return undefined;
      }
      throw err;
    }
  }

  /** First durable seq >= firstSeq with timestamp >= `ts`, or the durable tip. */
  async #seek(ts: number): Promise<number> {
    for (;;) {
      const first = this.#firstSeqNumber();
      const seg = firstSegmentReaching(this.#segments, ts);
      if (seg === undefined || seg.count === 0) return Math.max(first, this.#durableNext);
      if (seg.end <= first) return first;
      const pos = seg.locateTimestamp(ts);
      if (pos.offset === 0 && seg.firstTs >= ts) return Math.max(first, seg.base);
      const fh = await this.#acquire(seg);
      if (fh === undefined) continue;
      try {
        let found = seg.end;
        await walkFrames(
          fh,
          { path: seg.path, startSeq: pos.seq, startOffset: pos.offset, endOffset: seg.size, blockBytes: MIN_READ_BLOCK, verifyFrom: Number.MAX_SAFE_INTEGER },
          (seq, buf, off) => {
            if (frameTimestamp(buf, off) < ts) return true;
            found = seq;
            return false;
          },
        );
        return Math.max(first, found);
      } finally {
        this.#cfg.pool.release(seg);
      }
    }
  }

  async #trim(ts: number): Promise<number> {
    this.#assertOpen();
    const oldFirst = this.#firstSeqNumber();
    const horizon = await this.#seek(ts);
    let removed = 0;
    if (horizon > oldFirst) {
      await writeFileDurably(this.#cfg.dir, HORIZON_FILE, Buffer.from(JSON.stringify({ horizon })));
      this.#horizon = horizon;
      removed = horizon - oldFirst;
    }
    const expired = (s: Segment): boolean => s.count > 0 && s.end <= this.#horizon;
    if (expired(this.#active)) {
      // Never delete the active segment: roll first, so the next appends go to a fresh file.
      await this.#runControl(async () => {
        if (expired(this.#active)) await this.#roll();
      });
    }
    await this.deleteExpired();
    return removed;
  }

  #kick(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    this.#pumpDone = this.#pump();
  }

  async #pump(): Promise<void> {
    try {
      for (;;) {
        const op = this.#control.shift();
        if (op !== undefined) {
          if (this.#failed !== undefined) op.reject(this.#failedError());
          else await op.run().then(op.resolve, op.reject);
          continue;
        }
        if (this.#pending.length === 0) return;
        if (performance.now() - this.#lastRoundAt < BUSY_WINDOW_MS) {
          // Appends are streaming in: let the rest of this event-loop turn queue its appends
          // (callers whose previous append just resolved, requests parsed in the same poll
          // phase) so they share this round's fsync. An append to an idle log is written at
          // once: waiting behind the other requests of the turn would only delay its readers.
          await new Promise<void>((resolve) => setImmediate(resolve));
          if (this.#control.length > 0) continue;
        }
        if (this.#failed !== undefined) {
          const err = this.#failedError();
          for (const b of this.#pending.splice(0)) b.reject(err);
          this.#settleWaiters();
          return;
        }
        await this.#round();
      }
    } finally {
      this.#pumping = false;
    }
  }

  #runControl(run: () => Promise<void>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#control.push({ run, resolve, reject });
      this.#kick();
    });
  }

  /**
   * One group commit: every queued batch that fits before the roll point in one writev, durable
   * when it returns (O_DSYNC; elsewhere followed by one fdatasync).
   */
  async #round(): Promise<void> {
    const seg = this.#active;
    const room = this.#cfg.segmentBytes - seg.size;
    let k = 0;
    let bytes = 0;
    while (k < this.#pending.length && (k === 0 || bytes < room)) bytes += this.#pending[k++]!.buf.length;
    const batch = this.#pending.splice(0, k);
    try {
      const bufs = batch.map((b) => b.buf);
      const fill = prepareAhead(seg, bytes, this.#cfg.segmentBytes);
      if (fill > 0) bufs.push(ZEROS.subarray(0, fill));
      const total = bytes + fill;
      const own = this.#cfg.writeThreads !== false;
      const readers = this.#inFlightWaiters;
      if (own && performance.now() - this.#lastRoundAt >= BUSY_WINDOW_MS && directWriteHelps(readers.size, readers.lastAddedAt, this.#listeners.size) && mayWriteDirectly(bytes)) {
        // A lone small commit: written on this thread, its readers and appender answered right after.
        writeDirectly(seg.fh!.fd, bufs, seg.size, total, WRITES_ARE_DURABLE);
      } else {
        const onThread = WRITES_ARE_DURABLE && own ? writeOnThread(seg.fh!.fd, bufs, seg.size, total) : undefined;
        await inFlightWrite(onThread ?? writeAll(seg.fh!, bufs, seg.size, total));
        if (!WRITES_ARE_DURABLE) await seg.fh!.datasync();
      }
      seg.preparedEnd = Math.max(seg.preparedEnd, seg.size + total);
      this.#lastRoundAt = performance.now();
    } catch (err) {
      // After a failed write or fsync the file's state is unknown (fsyncgate): stop accepting
      // appends; reopening recovers from what is really on disk.
      this.#failed = err;
      this.#cfg.logger?.error("shard log write failed", { id: this.#cfg.id, error: String(err) });
      for (const b of batch) b.reject(err);
      this.#settleWaiters();
      return;
    }
    for (const b of batch) {
      seg.noteBatch(b.buf, b.count, b.firstTs, b.lastTs);
      this.#tail.add(b.buf, b.first, b.count);
    }
    const last = batch[batch.length - 1]!;
    this.#durableNext = last.first + last.count;
    this.#durableLastTs = last.lastTs;
    // Readers waiting at the tip and push consumers first; the appenders once the promise reactions
    // this queues have run, so that a reader's answer (all in memory) goes out before its appender's.
    this.#settleWaiters();
    this.#emit(BigInt(this.#durableNext - 1));
    process.nextTick(resolveBatch, batch);
    if (seg.size >= this.#cfg.segmentBytes) {
      try {
        await this.#roll();
      } catch (err) {
        this.#cfg.logger?.warn("shard log segment roll failed; staying in the current segment", { id: this.#cfg.id, error: String(err) });
      }
    }
  }

  /** Releases the readers whose appends are now durable (all of them once the log has failed). */
  #settleWaiters(): void {
    this.#inFlightWaiters.settle(this.#durableNext, this.#failed !== undefined);
  }

  #emit(lastSeq: bigint): void {
    for (const listener of this.#listeners) {
      try {
        listener(lastSeq);
      } catch (err) {
        this.#cfg.logger?.warn("shard log onAppend listener threw", { id: this.#cfg.id, error: String(err) });
      }
    }
  }

  /** Seals the active segment and starts a new one named after the next durable seq. */
  async #roll(): Promise<void> {
    const old = this.#active;
    if (old.preparedEnd > old.size) {
      // A roll before the segment filled up (trim): a sealed segment ends with its last frame.
      await old.fh!.truncate(old.size);
      await old.fh!.datasync();
      old.preparedEnd = old.size;
    }
    const seg = new Segment(this.#cfg.dir, this.#durableNext, this.#cfg.indexEveryBytes);
    const fh = await open(seg.path, NEW_WRITER_FLAGS);
    try {
      await fsyncDir(this.#cfg.dir);
    } catch (err) {
      await fh.close().catch(() => undefined);
      await unlinkIfPresent(seg.path);
      throw err;
    }
    seg.fh = fh;
    seg.pinned = true;
    this.#segments.push(seg);
    this.#cfg.pool.adopt(old);
    const write = writeFileAtomically(this.#cfg.dir, indexFileName(old.base), old.serializeIndex()).catch((err: unknown) => {
      this.#cfg.logger?.warn("could not persist a segment index; it will be rebuilt on open", { id: this.#cfg.id, error: String(err) });
    });
    this.#background.add(write);
    void write.finally(() => this.#background.delete(write));
  }
}
