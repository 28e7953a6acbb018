import { toJsonValue } from "../../protocols/json/serialize.js";
import type { PlannedBlock, ReadPlan, RecordVisitor } from "../../storage/shard-log/read-plan.js";
import { base64Length } from "./base64-into.js";
import { ANSWER_CHUNK_BYTES, ChunkedAnswer, type ChunkFiller } from "./chunked-answer.js";
import type { StreamedJson } from "./json-output.js";
import { RecordHeadWriter } from "./record-head.js";
import { recordSequenceNumber } from "./sequence-number.js";

/**
 * GetRecords' JSON answer written from a two-pass read plan (storage/shard-log/read-plan.ts)
 * instead of record objects: byte for byte what `recordsFirstJson` writes for the records
 * `toApiRecords` would build, with one read block and one 256 KiB chunk in memory at a time.
 */

interface RawBuffer extends Buffer {
  base64Slice(start: number, end: number): string;
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
    off += out.latin1Write((buf as RawBuffer).base64Slice(dataStart, block.dataEnd(i)), off);
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
  const filler = new PlannedFiller(plan, writer, end, length);
  if (length <= ANSWER_CHUNK_BYTES) {
    // Room is checked against each record's upper bound, which passes its exact size by at most
    // ~6 bytes per partition-key byte (a key is at most 256 characters) plus a few dozen.
    const out = Buffer.allocUnsafe(length + FILL_SLACK);
    try {
      const n = await filler.fill(out);
      if (!filler.done || n !== length) throw new Error(`planned records JSON: wrote ${n} bytes of ${length}`);
    } finally {
      filler.release();
    }
    return out.subarray(0, length);
  }
  return { length, body: new ChunkedAnswer(filler) };
}

const FILL_SLACK = 8 * 1024;

/** Writes the answer into the chunks it is given, pulling the plan's blocks as it goes. */
class PlannedFiller implements ChunkFiller {
  done = false;
  needBytes = 0;
  readonly #blocks: AsyncGenerator<PlannedBlock>;
  #block: PlannedBlock | undefined;
  #i = 0;
  #started = false;
  #recordsDone = false;
  #written = 0;
  readonly #endBytes: number;

  constructor(
    private readonly plan: ReadPlan,
    private readonly writer: PlannedRecordsWriter,
    private readonly end: string,
    private readonly length: number,
  ) {
    this.#blocks = plan.blocks();
    this.#endBytes = Buffer.byteLength(end, "utf8");
  }

  async fill(buf: Buffer): Promise<number> {
    const out = buf as RawBuffer;
    let off = 0;
    if (!this.#started) {
      if (out.length < 12) return this.#need(12);
      off = out.latin1Write('{"Records":[', 0);
      this.#started = true;
    }
    while (!this.#recordsDone) {
      const block = this.#block;
      if (block === undefined || this.#i >= block.count) {
        const next = await this.#blocks.next();
        if (next.done === true) {
          this.#recordsDone = true;
          this.#block = undefined;
          break;
        }
        this.#block = next.value;
        this.#i = 0;
        continue;
      }
      const need = PlannedRecordsWriter.maxRecordBytes(block, this.#i);
      if (off + need > out.length) return off > 0 ? this.#wrote(off) : this.#need(need);
      off = this.writer.write(out, off, block, this.#i++);
    }
    if (this.done) return 0;
    if (off + this.#endBytes > out.length) return off > 0 ? this.#wrote(off) : this.#need(this.#endBytes);
    off += out.utf8Write(this.end, off);
    this.done = true;
    this.#wrote(off);
    if (this.#written !== this.length) throw new Error(`planned records JSON: wrote ${this.#written} bytes of ${this.length}`);
    return off;
  }

  #wrote(n: number): number {
    this.#written += n;
    return n;
  }

  #need(n: number): number {
    this.needBytes = n;
    return 0;
  }

  release(): void {
    this.plan.release();
    if (!this.done) void this.#blocks.return(undefined).catch(() => undefined);
  }
}
