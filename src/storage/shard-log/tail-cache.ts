import { FRAME_HEADER, FRAME_PREFIX, MIN_BODY, frameTimestamp } from "./frame.js";
import type { LogRecord } from "./shard-log.js";

/** Where one durable batch's frames (or the newest part of them) lie in the cache's memory. */
interface CachedBatch {
  readonly first: number;
  readonly count: number;
  /** Offset of its first frame in the cache's memory. */
  at: number;
  readonly bytes: number;
}

/** Bytes of recent frames a log keeps in memory by default (bounded per log: many shards may be open). */
export const DEFAULT_TAIL_CACHE_BYTES = 256 * 1024;

/** A log that appends only a little never gets more memory than this. */
const INITIAL_BYTES = 16 * 1024;

/**
 * The frames of a log's latest durable appends, kept so that readers at the tip (polling
 * GetRecords, SubscribeToShard pushes) get them without a positional read, which would wait
 * behind the fdatasyncs occupying libuv's small thread pool. Holds only durable frames, in seq
 * order with no gap; frames the log wrote itself, so their checksums are not re-verified.
 *
 * The frames are copied into memory of the cache's own (a ring of at most `maxBytes`, grown as
 * needed), so an appender's buffer is free for reuse once its append is durable; `read` copies
 * what it returns, so records never change under a reader however long it holds them.
 */
export class TailCache {
  /** In seq order; in the ring, each one follows the previous one or starts at offset 0. */
  readonly #batches: CachedBatch[] = [];
  #mem: Buffer | undefined;
  #bytes = 0;

  constructor(readonly maxBytes: number) {}

  /** Seq of the first cached frame (Infinity when empty). */
  get first(): number {
    return this.#batches[0]?.first ?? Number.POSITIVE_INFINITY;
  }

  /**
   * Copies a batch just made durable (it must follow the last cached one, or the cache restarts
   * from it); of a batch larger than `maxBytes`, its newest frames that fit.
   */
  add(buf: Buffer, first: number, count: number): void {
    const last = this.#batches[this.#batches.length - 1];
    if (last !== undefined && last.first + last.count !== first) this.#forget();
    let from = 0;
    if (buf.length > this.maxBytes) {
      while (count > 0 && buf.length - from > this.maxBytes) {
        from += FRAME_PREFIX + buf.readUInt32LE(from);
        first++;
        count--;
      }
      this.#forget(); // what is cached no longer joins up with the frames kept
      if (count === 0) return;
    }
    const bytes = buf.length - from;
    const mem = this.#room(bytes);
    const newest = this.#batches[this.#batches.length - 1];
    const end = newest === undefined ? 0 : newest.at + newest.bytes;
    const wrap = end + bytes > mem.length;
    const at = wrap ? 0 : end;
    // The oldest batches are the ones just past the write position in the ring: those the new
    // frames overwrite go, and on a wrap to offset 0 so do all between it and the ring's end.
    while (this.#batches.length > 0) {
      const oldest = this.#batches[0]!;
      if (!((wrap && oldest.at >= end) || (oldest.at < at + bytes && at < oldest.at + oldest.bytes))) break;
      this.#batches.shift();
      this.#bytes -= oldest.bytes;
    }
    // fill: one memcpy, where copy out of shared memory (PutRecords frames) goes byte by byte
    // whenever the two offsets are not equally aligned.
    mem.fill(buf.subarray(from), at, at + bytes);
    this.#batches.push({ first, count, at, bytes });
    this.#bytes += bytes;
  }

  /** Forgets every frame and gives the memory back. */
  clear(): void {
    this.#forget();
    this.#mem = undefined;
  }

  #forget(): void {
    this.#batches.length = 0;
    this.#bytes = 0;
  }

  /** The ring, grown (up to `maxBytes`) when `bytes` more would not fit beside what it holds. */
  #room(bytes: number): Buffer {
    const mem = this.#mem;
    const size = mem?.length ?? 0;
    if (mem !== undefined && (size >= this.maxBytes || this.#bytes + bytes <= size)) return mem;
    let grown = Math.max(INITIAL_BYTES, size);
    while (grown < this.#bytes + bytes) grown *= 2;
    grown = Math.min(this.maxBytes, grown);
    const next = Buffer.allocUnsafeSlow(grown);
    let off = 0;
    for (const b of this.#batches) {
      mem!.copy(next, off, b.at, b.at + b.bytes);
      b.at = off;
      off += b.bytes;
    }
    this.#mem = next;
    return next;
  }

  /**
   * Records from `from` on (which must be >= `first`), within the limits, exactly as a read of
   * the segment files would return them: at most `maxRecords`, and no record that would take
   * the data + partition-key bytes over `maxBytes` unless it is the first. Their data lies in a
   * copy of the records' frames, made for this read.
   */
  read(from: number, maxRecords: number, maxBytes: number): LogRecord[] {
    const mem = this.#mem;
    const batches = this.#batches;
    const last = batches[batches.length - 1];
    if (last === undefined || from >= last.first + last.count) return []; // at the tip (an empty poll): no scan
    let i = 0;
    while (i < batches.length && batches[i]!.first + batches[i]!.count <= from) i++;
    if (mem === undefined || i === batches.length) return [];
    // First the frames to return: one range of the ring per batch.
    const ranges: number[] = [];
    let records = 0;
    let bytes = 0;
    let total = 0;
    let startSeq = from;
    scan: for (; i < batches.length; i++) {
      const { first, count, at } = batches[i]!;
      let off = at;
      let start = -1;
      for (let seq = first; seq < first + count; seq++) {
        const bodyLen = mem.readUInt32LE(off);
        if (seq >= from) {
          const recBytes = bodyLen - MIN_BODY;
          if (records > 0 && (bytes + recBytes > maxBytes || records >= maxRecords)) {
            if (start >= 0) ranges.push(start, off);
            break scan;
          }
          if (records === 0) startSeq = seq;
          if (start < 0) start = off;
          records++;
          bytes += recBytes;
        }
        off += FRAME_PREFIX + bodyLen;
      }
      if (start >= 0) ranges.push(start, off);
    }
    for (let r = 0; r < ranges.length; r += 2) total += ranges[r + 1]! - ranges[r]!;
    const copy = Buffer.allocUnsafe(total);
    let at = 0;
    for (let r = 0; r < ranges.length; r += 2) at += mem.copy(copy, at, ranges[r]!, ranges[r + 1]!);
    // Then the records, over the copy.
    const out = new Array<LogRecord>(records);
    let off = 0;
    for (let j = 0; j < records; j++) {
      const bodyLen = copy.readUInt32LE(off);
      const end = off + FRAME_PREFIX + bodyLen;
      const pkLen = copy.readUInt16LE(off + 24);
      const pkStart = off + FRAME_HEADER;
      out[j] = {
        seq: BigInt(startSeq + j),
        timestamp: frameTimestamp(copy, off),
        partitionKey: pkLen === 0 ? "" : copy.toString("utf8", pkStart, pkStart + pkLen),
        data: copy.subarray(pkStart + pkLen, end),
      };
      off = end;
    }
    return out;
  }
}
