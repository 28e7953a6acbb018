import { createHmac, hash } from "node:crypto";

/** SHA-256 of the empty string, hex. */
export const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** The SigV4 algorithm name. */
export const ALGORITHM = "AWS4-HMAC-SHA256";

export function sha256Hex(data: string | Uint8Array): string {
  // One-shot hash: no Hash object per call (~1 µs less than createHash().update().digest()).
  return hash("sha256", data, "hex");
}

export function hmacSha256(key: string | Uint8Array, data: string | Uint8Array): Buffer {
  return createHmac("sha256", key).update(data).digest();
}

const KEY_CACHE_LIMIT = 1024;
const keyCache = new Map<string, Buffer>();

/**
 * kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"),
 * cached per (secret, date, region, service): it changes at most daily per key.
 */
export function deriveSigningKey(secret: string, date: string, region: string, service: string): Buffer {
  // Most requests repeat the last scope: compare it before building a cache key.
  const last = lastKey;
  if (last !== undefined && last.secret === secret && last.date === date && last.region === region && last.service === service) return last.key;
  const key = cachedSigningKey(secret, date, region, service);
  lastKey = { secret, date, region, service, key };
  return key;
}
let lastKey: { secret: string; date: string; region: string; service: string; key: Buffer } | undefined;

function cachedSigningKey(secret: string, date: string, region: string, service: string): Buffer {
  const cacheKey = `${date}\n${region}\n${service}\n${secret}`;
  const hit = keyCache.get(cacheKey);
  if (hit !== undefined) return hit;
  const key = hmacSha256(hmacSha256(hmacSha256(hmacSha256(`AWS4${secret}`, date), region), service), "aws4_request");
  if (keyCache.size >= KEY_CACHE_LIMIT) {
    const oldest = keyCache.keys().next();
    if (oldest.done !== true) keyCache.delete(oldest.value);
  }
  keyCache.set(cacheKey, key);
  keyPads.set(key, hmacPads(key));
  return key;
}

/**
 * HMAC-SHA256 (RFC 2104) of a derived signing key, precomputed: its 64-byte inner pad block
 * (key ^ 0x36...) and outer pad block (key ^ 0x5c...), the outer one followed by room for the
 * inner digest. Two one-shot hashes then make an HMAC without an Hmac object per signature.
 */
interface HmacPads {
  readonly inner: Buffer;
  readonly outer: Buffer;
}
const BLOCK = 64;
const keyPads = new WeakMap<Uint8Array, HmacPads>();
function hmacPads(key: Buffer): HmacPads {
  const inner = Buffer.alloc(BLOCK, 0x36);
  const outer = Buffer.alloc(BLOCK + 32, 0x5c);
  for (let i = 0; i < key.length; i++) {
    inner[i]! ^= key[i]!;
    outer[i]! ^= key[i]!;
  }
  return { inner, outer };
}
// The inner hash's input: the key's inner pad block, then the message.
const scratch = Buffer.allocUnsafe(4096);

/** The request signature: hex HMAC-SHA256 of the string to sign with the signing key. */
export function signHex(signingKey: Uint8Array, stringToSign: string): string {
  const pads = keyPads.get(signingKey);
  // Keys longer than a block would be hashed first; derived keys are 32 bytes.
  if (pads === undefined || signingKey.length > BLOCK || stringToSign.length * 3 > scratch.length - BLOCK) {
    return createHmac("sha256", signingKey).update(stringToSign, "utf8").digest("hex");
  }
  pads.inner.copy(scratch, 0);
  const n = scratch.write(stringToSign, BLOCK, "utf8");
  return outerHex(pads, BLOCK + n);
}

/**
 * signHex(signingKey, head + hex) without joining the two: `head` is the string to sign up to
 * its last line (the same for every request of a second and scope), `hex` that line, ASCII.
 */
export function signHexJoined(signingKey: Uint8Array, head: string, hex: string): string {
  const pads = keyPads.get(signingKey);
  if (pads === undefined || signingKey.length > BLOCK || head.length * 3 + hex.length > scratch.length - BLOCK) {
    return signHex(signingKey, head + hex);
  }
  pads.inner.copy(scratch, 0);
  const n = scratch.write(head, BLOCK, "utf8");
  const m = scratch.write(hex, BLOCK + n, "latin1");
  return outerHex(pads, BLOCK + n + m);
}

/** Finishes the HMAC whose inner input is scratch[0, end): the outer hash, hex. */
function outerHex(pads: HmacPads, end: number): string {
  // The inner digest as a latin1 string (one char per byte): a Buffer result costs ~0.7 µs more.
  pads.outer.write(hash("sha256", scratch.subarray(0, end), "binary"), BLOCK, "latin1");
  return hash("sha256", pads.outer, "hex");
}

/** Constant-time comparison of two ASCII signatures (lengths are not secret). */
export function signaturesEqual(computed: string, provided: string): boolean {
  // Equal strings are exactly equal UTF-8 byte sequences; compare every character regardless.
  if (computed.length !== provided.length) return false;
  let diff = 0;
  for (let i = 0; i < computed.length; i++) diff |= computed.charCodeAt(i) ^ provided.charCodeAt(i);
  return diff === 0;
}

/** "41 57 53 34 ..." - the UTF-8 bytes of `s` as S3 shows them in StringToSignBytes. */
export function spacedHex(s: string): string {
  const hex = Buffer.from(s, "utf8").toString("hex");
  let out = "";
  for (let i = 0; i < hex.length; i += 2) out += (i === 0 ? "" : " ") + hex.slice(i, i + 2);
  return out;
}
