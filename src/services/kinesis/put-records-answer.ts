import type { StreamRow } from "../../storage/kinesis-metadata/kinesis-metadata-store.js";
import type { PlannedOutcome } from "./put-planned.js";
import { recordSequenceNumber, recordSequenceNumbers } from "./sequence-number.js";
import type { PutRecordsOutput, PutRecordsResultEntry } from "./shapes/types.js";

/*
 * The answer of a planned PutRecords call (put-planned.ts). Its JSON body is written straight
 * into one buffer: each shard's records got consecutive log seqs, and consecutive records'
 * sequence numbers differ by 2^80 (sequence-number.ts), so each next number's digits are the
 * previous one's plus the 25 digits of 2^80, added in place. The output object's Records are made
 * only if something reads them (the CBOR writer, tests); the JSON writer takes the bytes.
 */

/** The JSON body of answers whose records were all accepted, made on demand. */
const renderers = new WeakMap<object, () => Buffer | undefined>();

/**
 * PutRecords' JSON answer, byte for byte what `putRecordsAnswer` (wire.ts) writes for `out`, when
 * `out` was made by `plannedAnswer` and every record was accepted; undefined otherwise.
 */
export function renderedPutRecordsAnswer(out: PutRecordsOutput): Buffer | undefined {
  return renderers.get(out)?.();
}

/** PutRecords' output for a planned call. */
export function plannedAnswer(outcome: PlannedOutcome, stream: StreamRow): PutRecordsOutput {
  let failed = 0;
  for (let i = 0; i < outcome.shardOf.length; i++) if (outcome.shardOf[i]! < 0) failed++;
  const out: Record<string, unknown> = { FailedRecordCount: failed };
  Object.defineProperty(out, "Records", {
    enumerable: true,
    configurable: true,
    get(): PutRecordsResultEntry[] {
      const records = entries(outcome);
      Object.defineProperty(out, "Records", { value: records, enumerable: true, configurable: true, writable: true });
      return records;
    },
  });
  // Members in the order the usual path sets them (the JSON writers keep that order).
  out["EncryptionType"] = stream.encryptionType;
  if (failed === 0) renderers.set(out, () => render(outcome, stream.encryptionType));
  return out as unknown as PutRecordsOutput;
}

/** The result entries, in request order. */
function entries(outcome: PlannedOutcome): PutRecordsResultEntry[] {
  const { shards, firstSeqs, counts, shardOf, slot, errors } = outcome;
  const numbers = shards.map((s, k) => {
    const first = firstSeqs[k];
    return first === undefined || counts[k] === 0 ? [] : recordSequenceNumbers(s.createdAt, s.index, first, counts[k]!);
  });
  const records = new Array<PutRecordsResultEntry>(shardOf.length);
  for (let i = 0; i < shardOf.length; i++) {
    const k = shardOf[i]!;
    if (k >= 0) records[i] = { SequenceNumber: numbers[k]![slot[i]!]!, ShardId: shards[k]!.shardId };
    else {
      const e = errors[i] ?? { errorCode: "InternalFailure", errorMessage: "Internal service failure." };
      records[i] = { ErrorCode: e.errorCode, ErrorMessage: e.errorMessage };
    }
  }
  return records;
}

/** 2^80, the step between consecutive records' sequence numbers, in decimal digits (least significant first). */
const STEP = Uint8Array.from([..."1208925819614629174706176"].reverse(), (c) => c.charCodeAt(0) - 0x30);

/**
 * Adds 2^80 to the decimal number in `text[from, to)` (ASCII digits, most significant first);
 * false if it carries out of them.
 */
function addStep(text: Uint8Array, from: number, to: number): boolean {
  let carry = 0;
  let j = to - 1;
  for (let s = 0; s < STEP.length; s++, j--) {
    if (j < from) return false;
    const d = text[j]! - 0x30 + STEP[s]! + carry;
    carry = d >= 10 ? 1 : 0;
    text[j] = 0x30 + d - 10 * carry;
  }
  for (; carry !== 0; j--) {
    if (j < from) return false;
    const d = text[j]! - 0x30 + 1;
    carry = d >= 10 ? 1 : 0;
    text[j] = 0x30 + d - 10 * carry;
  }
  return true;
}

const DIGITS = /^\d+$/;
const ENTRY_HEAD = '{"SequenceNumber":"';

/**
 * The JSON body of an answer whose records were all accepted; undefined when a shard's numbers
 * do not all have the same number of digits (then the general writer does it).
 */
function render(outcome: PlannedOutcome, encryptionType: string | undefined): Buffer | undefined {
  const { shards, firstSeqs, counts, shardOf } = outcome;
  const n = shardOf.length;
  // Per shard: its current entry (its number's digits updated in place), and the last number it will reach.
  const entries: (Uint8Array | undefined)[] = [];
  const lasts: string[] = [];
  let length = 0;
  for (let k = 0; k < shards.length; k++) {
    const s = shards[k]!;
    const first = firstSeqs[k];
    const count = counts[k]!;
    lasts.push("");
    if (first === undefined || count === 0) {
      entries.push(undefined);
      continue;
    }
    const a = recordSequenceNumber(s.createdAt, s.index, first);
    const z = count === 1 ? a : recordSequenceNumber(s.createdAt, s.index, first + BigInt(count - 1));
    // Numbers grow with seq: the first and last having as many digits means all do.
    if (a.length !== z.length || !DIGITS.test(a) || !DIGITS.test(z)) return undefined;
    const entry = Buffer.from(`${ENTRY_HEAD}${a}","ShardId":${JSON.stringify(s.shardId)}}`, "utf8");
    entries.push(entry);
    lasts[k] = z;
    length += count * entry.length;
  }
  const head = Buffer.from(`{"FailedRecordCount":0,"Records":[`, "latin1");
  const end = Buffer.from(encryptionType === undefined ? "]}" : `],"EncryptionType":${JSON.stringify(encryptionType)}}`, "utf8");
  length += head.length + Math.max(0, n - 1) + end.length;
  const out = Buffer.allocUnsafe(length);
  out.set(head, 0);
  let off = head.length;
  const started = new Uint8Array(shards.length);
  for (let i = 0; i < n; i++) {
    const k = shardOf[i]!;
    const entry = entries[k];
    if (entry === undefined) return undefined;
    if (started[k] === 0) started[k] = 1;
    else if (!addStep(entry, ENTRY_HEAD.length, ENTRY_HEAD.length + lasts[k]!.length)) return undefined;
    if (i > 0) out[off++] = 0x2c; // ,
    out.set(entry, off);
    off += entry.length;
  }
  out.set(end, off);
  off += end.length;
  // Each shard's digits reached its last number, computed the usual way.
  for (let k = 0; k < shards.length; k++) {
    const entry = entries[k];
    if (entry !== undefined && Buffer.from(entry.buffer, entry.byteOffset + ENTRY_HEAD.length, lasts[k]!.length).toString("latin1") !== lasts[k]) {
      throw new Error("PutRecords answer: sequence numbers out of step");
    }
  }
  if (off !== length) throw new Error(`PutRecords answer: wrote ${off} bytes of ${length}`);
  return out;
}
