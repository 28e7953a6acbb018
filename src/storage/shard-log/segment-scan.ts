import type { FileHandle } from "node:fs/promises";
import { FRAME_PREFIX, MAX_BODY, MIN_BODY, frameChecksumOk, frameSeq, frameTimestamp } from "./frame.js";
import { readExactly } from "./segment-reader.js";
import type { Segment } from "./segment.js";

const SCAN_BLOCK = 4 * 1024 * 1024;

/** Outcome of verifying a whole segment file. */
export interface ScanResult {
  /** Bytes of intact frames from the start of the file. */
  readonly validBytes: number;
  /** Why the scan stopped before the end of the file (undefined when every byte was a good frame). */
  readonly problem: string | undefined;
}

/**
 * Verifies every frame of a segment file from the start (length, checksum, consecutive seqs,
 * non-decreasing timestamps), feeding each good frame to `seg.noteFrame`, and stops at the first
 * bad or incomplete frame. Reads in 4 MiB blocks.
 */
export async function scanSegment(fh: FileHandle, seg: Segment, fileSize: number): Promise<ScanResult> {
  let buf: Buffer = Buffer.alloc(0);
  let bufStart = 0;
  let pos = 0;
  let seq = seg.base;
  let lastTs = Number.NEGATIVE_INFINITY;
  const reload = async (need: number): Promise<void> => {
    const length = Math.min(Math.max(SCAN_BLOCK, need), fileSize - pos);
    buf = Buffer.allocUnsafe(length);
    await readExactly(fh, buf, length, pos, seg.path);
    bufStart = pos;
  };
  while (pos < fileSize) {
    if (fileSize - pos < FRAME_PREFIX) return { validBytes: pos, problem: "partial frame header" };
    if (pos + FRAME_PREFIX > bufStart + buf.length) await reload(FRAME_PREFIX);
    const bodyLen = buf.readUInt32LE(pos - bufStart);
    if (bodyLen < MIN_BODY || bodyLen > MAX_BODY) return { validBytes: pos, problem: `impossible frame length ${bodyLen}` };
    const frameBytes = FRAME_PREFIX + bodyLen;
    if (pos + frameBytes > fileSize) return { validBytes: pos, problem: "partial frame" };
    if (pos + frameBytes > bufStart + buf.length) await reload(frameBytes);
    const off = pos - bufStart;
    if (!frameChecksumOk(buf, off, bodyLen)) return { validBytes: pos, problem: "checksum mismatch" };
    if (frameSeq(buf, off) !== seq) return { validBytes: pos, problem: `seq ${frameSeq(buf, off)} where ${seq} was expected` };
    const ts = frameTimestamp(buf, off);
    if (ts < lastTs) return { validBytes: pos, problem: "timestamp went backwards" };
    seg.noteFrame(ts, pos, frameBytes);
    lastTs = ts;
    seq++;
    pos += frameBytes;
  }
  return { validBytes: pos, problem: undefined };
}
