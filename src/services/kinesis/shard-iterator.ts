import { createHash } from "node:crypto";

/**
 * Shard iterators: opaque base64 tokens. Ours carry the stream (name and creation time, so a
 * re-created stream of the same name does not accept old iterators), the shard, the log position
 * to read from and when the iterator was issued (iterators expire after 5 minutes), sealed with
 * a digest so a damaged token is rejected instead of misread.
 */

const VERSION = 1;
const DIGEST_BYTES = 12;
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

function digest(body: Buffer): Buffer {
  return createHash("sha256").update("streamlake-kinesis-iterator").update(body).digest().subarray(0, DIGEST_BYTES);
}

/** Seals an iterator state into a token. */
export function encodeShardIterator(state: IteratorState): string {
  const name = Buffer.from(state.streamName, "utf8");
  const body = Buffer.alloc(1 + 8 + 8 + 4 + 8 + 1 + name.length);
  let o = 0;
  o = body.writeUInt8(VERSION, o);
  o = body.writeBigUInt64BE(BigInt(state.issuedAt), o);
  o = body.writeBigUInt64BE(BigInt(state.streamCreatedAt), o);
  o = body.writeUInt32BE(state.shardIndex, o);
  o = body.writeBigUInt64BE(state.position, o);
  o = body.writeUInt8(name.length, o);
  name.copy(body, o);
  return Buffer.concat([body, digest(body)]).toString("base64");
}

/** Opens a token; undefined when it is not one of ours or was altered. */
export function decodeShardIterator(token: string): IteratorState | undefined {
  const bytes = Buffer.from(token, "base64");
  if (bytes.toString("base64") !== token || bytes.length < 30 + DIGEST_BYTES) return undefined;
  const body = bytes.subarray(0, bytes.length - DIGEST_BYTES);
  if (!digest(body).equals(bytes.subarray(bytes.length - DIGEST_BYTES))) return undefined;
  if (body.readUInt8(0) !== VERSION) return undefined;
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
