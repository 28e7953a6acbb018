/**
 * Base64 (RFC 4648, with padding) written straight into a buffer, without the intermediate string
 * of `toString("base64")`: a drain's 10 MiB page made ~14 MB of short-lived strings per call,
 * which filled the young generation and pushed the page's other objects into the old one.
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/** Every 12-bit value -> its two base64 characters (first in the low byte). */
const PAIRS = new Uint16Array(4096);
for (let i = 0; i < 4096; i++) PAIRS[i] = ALPHABET.charCodeAt(i >> 6) | (ALPHABET.charCodeAt(i & 63) << 8);
const PAD = 0x3d; // "="

/** Bytes of the base64 form of `bytes` bytes. */
export function base64Length(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}

/**
 * Writes the base64 form of `src[start, end)` (default: all of it) into `dst` at `off` (the
 * caller made room); returns the offset after it.
 */
export function writeBase64(src: Uint8Array, dst: Uint8Array, off: number, start = 0, end = src.length): number {
  const n = end;
  const whole = n - ((n - start) % 3);
  let o = off;
  let i = start;
  for (; i < whole; i += 3) {
    const v = (src[i]! << 16) | (src[i + 1]! << 8) | src[i + 2]!;
    const a = PAIRS[v >>> 12]!;
    const b = PAIRS[v & 4095]!;
    dst[o] = a & 255;
    dst[o + 1] = a >>> 8;
    dst[o + 2] = b & 255;
    dst[o + 3] = b >>> 8;
    o += 4;
  }
  if (i < n) {
    const two = i + 1 < n;
    const v = (src[i]! << 16) | (two ? src[i + 1]! << 8 : 0);
    const a = PAIRS[v >>> 12]!;
    dst[o] = a & 255;
    dst[o + 1] = a >>> 8;
    dst[o + 2] = two ? PAIRS[v & 4095]! & 255 : PAD;
    dst[o + 3] = PAD;
    o += 4;
  }
  return o;
}
