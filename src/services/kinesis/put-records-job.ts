// The PutRecords job of the shared thread pool (src/threads): runs on a pool thread, on the body the
// main thread copied into shared memory for its payload hash. It does the per-record work of a
// PutRecords call (JSON parse, validation, base64 decode, hash keys, frame encoding and CRC), so that
// the main thread only looks the stream up, numbers the frames and appends them
// (put-records-body.ts). Anything unusual (a body the fast reader does not take, a violation, a bad
// ExplicitHashKey, more than 5 MiB) answers `undefined`: the main thread then takes the usual path,
// which gives the exact error. Asked to, it also hashes the body (its payload SHA-256, checked by
// the main thread before the plan counts), so one message to the pool does both.
import { createHash } from "node:crypto";
import type { BlobArenas } from "../../protocols/json/blob-arena.js";
import { parseJsonInputFast } from "../../protocols/json/parse-json-fast.js";
import { FRAME_HEADER } from "../../storage/shard-log/frame.js";
import { finishBlankFrame, frameBytes, writeBlankFrame } from "../../storage/shard-log/frame-patch.js";
import { Transfer } from "../../threads/job.js";
import { hashKeyWords, parseHashKey, partitionKeyHashWords } from "./hash-key.js";
import { scanPutRecords, type ScannedRecords } from "./put-records-scan.js";
import { shapes } from "./shapes/model.js";
import type { PutRecordsInput } from "./shapes/types.js";
import { findViolations } from "./wire.js";

/** Node's Buffer methods behind `write(s, off, "base64")` and `toString("latin1", s, e)`, without the encoding lookup. */
interface RawBuffer extends Buffer {
  base64Write(s: string, offset: number, length: number): number;
  latin1Slice(start: number, end: number): string;
}

/** A PutRecords request carries at most 5 MiB of data and partition keys (PutRecords docs). */
const MAX_REQUEST_RECORD_BYTES = 5 * 1024 * 1024;

/** What the main thread sends: the body, and the shard layouts of the streams it wrote to lately. */
export interface PutRecordsJobArgs {
  readonly buffer: SharedArrayBuffer;
  readonly length: number;
  /** Stream name or ARN as requests give it -> its open shards' ranges (`layoutWords`). */
  readonly layouts: ReadonlyMap<string, Uint32Array>;
  /** Shared memory to write the frames into when they fit (put-records-slabs.ts); else a fresh buffer. */
  readonly out?: SharedArrayBuffer | undefined;
  /** Also answer the hex SHA-256 of the body (the payload hash the main thread checks). */
  readonly sha256?: boolean | undefined;
}

/** The job's answer. */
export interface PutRecordsJobAnswer {
  /** The planned records, or undefined for the main thread's usual path. */
  readonly plan: PlannedPutRecords | undefined;
  /** The body's hex SHA-256 when the args asked for it. */
  readonly sha256Hex: string | undefined;
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
  /**
   * The blank frames (the first `frameBytes` bytes): each group's frames one after the other,
   * groups in order. The args' `out` when they fit in it, else a buffer of their own.
   */
  readonly frames: ArrayBuffer | SharedArrayBuffer;
  readonly frameBytes: number;
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

/** Runs on a pool thread: the planned records (and the body's hash when asked). */
export function run(args: PutRecordsJobArgs): Transfer<PutRecordsJobAnswer> {
  const raw = Buffer.from(args.buffer, 0, args.length);
  const sha256Hex = args.sha256 === true ? createHash("sha256").update(raw).digest("hex") : undefined;
  const planned = planBody(raw, args);
  return new Transfer({ plan: planned?.value, sha256Hex }, planned?.transfer ?? []);
}

function planBody(raw: Buffer, args: PutRecordsJobArgs): Transfer<PlannedPutRecords> | undefined {
  const scanned = scanPutRecords(raw);
  if (scanned !== undefined) {
    const planned = plan(scanned, scanned.count, args.layouts, args.out, (i) => scanned.dataBytes[i]!, (i) => scanned.pkEnd[i]! - scanned.pkStart[i]!, (out, i, at) => writeScanned(raw as RawBuffer, scanned, out, i, at));
    if (planned !== undefined) return planned;
  }
  return fromParsed(raw, args.layouts, args.out);
}

/**
 * The general path, for bodies the byte-level reader leaves (exported for tests, which hold the
 * two paths to the same plans): the fast shape-directed reader, the shape's validator, records as
 * objects.
 */
export function fromParsed(raw: Buffer, layouts: ReadonlyMap<string, Uint32Array>, slab?: SharedArrayBuffer): Transfer<PlannedPutRecords> | undefined {
  scratchTaken = false;
  const input = parseJsonInputFast(raw, "PutRecordsInput", { shapes }, arenas) as PutRecordsInput | undefined;
  if (input === undefined || findViolations(input, "PutRecordsInput").length > 0) return undefined;
  const records = input.Records;
  const n = records.length;
  const keys = new Uint32Array(n * 4);
  const pkBytes = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    pkBytes[i] = Buffer.byteLength(r.PartitionKey, "utf8");
    if (r.ExplicitHashKey === undefined) partitionKeyHashWords(r.PartitionKey, keys, i * 4);
    else {
      const key = parseHashKey(r.ExplicitHashKey);
      if (key === undefined) return undefined;
      hashKeyWords(key, keys, i * 4);
    }
  }
  const ref = { StreamName: input.StreamName, StreamARN: input.StreamARN, StreamId: input.StreamId, keys };
  return plan(ref, n, layouts, slab, (i) => records[i]!.Data.byteLength, (i) => pkBytes[i]!, (out, i, at) => {
    const r = records[i]!;
    const pk = pkBytes[i]!;
    out.write(r.PartitionKey, at + FRAME_HEADER, pk, pk === r.PartitionKey.length ? "latin1" : "utf8");
    return writeBlankFrame(out, at, pk, r.Data);
  });
}

/**
 * Writes scanned record `i`'s blank frame at `at`: its partition key copied from the body, its
 * data decoded from the body straight into the frame. Undefined when the base64 text does not
 * decode to exactly the bytes its length promises (a character outside the alphabet).
 */
function writeScanned(raw: RawBuffer, s: ScannedRecords, out: RawBuffer, i: number, at: number): number | undefined {
  const pkStart = s.pkStart[i]!;
  const pk = s.pkEnd[i]! - pkStart;
  const bytes = s.dataBytes[i]!;
  const dataAt = at + FRAME_HEADER + pk;
  for (let j = 0; j < pk; j++) out[at + FRAME_HEADER + j] = raw[pkStart + j]!;
  if (bytes > 0 && out.base64Write(raw.latin1Slice(s.dataStart[i]!, s.dataEnd[i]!), dataAt, bytes) !== bytes) return undefined;
  return finishBlankFrame(out, at, pk, bytes);
}

/** What a plan needs to know of the request, besides its records. */
interface RequestRef {
  readonly StreamName: string | undefined;
  readonly StreamARN: string | undefined;
  readonly StreamId: string | undefined;
  readonly keys: Uint32Array;
}

/**
 * Groups `n` records by the stream's layout (when known) and writes their blank frames with
 * `write` (which answers the offset after the frame, or undefined to give up).
 */
function plan(
  ref: RequestRef,
  n: number,
  layouts: ReadonlyMap<string, Uint32Array>,
  slab: SharedArrayBuffer | undefined,
  dataBytes: (i: number) => number,
  pkBytes: (i: number) => number,
  write: (out: RawBuffer, i: number, at: number) => number | undefined,
): Transfer<PlannedPutRecords> | undefined {
  const keys = ref.keys;
  let total = 0;
  let maxData = 0;
  for (let i = 0; i < n; i++) {
    const d = dataBytes(i);
    total += pkBytes(i) + d;
    if (d > maxData) maxData = d;
  }
  if (total > MAX_REQUEST_RECORD_BYTES) return undefined;

  const name = ref.StreamName ?? ref.StreamARN;
  let layout = name === undefined ? undefined : layouts.get(name);
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
    const bytes = frameBytes(pkBytes(i), dataBytes(i));
    place[i] = groupCounts[g]!++;
    groupBytes[g] = groupBytes[g]! + bytes;
    frameTotal += bytes;
  }
  // Not zero-filled: every byte is written below. Reused shared memory when given and large
  // enough: a fresh buffer of this size is a new mapping, faulted in page by page as written.
  const shared = slab !== undefined && slab.byteLength >= frameTotal;
  const out = (shared ? Buffer.from(slab, 0, frameTotal) : Buffer.allocUnsafeSlow(frameTotal)) as RawBuffer;
  const frames = out.buffer;
  const cursor = new Float64Array(groupCount);
  for (let g = 1; g < groupCount; g++) cursor[g] = cursor[g - 1]! + groupBytes[g - 1]!;
  const frameAt = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const g = group[i]!;
    const at = cursor[g]!;
    frameAt[i] = at;
    const next = write(out, i, at);
    if (next === undefined) return undefined;
    cursor[g] = next;
  }
  const planned: PlannedPutRecords = {
    StreamName: ref.StreamName,
    StreamARN: ref.StreamARN,
    StreamId: ref.StreamId,
    count: n,
    maxData,
    frames,
    frameBytes: frameTotal,
    layout,
    groupCounts,
    groupBytes,
    group,
    place,
    frameAt,
    keys,
  };
  const moved = [keys.buffer as ArrayBuffer, group.buffer, place.buffer, frameAt.buffer, groupCounts.buffer, groupBytes.buffer];
  if (!shared) moved.push(frames as ArrayBuffer);
  return new Transfer(planned, moved);
}
