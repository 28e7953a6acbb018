// The PutRecords job of the shared thread pool (src/threads): runs on a pool thread, on the body the
// main thread copied into shared memory for its payload hash. It does the per-record work of a
// PutRecords call (JSON parse, validation, base64 decode, hash keys, frame encoding and CRC), so that
// the main thread only looks the stream up, numbers the frames and appends them
// (put-records-body.ts). Anything unusual (a body the fast reader does not take, a violation, a bad
// ExplicitHashKey, more than 5 MiB) answers `undefined`: the main thread then takes the usual path,
// which gives the exact error.
import type { BlobArenas } from "../../protocols/json/blob-arena.js";
import { parseJsonInputFast } from "../../protocols/json/parse-json-fast.js";
import { FRAME_HEADER } from "../../storage/shard-log/frame.js";
import { frameBytes, writeBlankFrame } from "../../storage/shard-log/frame-patch.js";
import { Transfer } from "../../threads/job.js";
import { hashKeyWords, parseHashKey, partitionKeyHashWords } from "./hash-key.js";
import { shapes } from "./shapes/model.js";
import type { PutRecordsInput } from "./shapes/types.js";
import { findViolations } from "./wire.js";

/** A PutRecords request carries at most 5 MiB of data and partition keys (PutRecords docs). */
const MAX_REQUEST_RECORD_BYTES = 5 * 1024 * 1024;

/** What the main thread sends: the body, and the shard layouts of the streams it wrote to lately. */
export interface PutRecordsJobArgs {
  readonly buffer: SharedArrayBuffer;
  readonly length: number;
  /** Stream name or ARN as requests give it -> its open shards' ranges (`layoutWords`). */
  readonly layouts: ReadonlyMap<string, Uint32Array>;
}

/**
 * A PutRecords body made ready to append: its records as blank frames (frame-patch.ts), grouped
 * by shard when the stream's layout was known, else in request order.
 */
export interface PlannedPutRecords {
  readonly StreamName: string | undefined;
  readonly StreamARN: string | undefined;
  readonly StreamId: string | undefined;
  readonly count: number;
  /** Largest record's data, in bytes. */
  readonly maxData: number;
  /** The blank frames: each group's frames one after the other, groups in order. */
  readonly frames: ArrayBuffer;
  /** The layout the records were grouped by (one group per shard), or undefined (one group). */
  readonly layout: Uint32Array | undefined;
  /** Frames and bytes of each group. */
  readonly groupCounts: Uint32Array;
  readonly groupBytes: Float64Array;
  /** Per record, in request order: its group, its place in the group, and where its frame starts. */
  readonly group: Uint16Array;
  readonly place: Uint32Array;
  readonly frameAt: Float64Array;
  /** Per record: its hash key as four big-endian words (routing when the layout did not match). */
  readonly keys: Uint32Array;
}

/** Whether `keys[i*4..]` lies within range `k` of `layout` (8 words per range: start, end). */
function inRange(keys: Uint32Array, i: number, layout: Uint32Array, k: number): boolean {
  const at = i * 4;
  const s = k * 8;
  for (let w = 0; w < 4; w++) {
    const v = keys[at + w]!;
    const lo = layout[s + w]!;
    if (v !== lo) {
      if (v < lo) return false;
      break;
    }
  }
  for (let w = 0; w < 4; w++) {
    const v = keys[at + w]!;
    const hi = layout[s + 4 + w]!;
    if (v !== hi) return v < hi;
  }
  return true;
}

/** The first range of `layout` holding record `i`'s key, or -1. */
export function rangeOf(keys: Uint32Array, i: number, layout: Uint32Array): number {
  for (let k = 0; k * 8 < layout.length; k++) if (inRange(keys, i, layout, k)) return k;
  return -1;
}

/**
 * The thread's blob arena, reused from run to run (the blobs are copied into frames before a run
 * returns); a second arena within one run is a fresh buffer.
 */
let scratch: Buffer | undefined;
let scratchTaken = false;
const arenas: BlobArenas = {
  take(bytes) {
    if (scratchTaken) return Buffer.allocUnsafeSlow(bytes);
    scratchTaken = true;
    if (scratch === undefined || scratch.length < bytes) scratch = Buffer.allocUnsafeSlow(Math.max(bytes, 64 * 1024));
    return scratch;
  },
};

/** Runs on a pool thread: the planned records, or undefined for the main thread's usual path. */
export function run(args: PutRecordsJobArgs): Transfer<PlannedPutRecords> | undefined {
  scratchTaken = false;
  const raw = Buffer.from(args.buffer, 0, args.length);
  const input = parseJsonInputFast(raw, "PutRecordsInput", { shapes }, arenas) as PutRecordsInput | undefined;
  if (input === undefined || findViolations(input, "PutRecordsInput").length > 0) return undefined;
  const records = input.Records;
  const n = records.length;
  const keys = new Uint32Array(n * 4);
  const pkBytes = new Uint32Array(n);
  let total = 0;
  let maxData = 0;
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    const pk = Buffer.byteLength(r.PartitionKey, "utf8");
    pkBytes[i] = pk;
    total += pk + r.Data.byteLength;
    if (r.Data.byteLength > maxData) maxData = r.Data.byteLength;
    if (r.ExplicitHashKey === undefined) partitionKeyHashWords(r.PartitionKey, keys, i * 4);
    else {
      const key = parseHashKey(r.ExplicitHashKey);
      if (key === undefined) return undefined;
      hashKeyWords(key, keys, i * 4);
    }
  }
  if (total > MAX_REQUEST_RECORD_BYTES) return undefined;

  const name = input.StreamName ?? input.StreamARN;
  let layout = name === undefined ? undefined : args.layouts.get(name);
  const groups = layout === undefined ? 1 : layout.length / 8;
  const group = new Uint16Array(n);
  if (layout !== undefined) {
    for (let i = 0; i < n; i++) {
      const k = rangeOf(keys, i, layout);
      if (k < 0) {
        layout = undefined; // not the stream's layout any more: the main thread routes
        group.fill(0);
        break;
      }
      group[i] = k;
    }
  }
  const groupCount = layout === undefined ? 1 : groups;
  const groupCounts = new Uint32Array(groupCount);
  const groupBytes = new Float64Array(groupCount);
  const place = new Uint32Array(n);
  let frameTotal = 0;
  for (let i = 0; i < n; i++) {
    const g = group[i]!;
    const bytes = frameBytes(pkBytes[i]!, records[i]!.Data.byteLength);
    place[i] = groupCounts[g]!++;
    groupBytes[g] = groupBytes[g]! + bytes;
    frameTotal += bytes;
  }
  // Not zero-filled: every byte is written below.
  const out = Buffer.allocUnsafeSlow(frameTotal);
  const frames = out.buffer as ArrayBuffer;
  const cursor = new Float64Array(groupCount);
  for (let g = 1; g < groupCount; g++) cursor[g] = cursor[g - 1]! + groupBytes[g - 1]!;
  const frameAt = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    const g = group[i]!;
    const at = cursor[g]!;
    frameAt[i] = at;
    const pk = pkBytes[i]!;
    out.write(r.PartitionKey, at + FRAME_HEADER, pk, pk === r.PartitionKey.length ? "latin1" : "utf8");
    cursor[g] = writeBlankFrame(out, at, pk, r.Data);
  }
  const planned: PlannedPutRecords = {
    StreamName: input.StreamName,
    StreamARN: input.StreamARN,
    StreamId: input.StreamId,
    count: n,
    maxData,
    frames,
    layout,
    groupCounts,
    groupBytes,
    group,
    place,
    frameAt,
    keys,
  };
  return new Transfer(planned, [frames, keys.buffer, group.buffer, place.buffer, frameAt.buffer, groupCounts.buffer, groupBytes.buffer]);
}
