import { toJsonValue } from "../../protocols/json/serialize.js";
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
  base64Slice(start: number, end: number): string;
}

function base64Length(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}

/** Most bytes a JSON-quoted string can take: every UTF-16 unit as a 6-byte \u escape, plus quotes. */
function quotedBound(s: string): number {
  return 6 * s.length + 2;
}

/** Upper bound of a record's JSON (longest timestamp number is 24 characters). */
function recordBound(r: KinesisRecord): number {
  let n = 100 + quotedBound(r.SequenceNumber) + base64Length(r.Data.byteLength) + quotedBound(r.PartitionKey);
  if (r.EncryptionType !== undefined) n += 20 + quotedBound(r.EncryptionType);
  return n;
}

/**
 * A body whose `Records` member (first, as the operations build it) is written record by record
 * into one buffer; the other members go through the general serializer. Shared by GetRecords and
 * SubscribeToShard events.
 */
export function recordsFirstJson(out: { readonly Records: readonly KinesisRecord[] }): Buffer {
  const { Records: records, ...rest } = out;
  const restJson = JSON.stringify(toJsonValue(rest));
  const end = restJson === "{}" ? "]}" : `],${restJson.slice(1)}`;
  const n = records.length;
  let bound = 16 + 3 * end.length + n;
  for (let i = 0; i < n; i++) bound += recordBound(records[i]!);
  // Big answers get their own memory (freed with them; the unused tail of the bound is never
  // touched, so never resident), small ones (empty polls) come from the pool.
  const buf = (bound > 64 * 1024 ? Buffer.allocUnsafeSlow(bound) : Buffer.allocUnsafe(bound)) as RawBuffer;
  let off = buf.latin1Write('{"Records":[', 0);
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    let head = i === 0 ? '{"SequenceNumber":' : ',{"SequenceNumber":';
    head += quote(r.SequenceNumber);
    if (r.ApproximateArrivalTimestamp !== undefined) head += `,"ApproximateArrivalTimestamp":${JSON.stringify(r.ApproximateArrivalTimestamp.getTime() / 1000)}`;
    off += buf.utf8Write(head + ',"Data":"', off);
    const d = r.Data;
    const data = (Buffer.isBuffer(d) ? d : Buffer.from(d.buffer, d.byteOffset, d.byteLength)) as RawBuffer;
    off += buf.latin1Write(data.base64Slice(0, data.length), off);
    let tail = `","PartitionKey":${quote(r.PartitionKey)}`;
    if (r.EncryptionType !== undefined) tail += `,"EncryptionType":${quote(r.EncryptionType)}`;
    off += buf.utf8Write(tail + "}", off);
  }
  off += buf.utf8Write(end, off);
  if (off > bound) throw new Error(`records JSON: wrote ${off} bytes past its bound of ${bound}`);
  return buf.subarray(0, off);
}

/** GetRecords' answer. */
export function getRecordsJson(out: GetRecordsOutput): Buffer {
  return recordsFirstJson(out);
}
