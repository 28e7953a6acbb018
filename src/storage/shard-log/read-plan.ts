import type { FileHandle } from "node:fs/promises";
import { FRAME_HEADER, FRAME_PREFIX, MAX_BODY, MIN_BODY, frameSeq, frameTimestamp } from "./frame.js";
import { ShardLogCorruptError } from "./errors.js";
import type { HandlePool } from "./handle-pool.js";
import { readExactly, walkFrames } from "./segment-reader.js";
import type { Segment } from "./segment.js";
import type { ReadOptions } from "./shard-log.js";
import { DEFAULT_POOL_IDLE_MS, IdleRelease } from "../../util/idle-release.js";

/**
 * A read in two passes over the segment files, for answers written as they are sent (a drain's
 * 10 MiB GetRecords page): the first pass checks the frames, applies the limits and lets the
 * caller measure each record; the second reads the same frames again, one reused block at a
 * time, while the answer goes out. No record object is built and at most one block per pass is
 * in memory, where a materialised page held ~11 MiB of blocks and ~400 bytes of objects per
 * record until it was sent.
 */

/**
 * One record, valid only during the call: partition key bytes are `buf[pkStart, dataStart)`,
 * data bytes `buf[dataStart, dataEnd)`.
 */
export type RecordVisitor = (seq: number, timestamp: number, buf: Buffer, pkStart: number, dataStart: number, dataEnd: number) => void;

/** The records a planned read will replay. */
export interface ReadPlan {
  /** Records planned (>= 1). */
  readonly count: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly lastTimestamp: number;
  /** Data + partition-key bytes of the planned records. */
  readonly bytes: number;
  /**
   * Reads the planned records again in order, yielding one block of whole frames at a time. The
   * plan's files stay open (even if trim deletes one) until `release`, which ending the
   * iteration (or abandoning it) also does.
   */
  blocks(): AsyncGenerator<PlannedBlock>;
  /** Lets go of the segment handles (idempotent). Call it when done or abandoning. */
  release(): void;
}

/** A block of whole planned frames; valid until the next block is pulled. */
export interface PlannedBlock {
  readonly buf: Buffer;
  /** Frames in this block. */
  readonly count: number;
  /** Frame `i`'s (0-based within this block) seq, arrival time and byte ranges in `buf`. */
  seq(i: number): number;
  timestamp(i: number): number;
  /** Partition key bytes are `[pkStart, dataStart)`, data bytes `[dataStart, dataEnd)`. */
  pkStart(i: number): number;
  dataStart(i: number): number;
  dataEnd(i: number): number;
}

/** Bytes per positional read (and per pooled scratch block). */
export const PLAN_BLOCK_BYTES = 1024 * 1024;
/** Scratch blocks kept for the next reads (one per read in flight: the bench drains 4 shards at once; the rest go to the GC). */
const KEEP_BLOCKS = 4;
const spare: Buffer[] = [];
/** Once reads stop, the spare blocks go too. */
const idle = new IdleRelease(DEFAULT_POOL_IDLE_MS, () => spare.splice(0).length * PLAN_BLOCK_BYTES);

function takeBlock(): Buffer {
  idle.touch();
  return spare.pop() ?? Buffer.allocUnsafeSlow(PLAN_BLOCK_BYTES);
}

function giveBlock(b: Buffer): void {
  idle.touch();
  if (b.length === PLAN_BLOCK_BYTES && spare.length < KEEP_BLOCKS && !spare.includes(b)) spare.push(b);
}

/** What planning needs from its log. */
export interface PlanSource {
  readonly pool: HandlePool;
  /** Seq of the first cached tail frame (Infinity when none): reads starting there are not planned. */
  readonly tailFirst: number;
  segmentFor(seq: number): Segment | undefined;
  /** A read handle, or undefined when the segment was trimmed away. */
  acquire(seg: Segment): Promise<FileHandle | undefined>;
}

interface Span {
  readonly seg: Segment;
  readonly fh: FileHandle;
  readonly startOffset: number;
  readonly endOffset: number;
  readonly startSeq: number;
  readonly count: number;
}

/**
 * Plans a read of records from `from` (already clamped to the log's first seq) within the limits,
 * exactly as `ShardLog.read` would select them; `measure` sees each one. Undefined when the read
 * starts in the tail cache (small: read it as records), when there is nothing to read, or when
 * trim removed a segment meanwhile (the caller then reads as usual).
 */
export async function planRead(src: PlanSource, from: number, options: ReadOptions, measure: RecordVisitor): Promise<ReadPlan | undefined> {
  const maxRecords = Math.floor(options.maxRecords);
  if (!(maxRecords >= 1) || from >= src.tailFirst) return undefined;
  const first = src.segmentFor(from);
  if (first === undefined || from >= first.end) return undefined; // at the tip: nothing to plan
  const spans: Span[] = [];
  const release = (): void => {
    for (const s of spans.splice(0)) src.pool.release(s.seg);
  };
  let count = 0;
  let bytes = 0;
  let lastSeq = -1;
  let lastTs = 0;
  const scratch = takeBlock();
  try {
    for (;;) {
      const seg = src.segmentFor(from);
      if (seg === undefined || from >= seg.end) break;
      const fh = await src.acquire(seg);
      if (fh === undefined) {
        release();
        return undefined;
      }
      const endOffset = seg.size;
      const endSeq = seg.end;
      const pos = seg.locateSeq(from);
      const start = from;
      let spanStart = -1;
      let spanEnd = -1;
      let spanCount = 0;
      let stopped = false;
      let next: number;
      try {
        next = await walkFrames(
          fh,
          { path: seg.path, startSeq: pos.seq, startOffset: pos.offset, endOffset, blockBytes: PLAN_BLOCK_BYTES, verifyFrom: start, scratch },
          (seq, buf, off, bodyLen, filePos) => {
            if (seq < start) return true;
            const recBytes = bodyLen - MIN_BODY;
            if (count > 0 && bytes + recBytes > options.maxBytes) {
              stopped = true;
              return false;
            }
            const ts = frameTimestamp(buf, off);
            const pkStart = off + FRAME_HEADER;
            const dataStart = pkStart + buf.readUInt16LE(off + 24);
            measure(seq, ts, buf, pkStart, dataStart, off + FRAME_PREFIX + bodyLen);
            if (spanCount === 0) spanStart = filePos;
            spanEnd = filePos + FRAME_PREFIX + bodyLen;
            spanCount++;
            count++;
            bytes += recBytes;
            lastSeq = seq;
            lastTs = ts;
            stopped = count >= maxRecords;
            return !stopped;
          },
        );
      } catch (err) {
        src.pool.release(seg);
        throw err;
      }
      if (spanCount > 0) spans.push({ seg, fh, startOffset: spanStart, endOffset: spanEnd, startSeq: start, count: spanCount });
      else src.pool.release(seg);
      if (stopped) break;
      if (next < endSeq) throw new ShardLogCorruptError(`segment ends at seq ${next}, before its last record ${endSeq - 1}`, seg.path, endOffset);
      from = next;
    }
  } catch (err) {
    release();
    throw err;
  } finally {
    giveBlock(scratch);
  }
  if (count === 0) {
    release();
    return undefined;
  }
  const firstSeq = spans[0]!.startSeq;
  return { count, firstSeq, lastSeq, lastTimestamp: lastTs, bytes, blocks: () => replay(spans, release), release };
}

/** The second pass: each span's byte range read again through one scratch block, frame by frame. */
async function* replay(spans: readonly Span[], release: () => void): AsyncGenerator<PlannedBlock> {
  const pooled = takeBlock();
  let block = pooled;
  const offsets: number[] = [];
  let bufRef = block;
  const planned: PlannedBlock = {
    get buf() {
      return bufRef;
    },
    get count() {
      return offsets.length;
    },
    seq: (i) => frameSeq(bufRef, offsets[i]!),
    timestamp: (i) => frameTimestamp(bufRef, offsets[i]!),
    pkStart: (i) => offsets[i]! + FRAME_HEADER,
    dataStart: (i) => offsets[i]! + FRAME_HEADER + bufRef.readUInt16LE(offsets[i]! + 24),
    dataEnd: (i) => offsets[i]! + FRAME_PREFIX + bufRef.readUInt32LE(offsets[i]!),
  };
  try {
    for (const span of spans) {
      let pos = span.startOffset;
      let seq = span.startSeq;
      while (pos < span.endOffset) {
        const length = Math.min(block.length, span.endOffset - pos);
        bufRef = block.subarray(0, length);
        await readExactly(span.fh, bufRef, length, pos, span.seg.path);
        offsets.length = 0;
        let off = 0;
        while (off + FRAME_PREFIX <= length) {
          const bodyLen = bufRef.readUInt32LE(off);
          if (bodyLen < MIN_BODY || bodyLen > MAX_BODY) throw new ShardLogCorruptError(`frame length ${bodyLen} is impossible`, span.seg.path, pos + off);
          if (off + FRAME_PREFIX + bodyLen > length) break;
          if (frameSeq(bufRef, off) !== seq) throw new ShardLogCorruptError(`frame has seq ${frameSeq(bufRef, off)} where ${seq} was expected`, span.seg.path, pos + off);
          offsets.push(off);
          seq++;
          off += FRAME_PREFIX + bodyLen;
        }
        if (offsets.length === 0) {
          // A frame bigger than the block: a block of its own size.
          const bodyLen = bufRef.readUInt32LE(0);
          if (pos + FRAME_PREFIX + bodyLen > span.endOffset) throw new ShardLogCorruptError("frame runs past the planned range", span.seg.path, pos);
          block = Buffer.allocUnsafeSlow(FRAME_PREFIX + bodyLen);
          continue;
        }
        yield planned;
        pos += off;
      }
      if (seq !== span.startSeq + span.count) throw new ShardLogCorruptError(`replayed ${seq - span.startSeq} frames of ${span.count}`, span.seg.path, pos);
    }
  } finally {
    giveBlock(pooled);
    release();
  }
}
