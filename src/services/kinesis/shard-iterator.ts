import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";

/**
 * Shard iterators: opaque base64 tokens. Ours carry the stream (name and creation time, so a
 * re-created stream of the same name does not accept old iterators), the shard, the log position
 * to read from and when the iterator was issued (iterators expire after 5 minutes), sealed with
 * a check value so a damaged token is rejected instead of misread. The seal holds no secret (the
 * token grants nothing the caller's credentials do not): version 2 seals with a CRC-32 (a
 * SHA-256 per token was a quarter of a poll's Kinesis-side CPU); version 1 tokens (12 bytes of a
 * SHA-256), issued before, are still read until they expire.
 */

const VERSION = 2;
const CHECK_BYTES = 4;
const V1 = 1;
const V1_DIGEST_BYTES = 12;
/** Iterators are valid for 5 minutes (GetShardIterator docs). */
export const ITERATOR_TTL_MS = 300_000;

/** What an iterator points at. */
export interface IteratorState {
  readonly streamName: string;
  readonly streamCreatedAt: number;
  readonly shardIndex: number;
  /** The log seq the next GetRecords starts at. */
  readonly position: bigint;
  /** When the iterator was issued (ms since epoch). */
  readonly issuedAt: number;
}

function v1Digest(body: Buffer): Buffer {
  return createHash("sha256").update("streamlake-kinesis-iterator").update(body).digest().subarray(0, V1_DIGEST_BYTES);
}

/** CRC-32 of the body, seeded so that a token of another kind does not pass by chance. */
function check(body: Buffer): number {
  return crc32(body, 0x5157_4b49);
}

/**
 * Tokens issued lately and what they hold. A reader polling at the tip sends back the token of
 * the answer before; finding it here skips its base64 decode, canonical-form check and seal check
 * (a token maps to one state, so a hit is exactly what decoding would give). Bounded: the oldest
 * entry goes when it is full. An altered token is never one we issued, so it is decoded and refused.
 */
const RECENT_TOKENS = 256;
const recent = new Map<string, IteratorState>();

let lastName = "";
let lastNameBytes = Buffer.alloc(0);

/** Writes a non-negative safe integer as 8 big-endian bytes (without a BigInt). */
function writeUint64(buf: Buffer, value: number, o: number): number {
  buf.writeUInt32BE(Math.floor(value / 0x1_0000_0000), o);
  return buf.writeUInt32BE(value >>> 0, o + 4);
}

/** Seals an iterator state into a token. */
export function encodeShardIterator(state: IteratorState): string {
  if (state.streamName !== lastName) {
    lastName = state.streamName;
    lastNameBytes = Buffer.from(lastName, "utf8");
  }
  const name = lastNameBytes;
  const token = Buffer.allocUnsafe(1 + 8 + 8 + 4 + 8 + 1 + name.length + CHECK_BYTES);
  const body = token.subarray(0, token.length - CHECK_BYTES);
  let o = 0;
  o = body.writeUInt8(VERSION, o);
  o = Number.isSafeInteger(state.issuedAt) && state.issuedAt >= 0 ? writeUint64(body, state.issuedAt, o) : body.writeBigUInt64BE(BigInt(state.issuedAt), o);
  o = Number.isSafeInteger(state.streamCreatedAt) && state.streamCreatedAt >= 0 ? writeUint64(body, state.streamCreatedAt, o) : body.writeBigUInt64BE(BigInt(state.streamCreatedAt), o);
  o = body.writeUInt32BE(state.shardIndex, o);
  o = body.writeBigUInt64BE(state.position, o);
  o = body.writeUInt8(name.length, o);
  name.copy(body, o);
  token.writeUInt32BE(check(body), body.length);
  const text = token.toString("base64");
  if (recent.size >= RECENT_TOKENS) recent.delete(recent.keys().next().value as string);
  recent.set(text, { issuedAt: state.issuedAt, streamCreatedAt: state.streamCreatedAt, shardIndex: state.shardIndex, position: state.position, streamName: state.streamName });
  return text;
}

/** Opens a token; undefined when it is not one of ours or was altered. */
export function decodeShardIterator(token: string): IteratorState | undefined {
  const issued = recent.get(token);
  if (issued !== undefined) return issued;
  const bytes = Buffer.from(token, "base64");
  if (bytes.length < 30 + CHECK_BYTES || bytes.toString("base64") !== token) return undefined;
  let body: Buffer;
  if (bytes[0] === VERSION) {
    body = bytes.subarray(0, bytes.length - CHECK_BYTES);
    if (check(body) !== bytes.readUInt32BE(body.length)) return undefined;
  } else if (bytes[0] === V1 && bytes.length >= 30 + V1_DIGEST_BYTES) {
    body = bytes.subarray(0, bytes.length - V1_DIGEST_BYTES);
    if (!v1Digest(body).equals(bytes.subarray(body.length))) return undefined;
  } else {
    return undefined;
  }
  const nameLength = body.readUInt8(29);
  if (body.length !== 30 + nameLength) return undefined;
  return {
    issuedAt: Number(body.readBigUInt64BE(1)),
    streamCreatedAt: Number(body.readBigUInt64BE(9)),
    shardIndex: body.readUInt32BE(17),
    position: body.readBigUInt64BE(21),
    streamName: body.subarray(30).toString("utf8"),
  };
}

/** "Thu Jan 22 01:22:02 UTC 2015", the way the service prints times in ExpiredIteratorException. */
export function javaUtcString(ms: number): string {
  const d = new Date(ms);
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}
