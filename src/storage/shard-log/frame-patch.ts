import { crc32 } from "node:zlib";
import { FRAME_HEADER, FRAME_PREFIX, MAX_BODY, MAX_PARTITION_KEY_BYTES, MIN_BODY } from "./frame.js";

/*
 * Blank frames: frames (frame.ts) encoded before the log numbers them, with seq and timestamp 0
 * and the CRC-32 of that body. The log fills in seq and timestamp when it appends them and
 * corrects each CRC without reading the record again: CRC-32 is linear, so for bodies of equal
 * length crc(A) ^ crc(B) is the plain (init 0, no final xor) CRC of A ^ B, and A ^ B here is the
 * 16 bytes of seq and timestamp followed by zeros (zlib's crc32_combine rests on the same fact).
 * This lets the CPU-heavy part of encoding (copying the data, the CRC) run on another thread.
 */

const POLY = 0xedb88320;
const TABLE = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
  TABLE[n] = c;
}

/** a(x) * b(x) modulo the CRC-32 polynomial, bit-reflected (zlib's multmodp). */
function multModP(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if ((a & m) !== 0) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/** x^(2^k) modulo the polynomial, k = 0..31 (zlib's x2n_table). */
const X2N = new Array<number>(32);
X2N[0] = 0x40000000;
for (let k = 1; k < 32; k++) X2N[k] = multModP(X2N[k - 1]!, X2N[k - 1]!);

/** x^(8 * bytes) modulo the polynomial: what appending `bytes` zero bytes multiplies a CRC register by. */
function zeroBytesOperator(bytes: number): number {
  let p = 0x80000000; // x^0
  let k = 3;
  for (let n = bytes; n > 0; n = Math.floor(n / 2), k++) if (n & 1) p = multModP(X2N[k & 31]!, p);
  return p;
}

let lastZeros = -1;
let lastOperator = 0;

/** The plain CRC register after the 16 bytes of `seq` and `ts` (LE, as stored) followed by `zeros` zero bytes. */
function headerDelta(seq: number, ts: number, zeros: number): number {
  const TWO_32 = 0x1_0000_0000;
  const seqHi = Math.floor(seq / TWO_32);
  const tsHi = Math.floor(ts / TWO_32);
  const words = [seq - seqHi * TWO_32, seqHi, ts - tsHi * TWO_32, tsHi];
  let c = 0;
  for (const w of words) {
    c = TABLE[(c ^ w) & 0xff]! ^ (c >>> 8);
    c = TABLE[(c ^ (w >>> 8)) & 0xff]! ^ (c >>> 8);
    c = TABLE[(c ^ (w >>> 16)) & 0xff]! ^ (c >>> 8);
    c = TABLE[(c ^ (w >>> 24)) & 0xff]! ^ (c >>> 8);
  }
  if (c === 0) return 0;
  if (zeros !== lastZeros) {
    lastZeros = zeros;
    lastOperator = zeroBytesOperator(zeros);
  }
  return multModP(lastOperator, c >>> 0);
}

/** Bytes of the frame of a record with a partition key of `pkBytes` UTF-8 bytes and `dataBytes` of data. */
export function frameBytes(pkBytes: number, dataBytes: number): number {
  return FRAME_HEADER + pkBytes + dataBytes;
}

/**
 * Writes a blank frame at `off` for a record whose partition key (UTF-8, `pkBytes` long, already
 * written at `off + FRAME_HEADER` by the caller) is followed by `data`; returns the offset after it.
 */
export function writeBlankFrame(buf: Uint8Array, off: number, pkBytes: number, data: Uint8Array): number {
  if (pkBytes > MAX_PARTITION_KEY_BYTES) throw new RangeError(`partition key is ${pkBytes} bytes; the limit is ${MAX_PARTITION_KEY_BYTES}`);
  const body = MIN_BODY + pkBytes + data.byteLength;
  if (body > MAX_BODY) throw new RangeError(`record of ${data.byteLength} bytes exceeds the ${MAX_BODY}-byte frame limit`);
  buf[off] = body & 0xff;
  buf[off + 1] = (body >>> 8) & 0xff;
  buf[off + 2] = (body >>> 16) & 0xff;
  buf[off + 3] = body >>> 24;
  buf.fill(0, off + 8, off + 24);
  buf[off + 24] = pkBytes & 0xff;
  buf[off + 25] = pkBytes >>> 8;
  buf.set(data, off + FRAME_HEADER + pkBytes);
  const crc = crc32(buf.subarray(off + FRAME_PREFIX, off + FRAME_PREFIX + body));
  buf[off + 4] = crc & 0xff;
  buf[off + 5] = (crc >>> 8) & 0xff;
  buf[off + 6] = (crc >>> 16) & 0xff;
  buf[off + 7] = crc >>> 24;
  return off + FRAME_PREFIX + body;
}

/**
 * Fills in the seqs (from `firstSeq`) and timestamp `ts` of the `count` blank frames that make up
 * `buf`, correcting their checksums. Throws RangeError when `buf` is not exactly `count` frames.
 */
export function numberBlankFrames(buf: Buffer, count: number, firstSeq: number, ts: number): void {
  const TWO_32 = 0x1_0000_0000;
  const tsHi = Math.floor(ts / TWO_32);
  const tsLo = ts - tsHi * TWO_32;
  let off = 0;
  for (let i = 0; i < count; i++) {
    if (off + FRAME_HEADER > buf.length) throw new RangeError("blank frames end early");
    const body = buf.readUInt32LE(off);
    if (body < MIN_BODY || off + FRAME_PREFIX + body > buf.length) throw new RangeError("blank frame length out of range");
    const seq = firstSeq + i;
    const seqHi = Math.floor(seq / TWO_32);
    buf.writeUInt32LE(seq - seqHi * TWO_32, off + 8);
    buf.writeUInt32LE(seqHi, off + 12);
    buf.writeUInt32LE(tsLo, off + 16);
    buf.writeInt32LE(tsHi, off + 20);
    const crc = (buf.readUInt32LE(off + 4) ^ headerDelta(seq, ts, body - 16)) >>> 0;
    buf.writeUInt32LE(crc, off + 4);
    off += FRAME_PREFIX + body;
  }
  if (off !== buf.length) throw new RangeError("blank frames continue past their count");
}
