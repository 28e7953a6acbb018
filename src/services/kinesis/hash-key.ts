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
