import { hash } from "node:crypto";

/** 2^128: hash keys are 128-bit unsigned integers. */
export const HASH_KEY_SPACE = 1n << 128n;
export const MAX_HASH_KEY = HASH_KEY_SPACE - 1n;

/** The hash key of a partition key: its MD5 digest read as a big-endian 128-bit unsigned integer. */
export function partitionKeyHash(partitionKey: string): bigint {
  return BigInt("0x" + hash("md5", partitionKey, "hex"));
}

/** A hash key as 32 lower-case hex digits: for keys of equal width, string order is numeric order. */
export function hashKeyHex(key: bigint): string {
  return key.toString(16).padStart(32, "0");
}

/** The hash key of a partition key as 32 hex digits (MD5's own hex form), for routing without BigInt work. */
export function partitionKeyHashHex(partitionKey: string): string {
  return hash("md5", partitionKey, "hex");
}

// MD5 (RFC 1321) of one 64-byte block, in JavaScript: partition keys are short, and for them this
// is about twice as fast as a call into OpenSSL (which also makes a hex string).
const MD5_K = Int32Array.from({ length: 64 }, (_v, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0);
/** Per-round shift amounts: four per round, repeated over its 16 steps. */
const MD5_S = Int32Array.from({ length: 64 }, (_v, i) => [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21][(i >> 4) * 4 + (i & 3)]!);
const md5Block = new Int32Array(16);

/** MD5 of a short ASCII key (one block) into md5State as the four state words a, b, c, d; false for other keys. */
function md5Short(partitionKey: string): boolean {
  const n = partitionKey.length;
  if (n > 55) return false;
  const m = md5Block;
  m.fill(0);
  for (let i = 0; i < n; i++) {
    const c = partitionKey.charCodeAt(i);
    if (c > 0x7f) return false;
    m[i >> 2]! |= c << ((i & 3) << 3);
  }
  md5OneBlock(n);
  return true;
}

/** md5Short for a key given as bytes `raw[start, end)`, all ASCII (checked by the caller). */
function md5ShortBytes(raw: Uint8Array, start: number, end: number): boolean {
  const n = end - start;
  if (n > 55) return false;
  const m = md5Block;
  m.fill(0);
  for (let i = 0; i < n; i++) m[i >> 2]! |= raw[start + i]! << ((i & 3) << 3);
  md5OneBlock(n);
  return true;
}

/** Pads the `n` message bytes in md5Block and runs MD5 over that one block into md5State. */
function md5OneBlock(n: number): void {
  const m = md5Block;
  m[n >> 2]! |= 0x80 << ((n & 3) << 3);
  m[14] = n << 3;
  let a = 0x67452301;
  let b = 0xefcdab89 | 0;
  let c = 0x98badcfe | 0;
  let d = 0x10325476;
  for (let i = 0; i < 64; i++) {
    let f: number;
    let g: number;
    if (i < 16) {
      f = (b & c) | (~b & d);
      g = i;
    } else if (i < 32) {
      f = (d & b) | (~d & c);
      g = (5 * i + 1) & 15;
    } else if (i < 48) {
      f = b ^ c ^ d;
      g = (3 * i + 5) & 15;
    } else {
      f = c ^ (b | ~d);
      g = (7 * i) & 15;
    }
    const x = (a + f + MD5_K[i]! + m[g]!) | 0;
    const r = MD5_S[i]!;
    a = d;
    d = c;
    c = b;
    b = (b + ((x << r) | (x >>> (32 - r)))) | 0;
  }
  md5State[0] = (a + 0x67452301) | 0;
  md5State[1] = (b + (0xefcdab89 | 0)) | 0;
  md5State[2] = (c + (0x98badcfe | 0)) | 0;
  md5State[3] = (d + 0x10325476) | 0;
}
const md5State = new Int32Array(4);

/** A digest word (little-endian in MD5's state) as the big-endian unsigned number its bytes spell. */
function bigEndian(w: number): number {
  return (w & 0xff) * 0x1000000 + ((w >>> 8) & 0xff) * 0x10000 + ((w >>> 16) & 0xff) * 0x100 + ((w >>> 24) & 0xff);
}

/**
 * The top 32 bits of a partition key's hash key (the first 4 bytes of its MD5, big-endian), for
 * keys of up to 55 ASCII characters (one MD5 block); -1 for any other key (use `partitionKeyHashHex`).
 */
export function partitionKeyHashTop(partitionKey: string): number {
  return md5Short(partitionKey) ? bigEndian(md5State[0]!) : -1;
}

/**
 * Writes a partition key's hash key as four big-endian 32-bit words (most significant first) into
 * `out` from `at`: compared word by word, they order keys as numbers.
 */
export function partitionKeyHashWords(partitionKey: string, out: Uint32Array, at: number): void {
  if (md5Short(partitionKey)) {
    for (let i = 0; i < 4; i++) out[at + i] = bigEndian(md5State[i]!);
    return;
  }
  const digest = hash("md5", partitionKey, "buffer");
  for (let i = 0; i < 4; i++) out[at + i] = digest.readUInt32BE(4 * i);
}

/**
 * `partitionKeyHashWords` for an ASCII partition key given as its bytes `raw[start, end)` (the
 * caller has checked every byte is below 0x80, so the bytes are the key's UTF-8 form).
 */
export function partitionKeyBytesHashWords(raw: Buffer, start: number, end: number, out: Uint32Array, at: number): void {
  if (md5ShortBytes(raw, start, end)) {
    for (let i = 0; i < 4; i++) out[at + i] = bigEndian(md5State[i]!);
    return;
  }
  const digest = hash("md5", raw.subarray(start, end), "buffer");
  for (let i = 0; i < 4; i++) out[at + i] = digest.readUInt32BE(4 * i);
}

/** Writes a hash key (0 <= key < 2^128) as four big-endian 32-bit words into `out` from `at`. */
export function hashKeyWords(key: bigint, out: Uint32Array, at: number): void {
  for (let i = 3; i >= 0; i--) {
    out[at + i] = Number(key & 0xffffffffn);
    key >>= 32n;
  }
}

/** An inclusive range of hash keys. */
export interface HashRange {
  readonly start: bigint;
  readonly end: bigint;
}

/**
 * Splits the whole key space evenly into `count` ranges, as CreateStream does: each range is
 * floor(2^128 / count) wide and the last one takes the remainder (a 3-shard stream's first shard
 * ends at 113427455640312821154458202477256070484, as in the DescribeStream docs sample).
 */
export function evenRanges(count: number): HashRange[] {
  const width = HASH_KEY_SPACE / BigInt(count);
  const out: HashRange[] = [];
  for (let i = 0; i < count; i++) {
    const start = width * BigInt(i);
    const end = i === count - 1 ? MAX_HASH_KEY : width * BigInt(i + 1) - 1n;
    out.push({ start, end });
  }
  return out;
}

/** Parses a decimal hash key; undefined when outside [0, 2^128 - 1]. */
export function parseHashKey(text: string): bigint | undefined {
  if (!/^(0|[1-9]\d*)$/.test(text)) return undefined;
  const n = BigInt(text);
  return n > MAX_HASH_KEY ? undefined : n;
}
