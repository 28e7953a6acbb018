/**
 * Kinesis sequence numbers: 56-digit decimal strings. Their hex form (47 digits) is laid out as
 * the service's own (see DescribeStream samples in the AWS docs, e.g.
 * 49600871682957036442365024926191073437251060580128653314 = 0x205db759cd0000...5db759cd000000002):
 *
 *   "2" | shard creation secs (9) | shard index low nibble (1) | position (16) | "00" | time secs (9) | shard index (8) | "2"
 *
 * The position (log seq + 1, so that the shard's StartingSequenceNumber, position 0, sorts before
 * its first record) comes before the arrival time, so numbers strictly increase within a shard,
 * and all have 56 digits, so string order is numeric order. Child shards are created in a later
 * second than their parents, so their numbers sort after the parents'.
 */

const HEX_DIGITS = 47;
const MAX_POSITION = (1n << 63n) - 1n;

/** What a sequence number says. */
export interface SequenceParts {
  /** Creation time of the shard, whole seconds since the epoch. */
  readonly shardCreatedSecs: number;
  readonly shardIndex: number;
  /** Position in the shard: 0 = before the first record; record with log seq n has n + 1. */
  readonly position: bigint;
  /** A time in whole seconds (records: the shard's creation; ending numbers: the closing time). */
  readonly timeSecs: number;
}

function hex(n: number | bigint, width: number): string {
  return n.toString(16).padStart(width, "0").slice(-width);
}

/** Builds the decimal string. */
export function encodeSequenceNumber(parts: SequenceParts): string {
  if (parts.position < 0n || parts.position > MAX_POSITION) throw new RangeError(`position ${parts.position} out of range`);
  const h =
    "2" +
    hex(parts.shardCreatedSecs, 9) +
    hex(parts.shardIndex & 0xf, 1) +
    hex(parts.position, 16) +
    "00" +
    hex(parts.timeSecs, 9) +
    hex(parts.shardIndex, 8) +
    "2";
  return BigInt("0x" + h).toString(10);
}

/** Parses a sequence number this server issued; undefined when it cannot be one. */
export function decodeSequenceNumber(text: string): SequenceParts | undefined {
  if (!/^[1-9]\d{0,128}$/.test(text)) return undefined;
  const h = BigInt(text).toString(16);
  if (h.length !== HEX_DIGITS || h[0] !== "2" || h[HEX_DIGITS - 1] !== "2") return undefined;
  const shardIndex = parseInt(h.slice(38, 46), 16);
  const nibble = parseInt(h.slice(10, 11), 16);
  const position = BigInt("0x" + h.slice(11, 27));
  if ((shardIndex & 0xf) !== nibble || position > MAX_POSITION || shardIndex > 0x7fffffff) return undefined;
  return {
    shardCreatedSecs: parseInt(h.slice(1, 10), 16),
    shardIndex,
    position,
    timeSecs: parseInt(h.slice(29, 38), 16),
  };
}

/**
 * The sequence number of the record at log seq `seq` of a shard. The time field holds the
 * shard's creation second rather than the arrival time, so the number PutRecord returns is
 * exactly the one GetRecords later shows (the log may round arrival times).
 */
export function recordSequenceNumber(shardCreatedAt: number, shardIndex: number, seq: bigint): string {
  const position = seq + 1n;
  if (position < 0n || position > MAX_POSITION) throw new RangeError(`position ${position} out of range`);
  // The position field sits above the 80 bits of "00" | time | index | "2", so a record's number
  // is the shard's position-0 number plus position * 2^80: one addition instead of a hex round trip.
  return (shardBase(shardCreatedAt, shardIndex) + (position << POSITION_SHIFT)).toString(10);
}

const POSITION_SHIFT = 80n;

/**
 * Decimal limbs of 7 digits, least significant first: small integers, whose decimal text V8 makes
 * quickly (a 56-digit number is eight of them).
 */
const LIMB = 10_000_000;
const LIMBS = 8;
const STEP_LIMBS: readonly number[] = limbsOf(1n << POSITION_SHIFT);
const ZEROS = ["", "0", "00", "000", "0000", "00000", "000000"];

function limbsOf(v: bigint): number[] {
  const out = new Array<number>(LIMBS);
  for (let i = 0; i < LIMBS; i++) {
    out[i] = Number(v % BigInt(LIMB));
    v /= BigInt(LIMB);
  }
  if (v !== 0n) throw new RangeError("sequence number wider than 56 digits");
  return out;
}

/**
 * The sequence numbers of `count` consecutive records from log seq `firstSeq` of a shard, as
 * `recordSequenceNumber` gives them: the first through BigInt, each next one by adding 2^80 in
 * decimal limbs (no BigInt or base conversion per record).
 */
export function recordSequenceNumbers(shardCreatedAt: number, shardIndex: number, firstSeq: bigint, count: number): string[] {
  const out = new Array<string>(count);
  if (count === 0) return out;
  recordSequenceNumber(shardCreatedAt, shardIndex, firstSeq + BigInt(count - 1)); // range check of the last one
  const limbs = limbsOf(shardBase(shardCreatedAt, shardIndex) + ((firstSeq + 1n) << POSITION_SHIFT));
  // 2^80 has 25 digits: adding it changes the upper four limbs only by a carry, so their text is
  // made again only then.
  let high: string | undefined;
  for (let i = 0; ; ) {
    high ??= limbsText(limbs, LIMBS - 1, 4);
    if (high === "") out[i] = limbsText(limbs, 3, 0) || "0";
    else {
      let text = high;
      for (let j = 3; j >= 0; j--) {
        const d = String(limbs[j]!);
        text += ZEROS[7 - d.length]! + d;
      }
      out[i] = text;
    }
    if (++i === count) return out;
    let carry = 0;
    for (let j = 0; j < LIMBS; j++) {
      let l = limbs[j]! + STEP_LIMBS[j]! + carry;
      carry = 0;
      if (l >= LIMB) {
        l -= LIMB;
        carry = 1;
      }
      limbs[j] = l;
      if (j >= 3 && carry === 1) high = undefined;
    }
  }
}

/** The decimal text of limbs `from` down to `to` (inclusive), without leading zeros ("" for zero). */
function limbsText(limbs: readonly number[], from: number, to: number): string {
  let text = "";
  for (let j = from; j >= to; j--) {
    const d = String(limbs[j]!);
    if (text === "") {
      if (limbs[j] !== 0) text = d;
    } else text += ZEROS[7 - d.length]! + d;
  }
  return text;
}
/** Position-0 numbers by shard index; each entry remembers the shard creation time it is for. */
const shardBases = new Map<number, { readonly createdAt: number; readonly base: bigint }>();

/** The numeric value of a shard's position-0 record number (its StartingSequenceNumber), memoised. */
function shardBase(shardCreatedAt: number, shardIndex: number): bigint {
  const hit = shardBases.get(shardIndex);
  if (hit !== undefined && hit.createdAt === shardCreatedAt) return hit.base;
  const secs = Math.floor(shardCreatedAt / 1000);
  const base = BigInt(encodeSequenceNumber({ shardCreatedSecs: secs, shardIndex, position: 0n, timeSecs: secs }));
  if (shardBases.size >= 10_000) shardBases.clear();
  shardBases.set(shardIndex, { createdAt: shardCreatedAt, base });
  return base;
}

/** A shard's StartingSequenceNumber: below every record it will hold. */
export function startingSequenceNumber(shardCreatedAt: number, shardIndex: number): string {
  const secs = Math.floor(shardCreatedAt / 1000);
  return encodeSequenceNumber({ shardCreatedSecs: secs, shardIndex, position: 0n, timeSecs: secs });
}

/** A closed shard's EndingSequenceNumber: above every record it holds. */
export function endingSequenceNumber(shardCreatedAt: number, shardIndex: number, closedAt: number): string {
  return encodeSequenceNumber({
    shardCreatedSecs: Math.floor(shardCreatedAt / 1000),
    shardIndex,
    position: MAX_POSITION,
    timeSecs: Math.floor(closedAt / 1000),
  });
}

/**
 * The number that names "just before log seq `seq`": AFTER_SEQUENCE_NUMBER of it starts at
 * `seq` (SubscribeToShard's ContinuationSequenceNumber when no record was sent yet). It equals
 * the sequence number of record `seq - 1` (or the shard's StartingSequenceNumber for 0).
 */
export function continuationSequenceNumber(shardCreatedAt: number, shardIndex: number, seq: bigint): string {
  const secs = Math.floor(shardCreatedAt / 1000);
  return encodeSequenceNumber({ shardCreatedSecs: secs, shardIndex, position: seq, timeSecs: secs });
}

/** The log seq a sequence number designates (AT_SEQUENCE_NUMBER reads from here). */
export function logSeqOf(parts: SequenceParts): bigint {
  return parts.position - 1n;
}
