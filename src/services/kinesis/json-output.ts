import { Readable } from "node:stream";
import { toJsonValue } from "../../protocols/json/serialize.js";
import { base64Length, writeBase64 } from "./base64-into.js";
import type { GetRecordsOutput, PutRecordsOutput, Record as KinesisRecord } from "./shapes/types.js";

/**
 * The JSON bodies of the two data-plane answers, written directly: byte for byte what
 * `JSON.stringify(toJsonValue(output))` gives for the objects the operations build (members in
 * the order the operations set them), without first copying every record into a JSON-ready
 * object, and for GetRecords without a 14 MB string and its copy into a Buffer.
 */

/** Printable ASCII without `"` or `\\`: quoted as it is (sequence numbers, most partition keys). */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** The JSON form of a string, as JSON.stringify writes it. */
function quote(s: string): string {
  return PLAIN.test(s) ? `"${s}"` : JSON.stringify(s);
}

/**
 * PutRecords' answer. It holds only strings and numbers (no timestamps or blobs to convert, and
 * JSON.stringify leaves out undefined members as the general serializer does), so it is
 * stringified as it is.
 */
export function putRecordsJson(out: PutRecordsOutput): string {
  return JSON.stringify(out);
}

/**
 * Node's Buffer methods behind `write(s, off, enc)` and `toString(enc)`, called without the
 * encoding lookup and argument checks (undocumented, but what Node itself calls).
 */
interface RawBuffer extends Buffer {
  latin1Write(s: string, offset: number): number;
  utf8Write(s: string, offset: number): number;
}

/** Bytes of a string's UTF-8 form (its length when it is plain ASCII, the usual case here). */
function utf8Length(s: string): number {
  return PLAIN.test(s) ? s.length : Buffer.byteLength(s, "utf8");
}

/** Bytes of a string's quoted JSON form in UTF-8. */
function quotedLength(s: string): number {
  return PLAIN.test(s) ? s.length + 2 : Buffer.byteLength(JSON.stringify(s), "utf8");
}

/** The fixed text around a record's members. */
const HEAD_BYTES = '{"SequenceNumber":,"Data":"'.length;
const TAIL_BYTES = '","PartitionKey":}'.length;
const TIMESTAMP_BYTES = ',"ApproximateArrivalTimestamp":'.length;
const ENCRYPTION_BYTES = ',"EncryptionType":'.length;

/** A JSON body written piece by piece, with its exact length known before the first byte. */
export interface StreamedJson {
  readonly length: number;
  readonly body: Readable;
}

/** Called once an answer's records have all been written out (see `afterRecordsWritten`). */
const writtenHooks = new WeakMap<object, () => void>();

/**
 * Calls `done` once the JSON writer has copied every record of `out` into the body (not when the
 * body is written some other way, e.g. as CBOR, nor when a streamed body is abandoned): the
 * moment the records' data may be freed.
 */
export function afterRecordsWritten(out: object, done: () => void): void {
  writtenHooks.set(out, done);
}

function recordsWritten(out: object): void {
  const done = writtenHooks.get(out);
  if (done === undefined) return;
  writtenHooks.delete(out);
  done();
}

/** Answers up to this size are written into one buffer; bigger ones stream in chunks of about this size. */
export const RECORDS_CHUNK_BYTES = 256 * 1024;

/**
 * A body whose `Records` member (first, as the operations build it) is written record by record;
 * the other members go through the general serializer. Small answers (polls at the tip) come
 * back as one buffer. Big ones (a drain's 10 MiB pages) stream in chunks written as the socket
 * takes them, so that a page never exists twice in memory (as records and as JSON), and the
 * read blocks the records point into are released as the writing passes them. Shared by
 * GetRecords and SubscribeToShard events.
 */
export function recordsFirstJson(out: { readonly Records: readonly KinesisRecord[] }): Buffer | StreamedJson {
  const { Records: records, ...rest } = out;
  const restJson = JSON.stringify(toJsonValue(rest));
  const end = restJson === "{}" ? "]}" : `],${restJson.slice(1)}`;
  const n = records.length;
  if (n === 0) {
    recordsWritten(out);
    return Buffer.from(`{"Records":[${end}`, "utf8"); // a poll at the tip
  }
  const pending: (KinesisRecord | undefined)[] = records.slice();
  const sizes = new Array<number>(n);
  // Records of one PutRecords share their arrival time: its JSON form is made once per run.
  let lastMs = Number.NaN;
  let lastTs = "";
  const timestampJson = (d: Date): string => {
    const ms = d.getTime();
    if (ms !== lastMs) {
      lastMs = ms;
      lastTs = JSON.stringify(ms / 1000);
    }
    return lastTs;
  };
  // Sizes first (the exact length goes in Content-Length), without building any text yet.
  let length = 12 + utf8Length(end) + Math.max(0, n - 1);
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    let size = HEAD_BYTES + quotedLength(r.SequenceNumber) + base64Length(r.Data.byteLength) + TAIL_BYTES + quotedLength(r.PartitionKey);
    if (r.ApproximateArrivalTimestamp !== undefined) size += TIMESTAMP_BYTES + timestampJson(r.ApproximateArrivalTimestamp).length;
    if (r.EncryptionType !== undefined) size += ENCRYPTION_BYTES + quotedLength(r.EncryptionType);
    sizes[i] = size;
    length += size;
  }

  /** Writes records from `next` on into `buf` from `off` while they fit; returns [offset, next record]. */
  const fill = (buf: RawBuffer, off: number, next: number): [number, number] => {
    let i = next;
    while (i < n && off + sizes[i]! + 1 <= buf.length) {
      const r = pending[i]!;
      let head = i > 0 ? ',{"SequenceNumber":' : '{"SequenceNumber":';
      head += quote(r.SequenceNumber);
      if (r.ApproximateArrivalTimestamp !== undefined) head += ',"ApproximateArrivalTimestamp":' + timestampJson(r.ApproximateArrivalTimestamp);
      off += buf.utf8Write(head + ',"Data":"', off);
      off = writeBase64(r.Data, buf, off);
      let tail = '","PartitionKey":' + quote(r.PartitionKey);
      if (r.EncryptionType !== undefined) tail += ',"EncryptionType":' + quote(r.EncryptionType);
      off += buf.utf8Write(tail + "}", off);
      pending[i] = undefined; // let go of the record, and in time of the read block under its data
      i++;
    }
    return [off, i];
  };

  if (length <= RECORDS_CHUNK_BYTES) {
    const buf = Buffer.allocUnsafe(length) as RawBuffer;
    let [off, next] = fill(buf, buf.latin1Write('{"Records":[', 0), 0);
    off += buf.utf8Write(end, off);
    if (next !== n || off !== length) throw new Error(`records JSON: wrote ${off} bytes of ${length}`);
    recordsWritten(out);
    return buf;
  }
  function* chunks(): Generator<Buffer> {
    let written = 0;
    let buf = Buffer.allocUnsafe(RECORDS_CHUNK_BYTES) as RawBuffer;
    let off = buf.latin1Write('{"Records":[', 0);
    let next = 0;
    while (next < n) {
      [off, next] = fill(buf, off, next);
      if (next === n) break;
      if (off > 0) {
        written += off;
        yield buf.subarray(0, off);
      }
      // A record bigger than a chunk gets a buffer of its own size.
      buf = Buffer.allocUnsafe(Math.max(RECORDS_CHUNK_BYTES, sizes[next]! + 1)) as RawBuffer;
      off = 0;
    }
    recordsWritten(out);
    if (off + Buffer.byteLength(end) > buf.length) {
      written += off;
      yield buf.subarray(0, off);
      buf = Buffer.allocUnsafe(Buffer.byteLength(end)) as RawBuffer;
      off = 0;
    }
    off += buf.utf8Write(end, off);
    written += off;
    if (written !== length) throw new Error(`records JSON: wrote ${written} bytes of ${length}`);
    yield buf.subarray(0, off);
  }
  return { length, body: Readable.from(chunks(), { objectMode: false }) };
}

/**
 * GetRecords' answer with no records and a next iterator (a poll at the tip): the bytes
 * recordsFirstJson writes for `{ Records: [], MillisBehindLatest, NextShardIterator }`, without
 * the general serializer's copy of the members.
 */
export function emptyPollJson(millisBehind: number, nextShardIterator: string): Buffer {
  if (!Number.isSafeInteger(millisBehind) || !PLAIN.test(nextShardIterator)) {
    const out: GetRecordsOutput = { Records: [], MillisBehindLatest: millisBehind, NextShardIterator: nextShardIterator };
    return recordsFirstJson(out) as Buffer;
  }
  return Buffer.from(`{"Records":[],"MillisBehindLatest":${millisBehind},"NextShardIterator":"${nextShardIterator}"}`, "latin1");
}

/** GetRecords' answer. */
export function getRecordsJson(out: GetRecordsOutput): Buffer | StreamedJson {
  return recordsFirstJson(out);
}
