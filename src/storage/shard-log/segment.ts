import { constants } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { crc32 } from "node:zlib";
import { join } from "node:path";
import { FRAME_PREFIX, frameTimestamp } from "./frame.js";
import { indexFileName, segmentFileName } from "./log-paths.js";

/**
 * Where the platform has O_DSYNC, a segment's writer handle is opened with it: each write returns
 * only once its data (and the file size) is durable, as a write followed by fdatasync would, but
 * in one call to the thread pool instead of two.
 */
export const WRITES_ARE_DURABLE = constants.O_DSYNC !== undefined;
const DSYNC = constants.O_DSYNC ?? 0;
/** Opens a new, empty active segment for writing (as "w+"). */
export const NEW_WRITER_FLAGS = constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC | DSYNC;
/** Reopens an existing active segment for writing (as "r+"). */
export const WRITER_FLAGS = constants.O_RDWR | DSYNC;

/** A position in a segment file: the frame of seq `seq` starts at byte `offset`. */
export interface FramePosition {
  readonly seq: number;
  readonly offset: number;
}

const INDEX_MAGIC = 0x31584c53; // "SLX1"
const INDEX_HEADER = 48;
const INDEX_ENTRY = 24;

/**
 * One segment file of a log and its sparse in-memory index. `size` and `count` cover only
 * durable (fsynced, or verified at open) frames; readers never look past them.
 */
export class Segment {
  /** Seq of the first frame (also the file name). */
  readonly base: number;
  readonly path: string;
  readonly indexPath: string;
  readonly indexEveryBytes: number;
  /** Durable bytes. */
  size = 0;
  /**
   * Bytes of the file known written and durable, frames or the zeros written ahead of them
   * (prepared-tail.ts); >= size. Beyond `size` the file holds only zeros, which end a scan.
   */
  preparedEnd = 0;
  /** Durable frames. */
  count = 0;
  /** Timestamp of the first / last durable frame (NaN while empty). */
  firstTs = Number.NaN;
  lastTs = Number.NaN;
  /** Sparse index: frame number (seq - base), timestamp and byte offset, one entry every `indexEveryBytes`. */
  readonly rel: number[] = [];
  readonly tss: number[] = [];
  readonly offs: number[] = [];
  private nextIndexAt = 0;

  /** Open handle (the writer's while active, else a pooled read handle). */
  fh: FileHandle | undefined;
  /** In-flight open of a read handle. */
  opening: Promise<FileHandle> | undefined;
  /** Readers currently using `fh`. */
  refs = 0;
  /** The active segment's handle is owned by the writer and never evicted. */
  pinned = false;
  /** Deleted by trim or owner closed: close `fh` once `refs` drops to 0. */
  retired = false;

  constructor(dir: string, base: number, indexEveryBytes: number) {
    this.base = base;
    this.path = join(dir, segmentFileName(base));
    this.indexPath = join(dir, indexFileName(base));
    this.indexEveryBytes = indexEveryBytes;
  }

  /** Seq one past the last durable frame. */
  get end(): number {
    return this.base + this.count;
  }

  /** Records one verified frame found by a scan (frames arrive in order). */
  noteFrame(ts: number, offset: number, frameBytes: number): void {
    if (offset >= this.nextIndexAt) this.addEntry(this.count, ts, offset);
    if (this.count === 0) this.firstTs = ts;
    this.count++;
    this.lastTs = ts;
    this.size = offset + frameBytes;
  }

  /** Records a batch of `count` frames just made durable at the end of the segment. */
  noteBatch(buf: Buffer, count: number, firstTs: number, lastTs: number): void {
    const pos = this.size;
    if (pos + buf.length > this.nextIndexAt) {
      let off = 0;
      for (let i = 0; off < buf.length; i++) {
        if (pos + off >= this.nextIndexAt) this.addEntry(this.count + i, frameTimestamp(buf, off), pos + off);
        if (pos + buf.length <= this.nextIndexAt) break;
        off += FRAME_PREFIX + buf.readUInt32LE(off);
      }
    }
    if (this.count === 0) this.firstTs = firstTs;
    this.count += count;
    this.lastTs = lastTs;
    this.size = pos + buf.length;
  }

  private addEntry(rel: number, ts: number, offset: number): void {
    this.rel.push(rel);
    this.tss.push(ts);
    this.offs.push(offset);
    this.nextIndexAt = offset + this.indexEveryBytes;
  }

  /** The indexed frame at or before `seq` (seq must lie in this segment). */
  locateSeq(seq: number): FramePosition {
    const rel = seq - this.base;
    let lo = 0;
    let hi = this.rel.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.rel[mid]! <= rel) lo = mid;
      else hi = mid - 1;
    }
    if (this.rel.length === 0) return { seq: this.base, offset: 0 };
    return { seq: this.base + this.rel[lo]!, offset: this.offs[lo]! };
  }

  /**
   * The indexed frame from which a forward scan finds the first frame with timestamp >= `ts`:
   * the last entry whose timestamp is < `ts`, or the segment start.
   */
  locateTimestamp(ts: number): FramePosition {
    let lo = 0;
    let hi = this.tss.length; // first entry with tss >= ts
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.tss[mid]! < ts) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) return { seq: this.base, offset: 0 };
    return { seq: this.base + this.rel[lo - 1]!, offset: this.offs[lo - 1]! };
  }

  /** The persisted form of this (sealed) segment's index, checksummed. */
  serializeIndex(): Buffer {
    const n = this.rel.length;
    const buf = Buffer.alloc(INDEX_HEADER + n * INDEX_ENTRY + 4);
    buf.writeUInt32LE(INDEX_MAGIC, 0);
    buf.writeDoubleLE(this.base, 4);
    buf.writeDoubleLE(this.count, 12);
    buf.writeDoubleLE(this.size, 20);
    buf.writeDoubleLE(this.firstTs, 28);
    buf.writeDoubleLE(this.lastTs, 36);
    buf.writeUInt32LE(n, 44);
    for (let i = 0; i < n; i++) {
      const o = INDEX_HEADER + i * INDEX_ENTRY;
      buf.writeDoubleLE(this.rel[i]!, o);
      buf.writeDoubleLE(this.tss[i]!, o + 8);
      buf.writeDoubleLE(this.offs[i]!, o + 16);
    }
    const end = INDEX_HEADER + n * INDEX_ENTRY;
    buf.writeUInt32LE(crc32(buf.subarray(0, end)), end);
    return buf;
  }

  /**
   * Loads a persisted index if it is intact and describes this segment as it is on disk
   * (`fileSize` bytes, `expectedCount` frames). Returns false (and leaves the segment empty) otherwise.
   */
  loadIndex(buf: Buffer, fileSize: number, expectedCount: number): boolean {
    if (buf.length < INDEX_HEADER + 4 || buf.readUInt32LE(0) !== INDEX_MAGIC) return false;
    const n = buf.readUInt32LE(44);
    const end = INDEX_HEADER + n * INDEX_ENTRY;
    if (buf.length !== end + 4 || crc32(buf.subarray(0, end)) !== buf.readUInt32LE(end)) return false;
    if (buf.readDoubleLE(4) !== this.base || buf.readDoubleLE(12) !== expectedCount || buf.readDoubleLE(20) !== fileSize) return false;
    this.count = expectedCount;
    this.size = fileSize;
    this.firstTs = buf.readDoubleLE(28);
    this.lastTs = buf.readDoubleLE(36);
    for (let i = 0; i < n; i++) {
      const o = INDEX_HEADER + i * INDEX_ENTRY;
      this.addEntry(buf.readDoubleLE(o), buf.readDoubleLE(o + 8), buf.readDoubleLE(o + 16));
    }
    return true;
  }
}
