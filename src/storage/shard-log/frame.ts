import { crc32 } from "node:zlib";
import type { AppendInput } from "./shard-log.js";

/*
 * On-disk frame (little-endian):
 *   [0]  u32 length   bytes after this 8-byte prefix (18 + pk length + data length)
 *   [4]  u32 crc32    zlib CRC-32 of those `length` bytes
 *   [8]  u64 seq
 *   [16] i64 timestamp (ms since epoch)
 *   [24] u16 partition key length
 *   [26] partition key (UTF-8), then data
 */

/** Bytes before the checksummed body (length + crc). */
export const FRAME_PREFIX = 8;
/** Bytes of a frame that are not partition key or data. */
export const FRAME_HEADER = 26;
/** Smallest legal `length` field. */
export const MIN_BODY = FRAME_HEADER - FRAME_PREFIX;
/** Largest legal `length` field; bigger appends are refused and bigger lengths on disk are corrupt. */
export const MAX_BODY = 64 * 1024 * 1024;
/** Partition keys are stored with a u16 length. */
export const MAX_PARTITION_KEY_BYTES = 0xffff;

const TWO_32 = 0x1_0000_0000;

/** Writes a non-negative safe integer as u64 LE. */
export function writeU53(buf: Buffer, value: number, off: number): void {
  const hi = Math.floor(value / TWO_32);
  buf.writeUInt32LE(value - hi * TWO_32, off);
  buf.writeUInt32LE(hi, off + 4);
}

/** Reads a u64 LE that the writer produced from a safe integer. */
export function readU53(buf: Buffer, off: number): number {
  return buf.readUInt32LE(off) + buf.readUInt32LE(off + 4) * TWO_32;
}

/** Writes a safe integer (possibly negative) as i64 LE. */
export function writeI53(buf: Buffer, value: number, off: number): void {
  const hi = Math.floor(value / TWO_32);
  buf.writeUInt32LE(value - hi * TWO_32, off);
  buf.writeInt32LE(hi, off + 4);
}

/** Reads an i64 LE that the writer produced from a safe integer. */
export function readI53(buf: Buffer, off: number): number {
  return buf.readUInt32LE(off) + buf.readInt32LE(off + 4) * TWO_32;
}

/** The seq stored in the frame starting at `off`. */
export function frameSeq(buf: Buffer, off: number): number {
  return readU53(buf, off + 8);
}

/** The timestamp stored in the frame starting at `off`. */
export function frameTimestamp(buf: Buffer, off: number): number {
  return readI53(buf, off + 16);
}

/** Whether the stored checksum matches the body of the frame at `off` with body length `bodyLen`. */
export function frameChecksumOk(buf: Buffer, off: number, bodyLen: number): boolean {
  const body = buf.subarray(off + FRAME_PREFIX, off + FRAME_PREFIX + bodyLen);
  return crc32(body) === buf.readUInt32LE(off + 4);
}

/** One append batch encoded as consecutive frames in a single buffer. */
export interface EncodedBatch {
  readonly buf: Buffer;
  readonly firstTs: number;
  readonly lastTs: number;
}

/** Node's Buffer writers behind `write(s, off, len, enc)`, called without the encoding lookup and checks. */
interface RawBuffer extends Buffer {
  latin1Write(s: string, offset: number, length: number): number;
  utf8Write(s: string, offset: number, length: number): number;
}

/**
 * Encodes `records` as frames numbered from `firstSeq`. Timestamps are floored to whole ms and
 * raised to at least `minTs` so they never decrease within a log. Throws RangeError for records
 * the format cannot hold. One allocation, one copy of each payload; header fields are stored
 * through one DataView and a partition key in plain ASCII (its UTF-8 length equals its length)
 * is written as latin1, which is the same bytes.
 */
export function encodeBatch(records: readonly AppendInput[], firstSeq: number, minTs: number): EncodedBatch {
  const n = records.length;
  const pkLens = new Array<number>(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    const pkLen = Buffer.byteLength(r.partitionKey, "utf8");
    if (pkLen > MAX_PARTITION_KEY_BYTES) throw new RangeError(`partition key is ${pkLen} bytes; the limit is ${MAX_PARTITION_KEY_BYTES}`);
    if (MIN_BODY + pkLen + r.data.byteLength > MAX_BODY) throw new RangeError(`record of ${r.data.byteLength} bytes exceeds the ${MAX_BODY}-byte frame limit`);
    if (!Number.isSafeInteger(Math.floor(r.timestamp)) || Math.abs(r.timestamp) >= 2 ** 53) {
      throw new RangeError(`timestamp ${r.timestamp} is not a safe integer of milliseconds`);
    }
    pkLens[i] = pkLen;
    total += FRAME_HEADER + pkLen + r.data.byteLength;
  }
  const buf = Buffer.allocUnsafe(total) as RawBuffer;
  const view = new DataView(buf.buffer, buf.byteOffset, total);
  let off = 0;
  let ts = minTs;
  let firstTs = minTs;
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    const pkLen = pkLens[i]!;
    const t = Math.floor(r.timestamp);
    if (t > ts) ts = t;
    if (i === 0) firstTs = ts;
    const body = MIN_BODY + pkLen + r.data.byteLength;
    const seq = firstSeq + i;
    const seqHi = Math.floor(seq / TWO_32);
    const tsHi = Math.floor(ts / TWO_32);
    view.setUint32(off, body, true);
    view.setUint32(off + 8, seq - seqHi * TWO_32, true);
    view.setUint32(off + 12, seqHi, true);
    view.setUint32(off + 16, ts - tsHi * TWO_32, true);
    view.setInt32(off + 20, tsHi, true);
    view.setUint16(off + 24, pkLen, true);
    if (pkLen === r.partitionKey.length) buf.latin1Write(r.partitionKey, off + FRAME_HEADER, pkLen);
    else buf.utf8Write(r.partitionKey, off + FRAME_HEADER, pkLen);
    buf.set(r.data, off + FRAME_HEADER + pkLen);
    view.setUint32(off + 4, crc32(new Uint8Array(buf.buffer, buf.byteOffset + off + FRAME_PREFIX, body)), true);
    off += FRAME_PREFIX + body;
  }
  return { buf, firstTs, lastTs: ts };
}
