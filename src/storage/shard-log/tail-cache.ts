import { FRAME_HEADER, FRAME_PREFIX, MIN_BODY, frameTimestamp } from "./frame.js";
import type { LogRecord } from "./shard-log.js";

/** A log's most recent durable batches, as encoded and fsynced, bounded in bytes. */
interface CachedBatch {
  readonly buf: Buffer;
  readonly first: number;
  readonly count: number;
}

/** Bytes of recent frames a log keeps in memory by default (bounded per log: many shards may be open). */
export const DEFAULT_TAIL_CACHE_BYTES = 256 * 1024;

/**
 * The frames of a log's latest durable appends, kept so that readers at the tip (polling
 * GetRecords, SubscribeToShard pushes) get them without a positional read, which would wait
 * behind the fdatasyncs occupying libuv's small thread pool. Holds only durable frames, in seq
 * order with no gap; frames the log wrote itself, so their checksums are not re-verified.
 */
export class TailCache {
  readonly #batches: CachedBatch[] = [];
  #bytes = 0;

  constructor(readonly maxBytes: number) {}

  /** Seq of the first cached frame (Infinity when empty). */
  get first(): number {
    return this.#batches[0]?.first ?? Number.POSITIVE_INFINITY;
  }

  /** Adds a batch just made durable; it must follow the last cached one, or the cache restarts from it. */
  add(buf: Buffer, first: number, count: number): void {
    const last = this.#batches[this.#batches.length - 1];
    if (last !== undefined && last.first + last.count !== first) this.clear();
    this.#batches.push({ buf, first, count });
    this.#bytes += buf.length;
    while (this.#bytes > this.maxBytes && this.#batches.length > 0) this.#bytes -= this.#batches.shift()!.buf.length;
  }

  clear(): void {
    this.#batches.length = 0;
    this.#bytes = 0;
  }

  /**
   * Records from `from` on (which must be >= `first`), within the limits, exactly as a read of
   * the segment files would return them: at most `maxRecords`, and no record that would take
   * the data + partition-key bytes over `maxBytes` unless it is the first.
   */
  read(from: number, maxRecords: number, maxBytes: number): LogRecord[] {
    const out: LogRecord[] = [];
    let bytes = 0;
    const batches = this.#batches;
    let i = 0;
    while (i < batches.length && batches[i]!.first + batches[i]!.count <= from) i++;
    for (; i < batches.length; i++) {
      const { buf, first, count } = batches[i]!;
      let off = 0;
      for (let seq = first; seq < first + count; seq++) {
        const bodyLen = buf.readUInt32LE(off);
        const frameStart = off;
        off += FRAME_PREFIX + bodyLen;
        if (seq < from) continue;
        const recBytes = bodyLen - MIN_BODY;
        if (out.length > 0 && bytes + recBytes > maxBytes) return out;
        const pkLen = buf.readUInt16LE(frameStart + 24);
        const pkStart = frameStart + FRAME_HEADER;
        out.push({
          seq: BigInt(seq),
          timestamp: frameTimestamp(buf, frameStart),
          partitionKey: pkLen === 0 ? "" : buf.toString("utf8", pkStart, pkStart + pkLen),
          data: buf.subarray(pkStart + pkLen, off),
        });
        bytes += recBytes;
        if (out.length >= maxRecords) return out;
      }
    }
    return out;
  }
}
