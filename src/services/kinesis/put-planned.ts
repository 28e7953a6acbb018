import type { ShardRow, StreamRow } from "../../storage/kinesis-metadata/kinesis-metadata-store.js";
import { FRAME_HEADER, FRAME_PREFIX, MIN_BODY } from "../../storage/shard-log/frame.js";
import type { AppendInput, ShardLog } from "../../storage/shard-log/shard-log.js";
import { hashKeyWords } from "./hash-key.js";
import { withOpenShards } from "./put.js";
import { rangeOf, type PlannedPutRecords } from "./put-records-job.js";
import type { KinesisState } from "./state.js";

/**
 * What became of a planned PutRecords call's records: each shard's records were appended as one
 * run of consecutive log seqs, so a record's sequence number is its shard's first seq plus its
 * place in that run (numbers are made only when the answer is written: put-records-answer.ts).
 */
export interface PlannedOutcome {
  /** The open shards the records were routed over. */
  readonly shards: readonly ShardRow[];
  /** Per shard: the log seq of its first appended record (undefined when none was appended). */
  readonly firstSeqs: (bigint | undefined)[];
  /** Per shard: how many records were appended. */
  readonly counts: Uint32Array;
  /** Per record, in request order: its shard's position in `shards`, or -1 when it has an error. */
  readonly shardOf: Int32Array;
  /** Per record: its place in its shard's run. */
  readonly slot: Uint32Array;
  /** Per record: its error (throttled, or its shard's append failed), or undefined. */
  readonly errors: ({ readonly errorCode: string; readonly errorMessage: string } | undefined)[];
}

/** The open shards' hash key ranges as 8 words each (start, end; big-endian words), as the job groups by. */
export function layoutWords(shards: readonly ShardRow[]): Uint32Array {
  const out = new Uint32Array(shards.length * 8);
  shards.forEach((s, k) => {
    hashKeyWords(s.startingHashKey, out, k * 8);
    hashKeyWords(s.endingHashKey, out, k * 8 + 4);
  });
  return out;
}

export function sameWords(a: Uint32Array, b: Uint32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Appends a planned PutRecords call's frames to the open shards their keys fall in, as
 * `putEntries` does for parsed records (same routing, throttling, durability and per-record
 * outcomes). `onLayout` gets the open shards' layout the records were routed by.
 */
export async function appendPlanned(state: KinesisState, stream: StreamRow, plan: PlannedPutRecords, onLayout: (layout: Uint32Array) => void): Promise<PlannedOutcome> {
  return withOpenShards(state, stream, (current, shards) => {
    const layout = layoutWords(shards);
    onLayout(layout);
    return appendGroups(state, current, shards, layout, plan);
  });
}

/** One shard's share of the records: their indexes (request order) and blank frames. */
interface Group {
  readonly indexes: number[];
  readonly frames: Buffer;
}

async function appendGroups(state: KinesisState, stream: StreamRow, shards: readonly ShardRow[], layout: Uint32Array, plan: PlannedPutRecords): Promise<PlannedOutcome> {
  const n = plan.count;
  // Each record's shard, in request order (throttled records come back as errors and get -1).
  const shardOf = new Int32Array(n);
  const slot = new Uint32Array(n);
  const out: PlannedOutcome = { shards, firstSeqs: new Array(shards.length), counts: new Uint32Array(shards.length), shardOf, slot, errors: new Array(n) };
  const frames = Buffer.from(plan.frames, 0, plan.frameBytes);
  const logs = shards.map((s) => state.openLog(stream, s) as ShardLog);
  const asPlanned = plan.layout !== undefined && sameWords(plan.layout, layout);
  for (let i = 0; i < n; i++) {
    const k = asPlanned ? plan.group[i]! : rangeOf(plan.keys, i, layout);
    if (k < 0) throw new Error(`no open shard covers hash key of record ${i}`);
    shardOf[i] = k;
  }
  const throttled = state.limiter.enabled ? admit(state, stream, shards, plan, frames, shardOf, out) : 0;
  const groups = asPlanned && throttled === 0 && logs.every((l) => l.appendFrames !== undefined) ? groupsAsPlanned(plan, frames) : regroup(shards.length, plan, frames, shardOf);
  const now = state.now();
  const appends: Promise<void>[] = [];
  for (let k = 0; k < shards.length; k++) {
    const group = groups[k];
    if (group === undefined || group.indexes.length === 0) continue;
    const shard = shards[k]!;
    const log = logs[k]!;
    const { indexes } = group;
    for (let j = 0; j < indexes.length; j++) slot[indexes[j]!] = j;
    out.counts[k] = indexes.length;
    // Frames get consecutive seqs; records appended as records are checked to have them too.
    const done =
      log.appendFrames !== undefined
        ? log.appendFrames(group.frames, indexes.length, now)
        : log.append(appendInputs(group.frames, indexes.length, now)).then((seqs) => {
            if (seqs.length !== indexes.length || seqs[seqs.length - 1]! - seqs[0]! !== BigInt(seqs.length - 1)) throw new Error("shard log numbered an append out of order");
            return seqs[0]!;
          });
    appends.push(
      done.then(
        (first) => {
          out.firstSeqs[k] = first;
        },
        (err: unknown) => {
          state.logger.error("kinesis: append failed", { stream: stream.name, shard: shard.shardId, err: String(err) });
          out.counts[k] = 0;
          for (const i of indexes) {
            out.errors[i] = { errorCode: "InternalFailure", errorMessage: "Internal service failure." };
            shardOf[i] = -1;
          }
        },
      ),
    );
  }
  await Promise.all(appends);
  return out;
}

/** The job grouped the records by the current layout: each group is one shard's frames, as they lie. */
function groupsAsPlanned(plan: PlannedPutRecords, frames: Buffer): Group[] {
  const groups: Group[] = [];
  let at = 0;
  for (let g = 0; g < plan.groupCounts.length; g++) {
    const bytes = plan.groupBytes[g]!;
    groups.push({ indexes: new Array<number>(plan.groupCounts[g]!), frames: frames.subarray(at, at + bytes) });
    at += bytes;
  }
  for (let i = 0; i < plan.count; i++) groups[plan.group[i]!]!.indexes[plan.place[i]!] = i;
  return groups;
}

/**
 * Takes each record's bytes from its shard's write allowance, as `putEntries` does; a record over
 * it gets its ProvisionedThroughputExceededException and shard -1. Returns how many were refused.
 */
function admit(state: KinesisState, stream: StreamRow, shards: readonly ShardRow[], plan: PlannedPutRecords, frames: Buffer, shardOf: Int32Array, out: PlannedOutcome): number {
  let refused = 0;
  for (let i = 0; i < plan.count; i++) {
    const shard = shards[shardOf[i]!]!;
    const bytes = frames.readUInt32LE(plan.frameAt[i]!) - MIN_BODY; // data + partition key
    if (state.limiter.admitWrite(stream.id, `${stream.id}/${shard.shardId}`, stream.mode === "ON_DEMAND", bytes)) continue;
    out.errors[i] = {
      errorCode: "ProvisionedThroughputExceededException",
      errorMessage: `Rate exceeded for shard ${shard.shardId} in stream ${stream.name} under account ${state.accountId}.`,
    };
    shardOf[i] = -1;
    refused++;
  }
  return refused;
}

/** Copies each record's frame into its shard's batch (the layout changed, records were throttled, or a log takes records only). */
function regroup(shardCount: number, plan: PlannedPutRecords, frames: Buffer, shardOf: Int32Array): Group[] {
  const indexes: number[][] = Array.from({ length: shardCount }, () => []);
  const bytes = new Array<number>(shardCount).fill(0);
  for (let i = 0; i < plan.count; i++) {
    const k = shardOf[i]!;
    if (k < 0) continue;
    indexes[k]!.push(i);
    bytes[k]! += FRAME_PREFIX + frames.readUInt32LE(plan.frameAt[i]!);
  }
  return indexes.map((list, k) => {
    const buf = Buffer.allocUnsafe(bytes[k]!);
    let off = 0;
    for (const i of list) {
      const at = plan.frameAt[i]!;
      const bytes = FRAME_PREFIX + frames.readUInt32LE(at);
      // fill: one memcpy (copy out of shared memory goes byte by byte at unequal alignments).
      buf.fill(frames.subarray(at, at + bytes), off, off + bytes);
      off += bytes;
    }
    return { indexes: list, frames: buf };
  });
}

/** Blank frames back to records, for a log that takes records only. */
function appendInputs(frames: Buffer, count: number, timestamp: number): AppendInput[] {
  const out = new Array<AppendInput>(count);
  let at = 0;
  for (let j = 0; j < count; j++) {
    const body = frames.readUInt32LE(at);
    const pkLen = frames.readUInt16LE(at + 24);
    const pkAt = at + FRAME_HEADER;
    out[j] = { timestamp, partitionKey: frames.toString("utf8", pkAt, pkAt + pkLen), data: frames.subarray(pkAt + pkLen, at + FRAME_PREFIX + body) };
    at += FRAME_PREFIX + body;
  }
  return out;
}
