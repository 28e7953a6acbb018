import type { FileHandle } from "node:fs/promises";
import { FRAME_HEADER, FRAME_PREFIX, MIN_BODY, frameTimestamp } from "./frame.js";
import { ShardLogCorruptError } from "./errors.js";
import type { HandlePool } from "./handle-pool.js";
import { holdBlocks } from "./read-blocks.js";
import { readBlockBytes, walkFrames } from "./segment-reader.js";
import type { Segment } from "./segment.js";
import type { LogRecord, ReadOptions } from "./shard-log.js";
import type { TailCache } from "./tail-cache.js";

/** What a plain read needs from its log. */
export interface ReadSource {
  readonly pool: HandlePool;
  /** The latest durable frames, in memory. */
  readonly tail: TailCache;
  /** The first retained seq (it moves when trim runs during the read). */
  firstSeq(): number;
  segmentFor(seq: number): Segment | undefined;
  /** A read handle, or undefined when the segment was trimmed away. */
  acquire(seg: Segment): Promise<FileHandle | undefined>;
}

/**
 * Durable records with seq >= `from` in order, within the limits (ShardLog.read): from the tail
 * cache at the tip, else from the segment files; a record's `data` is a view into the block it was
 * read with (freeRecordBlocks frees them).
 */
export async function readRecords(src: ReadSource, fromSeq: number, options: ReadOptions): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  const maxRecords = Math.floor(options.maxRecords);
  if (!(maxRecords >= 1)) return out;
  const maxBytes = options.maxBytes;
  let bytes = 0;
  let from = fromSeq;
  const blocks: Buffer[] = [];
  for (;;) {
    from = Math.max(from, src.firstSeq());
    // At the tip, the frames just made durable are still in memory: no file read.
    if (out.length === 0 && from >= src.tail.first) return src.tail.read(from, maxRecords, maxBytes);
    const seg = src.segmentFor(from);
    if (seg === undefined || from >= seg.end) return out;
    const fh = await src.acquire(seg);
    if (fh === undefined) continue; // trimmed away meanwhile: start again from the new horizon
    holdBlocks(out, blocks); // freeRecordBlocks(out) frees the blocks the walk loads
    let stopped = false;
    try {
      const endOffset = seg.size;
      const endSeq = seg.end;
      const pos = seg.locateSeq(from);
      const start = from;
      const blockBytes = readBlockBytes(seg, from - pos.seq, maxRecords - out.length, maxBytes - bytes);
      const next = await walkFrames(
        fh,
        { path: seg.path, startSeq: pos.seq, startOffset: pos.offset, endOffset, blockBytes, verifyFrom: start, blocks },
        (seq, buf, off, bodyLen) => {
          if (seq < start) return true;
          const recBytes = bodyLen - MIN_BODY;
          if (out.length > 0 && bytes + recBytes > maxBytes) {
            stopped = true;
            return false;
          }
          const pkLen = buf.readUInt16LE(off + 24);
          const pkStart = off + FRAME_HEADER;
          out.push({
            seq: BigInt(seq),
            timestamp: frameTimestamp(buf, off),
            partitionKey: pkLen === 0 ? "" : buf.toString("utf8", pkStart, pkStart + pkLen),
            data: buf.subarray(pkStart + pkLen, off + FRAME_PREFIX + bodyLen),
          });
          bytes += recBytes;
          stopped = out.length >= maxRecords;
          return !stopped;
        },
      );
      if (stopped) return out;
      if (next < endSeq) throw new ShardLogCorruptError(`segment ends at seq ${next}, before its last record ${endSeq - 1}`, seg.path, endOffset);
      from = next;
    } finally {
      src.pool.release(seg);
    }
  }
}
