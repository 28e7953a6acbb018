import { Readable } from "node:stream";
import { toJsonValue } from "../../protocols/json/serialize.js";
import type { PlannedBlock, ReadPlan, RecordVisitor } from "../../storage/shard-log/read-plan.js";
import { base64Length } from "./base64-into.js";
import { RECORDS_CHUNK_BYTES, type StreamedJson } from "./json-output.js";
import { RecordHeadWriter } from "./record-head.js";
import { recordSequenceNumber } from "./sequence-number.js";

/**
 * GetRecords' JSON answer written from a two-pass read plan (storage/shard-log/read-plan.ts)
 * instead of record objects: byte for byte what `recordsFirstJson` writes for the records
 * `toApiRecords` would build, with one read block and one 256 KiB chunk in memory at a time.
 */

interface RawBuffer extends Buffer {
  latin1Write(s: string, offset: number): number;
  utf8Write(s: string, offset: number): number;
}

const HEAD_BYTES = '{"SequenceNumber":,"Data":"'.length;
const TAIL_BYTES = '","PartitionKey":}'.length;
const TIMESTAMP_BYTES = ',"ApproximateArrivalTimestamp":'.length;
const ENCRYPTION = ',"EncryptionType":"KMS"';
/** After the data, up to the partition key's text (its opening quote included). */
const PK_OPEN = Buffer.from('","PartitionKey":"', "latin1");

/** Whether `buf[start, end)` is printable ASCII without `"` or `\\` (written as it is between quotes). */
function plainBytes(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return false;
  }
  return true;
}

/** Measures each planned record's JSON (the first pass) and writes it (the second). */
export class PlannedRecordsWriter {
  /** Bytes of every record measured so far, with the commas between them. */
  bytes = 0;
  #count = 0;
  #seqLength = -1;
  #lastMs = Number.NaN;
  #lastTs = "";
  readonly #head: RecordHeadWriter;

  constructor(
    private readonly shardCreatedAt: number,
    private readonly shardIndex: number,
    private readonly kms: boolean,
  ) {
    this.#head = new RecordHeadWriter(shardCreatedAt, shardIndex);
  }

  #timestampJson(ms: number): string {
    if (ms !== this.#lastMs) {
      this.#lastMs = ms;
      this.#lastTs = JSON.stringify(ms / 1000);
    }
    return this.#lastTs;
  }

  #sequenceNumber(seq: number): string {
    return recordSequenceNumber(this.shardCreatedAt, this.shardIndex, BigInt(seq));
  }

  /** The first pass's visitor. */
  readonly measure: RecordVisitor = (seq, ts, buf, pkStart, dataStart, dataEnd) => {
    if (this.#seqLength < 0) this.#seqLength = this.#sequenceNumber(seq).length;
    const pk = plainBytes(buf, pkStart, dataStart) ? dataStart - pkStart + 2 : Buffer.byteLength(JSON.stringify(buf.toString("utf8", pkStart, dataStart)), "utf8");
    this.bytes += (this.#count > 0 ? 1 : 0) + HEAD_BYTES + this.#seqLength + 2 + TIMESTAMP_BYTES + this.#timestampJson(ts).length;
    this.bytes += base64Length(dataEnd - dataStart) + TAIL_BYTES + pk + (this.kms ? ENCRYPTION.length : 0);
    this.#count++;
  };

  /**
   * Checks that every number has the first one's length: they increase within a shard, so the
   * first and last having the same number of digits means all do (they have 56 by construction).
   */
  checkLengths(lastSeq: number): void {
    if (this.#count > 0 && this.#sequenceNumber(lastSeq).length !== this.#seqLength) throw new Error("sequence numbers of different lengths in one page");
  }

  /** Upper bound of record `i`'s JSON, for making room before writing it. */
  static maxRecordBytes(block: PlannedBlock, i: number): number {
    const pkStart = block.pkStart(i);
    const dataStart = block.dataStart(i);
    return 1 + HEAD_BYTES + 80 + TIMESTAMP_BYTES + 32 + base64Length(block.dataEnd(i) - dataStart) + TAIL_BYTES + 6 * (dataStart - pkStart) + 2 + ENCRYPTION.length;
  }

  /** Writes record `i` of `block` (with a comma before it unless it is the first) at `off`; returns the offset after it. */
  write(out: RawBuffer, off: number, block: PlannedBlock, i: number): number {
    const buf = block.buf;
    const pkStart = block.pkStart(i);
    const dataStart = block.dataStart(i);
    off = this.#head.write(out, off, this.#count === 0, block.seq(i), block.timestamp(i));
    // Node's own base64 encoder and a copy of its one-byte string: ~3x faster than base64-into.ts
    // per 1 KiB record, and the string dies young (nothing else is allocated per record).
    off += out.latin1Write(buf.toString("base64", dataStart, block.dataEnd(i)), off);
    for (let j = 0; j < PK_OPEN.length; j++) out[off++] = PK_OPEN[j]!;
    const pkAt = off;
    let plain = true;
    for (let j = pkStart; j < dataStart; j++) {
      const c = buf[j]!;
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
        plain = false;
        break;
      }
      out[off++] = c;
    }
    if (plain) out[off++] = 0x22;
    else off = pkAt - 1 + out.utf8Write(JSON.stringify(buf.toString("utf8", pkStart, dataStart)), pkAt - 1);
    if (this.kms) off += out.latin1Write(ENCRYPTION, off);
    out[off++] = 0x7d; // }
    this.#count++;
    return off;
  }

  /** Starts the second pass (record counting for the commas starts again). */
  restart(): void {
    this.#count = 0;
  }
}

/**
 * The whole answer: `{"Records":[` + the planned records + the rest of the output's members.
 * Small answers are written at once into one buffer; bigger ones stream in ~256 KiB chunks.
 * The plan's handles are released when the body ends or is abandoned.
 */
export async function plannedRecordsJson(plan: ReadPlan, writer: PlannedRecordsWriter, rest: object): Promise<Buffer | StreamedJson> {
  let restJson: string;
  try {
    writer.checkLengths(plan.lastSeq);
    restJson = JSON.stringify(toJsonValue(rest));
  } catch (err) {
    plan.release();
    throw err;
  }
  const end = restJson === "{}" ? "]}" : `],${restJson.slice(1)}`;
  const length = 12 + writer.bytes + Buffer.byteLength(end, "utf8");
  writer.restart();
  if (length <= RECORDS_CHUNK_BYTES) {
    const out = Buffer.allocUnsafe(length) as RawBuffer;
    let off = out.latin1Write('{"Records":[', 0);
    for await (const block of plan.blocks()) {
      for (let i = 0; i < block.count; i++) {
        off = writer.write(out, off, block, i);
      }
    }
    off += out.utf8Write(end, off);
    if (off !== length) throw new Error(`planned records JSON: wrote ${off} bytes of ${length}`);
    return out;
  }
  const body = Readable.from(chunks(plan, writer, end, length), { objectMode: false });
  body.once("close", () => plan.release()); // also when destroyed before its first read
  return { length, body };
}

async function* chunks(plan: ReadPlan, writer: PlannedRecordsWriter, end: string, length: number): AsyncGenerator<Buffer> {
  let written = 0;
  let out = Buffer.allocUnsafe(RECORDS_CHUNK_BYTES) as RawBuffer;
  let off = out.latin1Write('{"Records":[', 0);
  try {
    for await (const block of plan.blocks()) {
      for (let i = 0; i < block.count; i++) {
        const need = PlannedRecordsWriter.maxRecordBytes(block, i);
        if (off + need > out.length) {
          if (off > 0) {
            written += off;
            yield out.subarray(0, off);
          }
          out = Buffer.allocUnsafe(Math.max(RECORDS_CHUNK_BYTES, need)) as RawBuffer;
          off = 0;
        }
        off = writer.write(out, off, block, i);
      }
    }
  } finally {
    plan.release();
  }
  const endBytes = Buffer.byteLength(end, "utf8");
  if (off + endBytes > out.length) {
    written += off;
    yield out.subarray(0, off);
    out = Buffer.allocUnsafe(endBytes) as RawBuffer;
    off = 0;
  }
  off += out.utf8Write(end, off);
  written += off;
  if (written !== length) throw new Error(`planned records JSON: wrote ${written} bytes of ${length}`);
  yield out.subarray(0, off);
}
