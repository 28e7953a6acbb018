import type { FileHandle } from "node:fs/promises";
import { FRAME_HEADER, FRAME_PREFIX, MAX_BODY, MIN_BODY, frameChecksumOk, frameSeq } from "./frame.js";
import type { Segment } from "./segment.js";
import { ShardLogCorruptError } from "./errors.js";

/** Reads exactly `length` bytes at `position` (short reads are retried; EOF is an error). */
export async function readExactly(fh: FileHandle, buf: Buffer, length: number, position: number, path: string): Promise<void> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) throw new ShardLogCorruptError("segment file is shorter than its index says", path, position + done);
    done += bytesRead;
  }
}

/**
 * Called for each frame in order with the block that holds it; `off` is the frame start in
 * `buf`, `bodyLen` its length field and `pos` its offset in the file. Return false to stop.
 */
export type FrameVisitor = (seq: number, buf: Buffer, off: number, bodyLen: number, pos: number) => boolean;

/** Where and how far to walk a segment. */
export interface WalkOptions {
  readonly path: string;
  /** Seq of the frame at `startOffset` (from the sparse index). */
  readonly startSeq: number;
  readonly startOffset: number;
  /** Stop at this byte offset (the segment's durable size). */
  readonly endOffset: number;
  /** Bytes to read per positional read call (grown for frames bigger than this). */
  readonly blockBytes: number;
  /** Verify each visited frame's checksum (skipped frames only have their length and seq checked). */
  readonly verifyFrom: number;
  /** Collects every block read (each owns its whole ArrayBuffer), for a caller that frees them itself. */
  readonly blocks?: Buffer[];
  /** Read into this buffer again and again (when the block fits): for visitors that keep nothing. */
  readonly scratch?: Buffer;
}

/**
 * Walks frames from a known position with large positional reads, checking lengths, seq
 * continuity and (for frames with seq >= `verifyFrom`) checksums. Damage is a
 * ShardLogCorruptError, never silently skipped. Returns the seq after the last frame visited.
 */
export async function walkFrames(fh: FileHandle, opts: WalkOptions, visit: FrameVisitor): Promise<number> {
  let buf: Buffer = Buffer.alloc(0);
  let bufStart = opts.startOffset; // file offset of buf[0]
  let pos = opts.startOffset;
  let seq = opts.startSeq;
  while (pos < opts.endOffset) {
    if (pos + FRAME_PREFIX > opts.endOffset) throw new ShardLogCorruptError("truncated frame header", opts.path, pos);
    if (pos + FRAME_PREFIX > bufStart + buf.length) {
      ({ buf, bufStart } = await load(fh, opts, pos, FRAME_PREFIX));
    }
    const bodyLen = buf.readUInt32LE(pos - bufStart);
    const frameEnd = pos + FRAME_PREFIX + bodyLen;
    if (bodyLen < MIN_BODY || bodyLen > MAX_BODY || frameEnd > opts.endOffset) {
      throw new ShardLogCorruptError(`frame length ${bodyLen} is impossible`, opts.path, pos);
    }
    if (frameEnd > bufStart + buf.length) {
      ({ buf, bufStart } = await load(fh, opts, pos, FRAME_PREFIX + bodyLen));
    }
    const off = pos - bufStart;
    if (frameSeq(buf, off) !== seq) {
      throw new ShardLogCorruptError(`frame has seq ${frameSeq(buf, off)} where ${seq} was expected`, opts.path, pos);
    }
    if (seq >= opts.verifyFrom && !frameChecksumOk(buf, off, bodyLen)) {
      throw new ShardLogCorruptError(`checksum mismatch in frame of seq ${seq}`, opts.path, pos);
    }
    const more = visit(seq, buf, off, bodyLen, pos);
    seq++;
    pos = frameEnd;
    if (!more) break;
  }
  return seq;
}

async function load(fh: FileHandle, opts: WalkOptions, pos: number, atLeast: number): Promise<{ buf: Buffer; bufStart: number }> {
  const length = Math.min(Math.max(opts.blockBytes, atLeast), opts.endOffset - pos);
  const scratch = opts.scratch;
  const buf = scratch !== undefined && length <= scratch.length ? scratch.subarray(0, length) : Buffer.allocUnsafeSlow(length);
  await readExactly(fh, buf, length, pos, opts.path);
  if (buf.buffer !== scratch?.buffer) opts.blocks?.push(buf);
  return { buf, bufStart: pos };
}

/** The least and most bytes a log read asks for at once. */
export const MIN_READ_BLOCK = 64 * 1024;
const MAX_READ_BLOCK = 1024 * 1024;

/**
 * How much to read per call: the frames to skip from the index entry plus the frames wanted
 * (estimated from the segment's average frame size), within [64 KiB, 1 MiB]: records keep their block
 * alive until they are answered, so smaller blocks are released sooner as a page is written out.
 */
export function readBlockBytes(seg: Segment, skipFrames: number, wantRecords: number, wantBytes: number): number {
  const avgFrame = seg.count > 0 ? seg.size / seg.count : 1024;
  const wanted = Math.min(wantRecords * avgFrame * 1.25, Math.max(0, wantBytes) + wantRecords * FRAME_HEADER + avgFrame);
  const estimate = (skipFrames + 1) * avgFrame + wanted;
  return Math.ceil(Math.min(MAX_READ_BLOCK, Math.max(MIN_READ_BLOCK, estimate)));
}
