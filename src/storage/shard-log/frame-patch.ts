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

/**
 * Multiplication tables (4 x 256: one per byte of the register) of the zero-run operators of frame
 * lengths that recur, so a record of a common length costs four lookups instead of a polynomial
 * multiplication. A length is given a table once seen `TABLE_AFTER` times.
 */
const operatorTables = new Map<number, Int32Array>();
const lengthsSeen = new Map<number, number>();
const TABLE_AFTER = 8;

function operatorTable(zeros: number): Int32Array | undefined {
  const table = operatorTables.get(zeros);
  if (table !== undefined) return table;
  const seen = (lengthsSeen.get(zeros) ?? 0) + 1;
  if (lengthsSeen.size >= 1024) lengthsSeen.clear();
  lengthsSeen.set(zeros, seen);
  if (seen < TABLE_AFTER) return undefined;
  if (operatorTables.size >= 16) operatorTables.clear();
  const op = zeroBytesOperator(zeros);
  const t = new Int32Array(1024);
  for (let k = 0; k < 4; k++) for (let b = 0; b < 256; b++) t[k * 256 + b] = multModP(op, (b << (8 * k)) >>> 0);
  operatorTables.set(zeros, t);
  return t;
}

let lastZeros = -1;
let lastOperator = 0;
let lastTable: Int32Array | undefined;

/** The plain CRC register `c` after the 4 bytes of `word`, stored LE. */
function crcWord(c: number, word: number): number {
  c = TABLE[(c ^ word) & 0xff]! ^ (c >>> 8);
  c = TABLE[(c ^ (word >>> 8)) & 0xff]! ^ (c >>> 8);
  c = TABLE[(c ^ (word >>> 16)) & 0xff]! ^ (c >>> 8);
  return TABLE[(c ^ (word >>> 24)) & 0xff]! ^ (c >>> 8);
}

/**
 * The plain CRC register after the 16 bytes of a frame's seq (`seqLo`, `seqHi`) and timestamp
 * (`tsLo`, `tsHi`), stored LE, followed by `zeros` zero bytes.
 */
function headerDelta(seqLo: number, seqHi: number, tsLo: number, tsHi: number, zeros: number): number {
  const c = crcWord(crcWord(crcWord(crcWord(0, seqLo), seqHi), tsLo), tsHi);
  if (c === 0) return 0;
  if (zeros !== lastZeros) {
    lastZeros = zeros;
    lastTable = operatorTable(zeros);
    lastOperator = lastTable === undefined ? zeroBytesOperator(zeros) : 0;
  }
  const t = lastTable;
  if (t === undefined) return multModP(lastOperator, c >>> 0);
  return t[c & 0xff]! ^ t[256 + ((c >>> 8) & 0xff)]! ^ t[512 + ((c >>> 16) & 0xff)]! ^ t[768 + (c >>> 24)]!;
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
  buf.set(data, off + FRAME_HEADER + pkBytes);
  return finishBlankFrame(buf, off, pkBytes, data.byteLength);
}

/**
 * Completes the blank frame at `off` whose partition key (`pkBytes`) and data (`dataBytes`) the
 * caller has already written in place after the header: writes the header and the CRC; returns
 * the offset after the frame.
 */
export function finishBlankFrame(buf: Uint8Array, off: number, pkBytes: number, dataBytes: number): number {
  if (pkBytes > MAX_PARTITION_KEY_BYTES) throw new RangeError(`partition key is ${pkBytes} bytes; the limit is ${MAX_PARTITION_KEY_BYTES}`);
  const body = MIN_BODY + pkBytes + dataBytes;
  if (body > MAX_BODY) throw new RangeError(`record of ${dataBytes} bytes exceeds the ${MAX_BODY}-byte frame limit`);
  buf[off] = body & 0xff;
  buf[off + 1] = (body >>> 8) & 0xff;
  buf[off + 2] = (body >>> 16) & 0xff;
  buf[off + 3] = body >>> 24;
  for (let i = off + 8; i < off + 24; i++) buf[i] = 0;
  buf[off + 24] = pkBytes & 0xff;
  buf[off + 25] = pkBytes >>> 8;
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
  const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
  const end = buf.length;
  let off = 0;
  for (let i = 0; i < count; i++) {
    if (off + FRAME_HEADER > end) throw new RangeError("blank frames end early");
    const body = view.getUint32(off, true);
    if (body < MIN_BODY || off + FRAME_PREFIX + body > end) throw new RangeError("blank frame length out of range");
    const seq = firstSeq + i;
    const seqHi = Math.floor(seq / TWO_32);
    const seqLo = seq - seqHi * TWO_32;
    view.setUint32(off + 8, seqLo, true);
    view.setUint32(off + 12, seqHi, true);
    view.setUint32(off + 16, tsLo, true);
    view.setInt32(off + 20, tsHi, true);
    view.setUint32(off + 4, (view.getUint32(off + 4, true) ^ headerDelta(seqLo, seqHi, tsLo, tsHi, body - 16)) >>> 0, true);
    off += FRAME_PREFIX + body;
  }
  if (off !== end) throw new RangeError("blank frames continue past their count");
}
