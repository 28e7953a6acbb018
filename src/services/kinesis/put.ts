import type { ShardRow, StreamRow } from "../../storage/kinesis-metadata/kinesis-metadata-store.js";
import type { AppendInput, ShardLog } from "../../storage/shard-log/shard-log.js";
import { KinesisError } from "./errors.js";
import { hashKeyHex, parseHashKey, partitionKeyHashHex, partitionKeyHashTop } from "./hash-key.js";
import { recordSequenceNumber, recordSequenceNumbers } from "./sequence-number.js";
import type { KinesisState } from "./state.js";

/** One record to write: the API's own request entry (PutRecord's input and PutRecords' entries are ones). */
export interface PutEntry {
  readonly Data: Uint8Array;
  readonly PartitionKey: string;
  readonly ExplicitHashKey?: string | undefined;
}

/** What became of one record: a sequence number, or the error the service reports per record. */
export type PutOutcome =
  | { readonly ok: true; readonly shardId: string; readonly sequenceNumber: string }
  | { readonly ok: false; readonly errorCode: string; readonly errorMessage: string };

/**
 * The hash key a record routes by, as 32 hex digits: ExplicitHashKey if given, else MD5 of the
 * partition key. Compared as strings of equal width, which orders them as numbers.
 */
export function hashKeyOf(entry: PutEntry): string {
  if (entry.ExplicitHashKey === undefined) return partitionKeyHashHex(entry.PartitionKey);
  const key = parseHashKey(entry.ExplicitHashKey);
  if (key === undefined) {
    throw new KinesisError(
      "InvalidArgumentException",
      `Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was ${entry.ExplicitHashKey}`,
    );
  }
  return hashKeyHex(key);
}

/**
 * Where records route, computed once per request: the top 32 bits of each hash key, and the whole
 * key as 32 hex digits where it was needed (explicit keys, long or non-ASCII partition keys; for
 * the rest it is made only when the top bits tie a shard's bound).
 */
interface RouteKeys {
  readonly tops: number[];
  readonly hexes: (string | undefined)[];
}

function routeKeysOf(entries: readonly PutEntry[]): RouteKeys {
  const n = entries.length;
  const tops = new Array<number>(n);
  const hexes = new Array<string | undefined>(n);
  for (let i = 0; i < n; i++) {
    const e = entries[i]!;
    const top = e.ExplicitHashKey === undefined ? partitionKeyHashTop(e.PartitionKey) : -1;
    if (top >= 0) tops[i] = top;
    else {
      const hex = hashKeyOf(e);
      hexes[i] = hex;
      tops[i] = parseInt(hex.slice(0, 8), 16);
    }
  }
  return { tops, hexes };
}

/** Data + partition key bytes: what counts against the 1 MiB/s shard limit and the 5 MiB PutRecords limit. */
export function entrySize(entry: PutEntry): number {
  return entry.Data.byteLength + Buffer.byteLength(entry.PartitionKey, "utf8");
}

function throttled(stream: StreamRow, shard: ShardRow, accountId: string): PutOutcome {
  return {
    ok: false,
    errorCode: "ProvisionedThroughputExceededException",
    errorMessage: `Rate exceeded for shard ${shard.shardId} in stream ${stream.name} under account ${accountId}.`,
  };
}

/**
 * Writes records to the open shards their hash keys fall in, each shard's records in request
 * order, and resolves once every accepted record is durable. Records over the shard's (or an
 * on-demand stream's) write rate are not written and come back as throttled.
 */
export async function putEntries(state: KinesisState, stream: StreamRow, entries: readonly PutEntry[]): Promise<PutOutcome[]> {
  const keys = routeKeysOf(entries);
  return withOpenShards(state, stream, (current, shards) => appendRouted(state, current, shards, entries, keys));
}

/**
 * Calls `append` with the stream as it is now and its open shards, every one with its log open.
 * The logs are opened first; then the shard list is read afresh and `append` is called without
 * yielding, so a concurrent split cannot close a shard between `append`'s routing and appending.
 */
export async function withOpenShards<T>(
  state: KinesisState,
  stream: StreamRow,
  append: (current: StreamRow, shards: readonly ShardRow[]) => Promise<T>,
): Promise<T> {
  for (;;) {
    const open = state.shards(stream).filter((s) => s.closedAt === null);
    // Usually every log is open already: no await, whose turns let the other requests of this
    // event-loop turn run first (~10 us of a PutRecord's way to its write at p50).
    if (open.some((s) => state.openLog(stream, s) === undefined)) await Promise.all(open.map((s) => state.log(stream, s)));
    const current = state.requireReadable(stream.name);
    if (current.id !== stream.id) throw state.notFound(stream.name);
    const shards = state.shards(current).filter((s) => s.closedAt === null);
    if (shards.some((s) => state.openLog(current, s) === undefined)) continue;
    return append(current, shards);
  }
}

/** A shard's hash key range as 32 hex digits and their top 32 bits. */
interface Bounds {
  readonly start: string;
  readonly end: string;
  readonly startTop: number;
  readonly endTop: number;
}

/** Per shard row (rows are immutable; a reshard makes new ones): a PutRecord routes without BigInt-to-hex work. */
const boundsCache = new WeakMap<ShardRow, Bounds>();

function boundsOf(shard: ShardRow): Bounds {
  let b = boundsCache.get(shard);
  if (b === undefined) {
    const start = hashKeyHex(shard.startingHashKey);
    const end = hashKeyHex(shard.endingHashKey);
    b = { start, end, startTop: parseInt(start.slice(0, 8), 16), endTop: parseInt(end.slice(0, 8), 16) };
    boundsCache.set(shard, b);
  }
  return b;
}

async function appendRouted(
  state: KinesisState,
  stream: StreamRow,
  shards: readonly ShardRow[],
  entries: readonly PutEntry[],
  keys: RouteKeys,
): Promise<PutOutcome[]> {
  const outcomes: (PutOutcome | undefined)[] = new Array(entries.length);
  // Each shard's record indexes, in request order (by position in `shards`).
  const groups: number[][] = shards.map(() => []);
  const limited = state.limiter.enabled;
  const bounds = shards.map(boundsOf);
  const starts = bounds.map((b) => b.start);
  const ends = bounds.map((b) => b.end);
  const startTops = bounds.map((b) => b.startTop);
  const endTops = bounds.map((b) => b.endTop);
  const { tops, hexes } = keys;
  for (let i = 0; i < entries.length; i++) {
    const t = tops[i]!;
    let k = 0;
    for (; k < shards.length; k++) {
      if (t < startTops[k]! || t > endTops[k]!) continue;
      if (t > startTops[k]! && t < endTops[k]!) break;
      // The top bits tie a bound: compare all 128.
      const h = (hexes[i] ??= partitionKeyHashHex(entries[i]!.PartitionKey));
      if (starts[k]! <= h && h <= ends[k]!) break;
    }
    const shard = shards[k];
    if (shard === undefined) throw new Error(`no open shard covers hash key 0x${hexes[i] ?? hashKeyOf(entries[i]!)}`);
    if (limited && !state.limiter.admitWrite(stream.id, `${stream.id}/${shard.shardId}`, stream.mode === "ON_DEMAND", entrySize(entries[i]!))) {
      outcomes[i] = throttled(stream, shard, state.accountId);
      continue;
    }
    groups[k]!.push(i);
  }
  const now = state.now();
  const appends: Promise<void>[] = [];
  for (let k = 0; k < shards.length; k++) {
    const indexes = groups[k]!;
    if (indexes.length === 0) continue;
    const shard = shards[k]!;
    const log = state.openLog(stream, shard) as ShardLog;
    const records = new Array<AppendInput>(indexes.length);
    for (let j = 0; j < indexes.length; j++) {
      const e = entries[indexes[j]!]!;
      records[j] = { timestamp: now, partitionKey: e.PartitionKey, data: e.Data };
    }
    const done = log.append(records);
    const settled = done.then(
      (seqs) => {
        const shardId = shard.shardId;
        const first = seqs[0]!;
        // One append's records get consecutive seqs: their numbers are made as one run.
        const consecutive = seqs.length === indexes.length && seqs[seqs.length - 1]! - first === BigInt(seqs.length - 1);
        const numbers = consecutive ? recordSequenceNumbers(shard.createdAt, shard.index, first, seqs.length) : seqs.map((q) => recordSequenceNumber(shard.createdAt, shard.index, q));
        for (let j = 0; j < indexes.length; j++) outcomes[indexes[j]!] = { ok: true, shardId, sequenceNumber: numbers[j]! };
      },
      (err: unknown) => {
        state.logger.error("kinesis: append failed", { stream: stream.name, shard: shard.shardId, err: String(err) });
        for (const i of indexes) outcomes[i] = { ok: false, errorCode: "InternalFailure", errorMessage: "Internal service failure." };
      },
    );
    appends.push(settled);
  }
  await Promise.all(appends);
  return outcomes.map((o) => o ?? { ok: false, errorCode: "InternalFailure", errorMessage: "Internal service failure." });
}

/**
 * ValidationException for records larger than the stream's maximum record size (1 MiB unless
 * raised), worded as the service's length constraint on the data member.
 */
export function checkRecordSizes(stream: StreamRow, entries: readonly PutEntry[], pathOf: (index: number) => string): void {
  const max = stream.maxRecordSizeKiB * 1024;
  const errors: string[] = [];
  entries.forEach((e, i) => {
    if (e.Data.byteLength > max && errors.length < 10) {
      const n = e.Data.byteLength;
      errors.push(`Value 'java.nio.HeapByteBuffer[pos=0 lim=${n} cap=${n}]' at '${pathOf(i)}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
    }
  });
  if (errors.length > 0) {
    throw new KinesisError("ValidationException", `${errors.length} validation error${errors.length === 1 ? "" : "s"} detected: ${errors.join("; ")}`);
  }
}
