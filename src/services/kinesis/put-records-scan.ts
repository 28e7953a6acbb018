// A byte-level reader for the PutRecords body the SDKs send, for the pool thread's job
// (put-records-job.ts): it finds each record's data and partition key in the body and leaves
// them there (no record objects, no decoded copies), so the job can decode the data straight
// into the record's frame. It takes only the plain shape: members StreamName, StreamARN,
// StreamId and Records, each record with exactly Data and PartitionKey (an ASCII key without
// escapes), no escapes anywhere, canonical base64. Anything else answers `undefined` and the job
// takes the general reader, so whatever this reader accepts, the general path would have read
// the same values from the same bytes and found them valid.
import { partitionKeyBytesHashWords } from "./hash-key.js";
import { findViolations } from "./wire.js";

/** Records per PutRecords call (the shape's list max). */
const MAX_RECORDS = 500;
/** The Data shape's max, in bytes. */
const MAX_DATA_BYTES = 10 * 1024 * 1024;
/** The PartitionKey shape's max, in characters (bytes here: keys are ASCII). */
const MAX_PARTITION_KEY = 256;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const EQUALS = 0x3d;

/** Each byte's value as a base64 digit (the standard alphabet; 0xff for anything else). */
const BASE64_VALUE = new Uint8Array(256).fill(0xff);
for (let i = 0; i < 64; i++) BASE64_VALUE["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".charCodeAt(i)] = i;

/** Node's Buffer methods behind `toString(enc, s, e)`, without the encoding lookup (what Node itself calls). */
interface RawBuffer extends Buffer {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

/** Where a body's records lie. The arrays are the thread's own, reused by the next scan. */
export interface ScannedRecords {
  readonly StreamName: string | undefined;
  readonly StreamARN: string | undefined;
  readonly StreamId: string | undefined;
  readonly count: number;
  /** Per record: its base64 text `[dataStart, dataEnd)` and the bytes it decodes to. */
  readonly dataStart: Int32Array;
  readonly dataEnd: Int32Array;
  readonly dataBytes: Int32Array;
  /** Per record: its partition key's bytes `[pkStart, pkEnd)`. */
  readonly pkStart: Int32Array;
  readonly pkEnd: Int32Array;
  /** Per record: its hash key as four big-endian words (a fresh array, handed on). */
  readonly keys: Uint32Array;
}

const dataStart = new Int32Array(MAX_RECORDS);
const dataEnd = new Int32Array(MAX_RECORDS);
const dataBytes = new Int32Array(MAX_RECORDS);
const pkStart = new Int32Array(MAX_RECORDS);
const pkEnd = new Int32Array(MAX_RECORDS);

/** Thrown inside the scan to give up; never escapes `scanPutRecords`. */
const BAIL: unique symbol = Symbol("bail");

/** A stand-in list for checking the other members with the shape's own validator. */
const ONE_RECORD = [{ Data: new Uint8Array(0), PartitionKey: "k" }];

const NAMES = ["StreamName", "StreamARN", "StreamId", "Records", "Data", "PartitionKey"].map((n) => Buffer.from(n, "latin1"));
const STREAM_NAME = 0;
const STREAM_ARN = 1;
const STREAM_ID = 2;
const RECORDS = 3;
const DATA = 4;
const PARTITION_KEY = 5;

class Scanner {
  pos = 0;
  /** Whether the last string `plain` consumed was all ASCII. */
  ascii = true;
  /** Next '-' and '_' at or after the last blob looked at (raw.length: none): base64url digits Node's decoder takes. */
  #dash = -1;
  #underscore = -1;

  constructor(readonly raw: RawBuffer) {}

  ws(): void {
    const raw = this.raw;
    let p = this.pos;
    for (;;) {
      const c = raw[p];
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      p++;
    }
    this.pos = p;
  }

  expect(byte: number): void {
    if (this.raw[this.pos] !== byte) throw BAIL;
    this.pos++;
  }

  /** A member name among `NAMES[from..to)` (its index), after which the ':' is consumed. */
  key(from: number, to: number): number {
    const raw = this.raw;
    const start = this.plain();
    const p = this.pos - 1;
    const len = p - start;
    let found = -1;
    outer: for (let i = from; i < to; i++) {
      const name = NAMES[i]!;
      if (name.length !== len) continue;
      for (let j = 0; j < len; j++) if (name[j] !== raw[start + j]) continue outer;
      found = i;
      break;
    }
    if (found < 0) throw BAIL;
    this.ws();
    this.expect(0x3a); // :
    this.ws();
    return found;
  }

  /**
   * Consumes a string without escapes or control characters (anything else bails), leaving `pos`
   * after its closing quote; returns where its text starts (it ends at `pos - 1`).
   */
  plain(): number {
    const raw = this.raw;
    this.expect(QUOTE);
    const start = this.pos;
    let p = start;
    let ascii = true;
    for (;;) {
      const c = raw[p];
      if (c === QUOTE) break;
      if (c === undefined || c === BACKSLASH || c < 0x20) throw BAIL;
      if (c >= 0x80) ascii = false;
      p++;
    }
    this.pos = p + 1;
    this.ascii = ascii;
    return start;
  }

  /** A string without escapes or control characters, decoded as the whole body would be (UTF-8). */
  string(): string {
    const start = this.plain();
    const end = this.pos - 1;
    return this.ascii ? this.raw.latin1Slice(start, end) : this.raw.utf8Slice(start, end);
  }

  /** Record `i`'s partition key: 1-256 printable ASCII characters, no escapes. */
  partitionKey(i: number): void {
    const raw = this.raw;
    this.expect(QUOTE);
    const start = this.pos;
    let p = start;
    for (;;) {
      const c = raw[p];
      if (c === QUOTE) break;
      // Printable ASCII only (the bytes are then the UTF-8 of the key the general path would read).
      if (c === undefined || c < 0x20 || c > 0x7e || c === BACKSLASH) throw BAIL;
      p++;
    }
    const len = p - start;
    if (len < 1 || len > MAX_PARTITION_KEY) throw BAIL;
    pkStart[i] = start;
    pkEnd[i] = p;
    this.pos = p + 1;
  }

  /**
   * Record `i`'s data: canonical base64 only, by the same checks as the general fast reader's
   * (parse-json-fast.ts): a length of 4k, padding whose spare bits are 0, no '-' or '_'. The
   * decoder, which skips other characters outside the alphabet, must then give exactly
   * 3k - padding bytes (checked when the job decodes).
   */
  data(i: number): void {
    const raw = this.raw;
    this.expect(QUOTE);
    const start = this.pos;
    const end = raw.indexOf(QUOTE, start);
    if (end === -1) throw BAIL;
    const len = end - start;
    if (len % 4 !== 0) throw BAIL;
    const pad = raw[end - 1] === EQUALS ? (raw[end - 2] === EQUALS ? 2 : 1) : 0;
    if (pad !== 0 && (BASE64_VALUE[raw[end - 1 - pad]!]! & (pad === 1 ? 0x03 : 0x0f)) !== 0) throw BAIL;
    if (this.#dash < start) this.#dash = this.#next(0x2d, start);
    if (this.#underscore < start) this.#underscore = this.#next(0x5f, start);
    if (this.#dash < end || this.#underscore < end) throw BAIL;
    const bytes = (len / 4) * 3 - pad;
    if (bytes > MAX_DATA_BYTES) throw BAIL;
    dataStart[i] = start;
    dataEnd[i] = end;
    dataBytes[i] = bytes;
    this.pos = end + 1;
  }

  #next(byte: number, from: number): number {
    const at = this.raw.indexOf(byte, from);
    return at < 0 ? this.raw.length : at;
  }

  /** Record `i`: an object of exactly Data and PartitionKey, in either order. */
  record(i: number): void {
    this.expect(0x7b); // {
    this.ws();
    let seen = 0;
    for (;;) {
      const k = this.key(DATA, PARTITION_KEY + 1);
      const bit = k === DATA ? 1 : 2;
      if ((seen & bit) !== 0) throw BAIL;
      seen |= bit;
      if (k === DATA) this.data(i);
      else this.partitionKey(i);
      this.ws();
      const c = this.raw[this.pos++];
      if (c === 0x7d) break;
      if (c !== 0x2c) throw BAIL;
      this.ws();
    }
    if (seen !== 3) throw BAIL;
  }

  /** The Records list: 1 to 500 records. */
  records(): number {
    this.expect(0x5b); // [
    this.ws();
    let n = 0;
    for (;;) {
      if (n === MAX_RECORDS) throw BAIL;
      this.record(n++);
      this.ws();
      const c = this.raw[this.pos++];
      if (c === 0x5d) return n;
      if (c !== 0x2c) throw BAIL;
      this.ws();
    }
  }
}

/**
 * Where the records of a PutRecords body in the plain shape lie, with their hash keys; undefined
 * for any other body (the general reader decides) or one the shape's constraints refuse.
 */
export function scanPutRecords(raw: Buffer): ScannedRecords | undefined {
  const s = new Scanner(raw as RawBuffer);
  const strings: (string | undefined)[] = [undefined, undefined, undefined];
  let count = -1;
  try {
    s.ws();
    s.expect(0x7b); // {
    s.ws();
    for (;;) {
      const k = s.key(STREAM_NAME, RECORDS + 1);
      if (k === RECORDS) {
        if (count >= 0) throw BAIL;
        count = s.records();
      } else {
        if (strings[k] !== undefined) throw BAIL;
        strings[k] = s.string();
      }
      s.ws();
      const c = raw[s.pos++];
      if (c === 0x7d) break;
      if (c !== 0x2c) throw BAIL;
      s.ws();
    }
    s.ws();
    if (s.pos !== raw.length || count < 1) return undefined;
  } catch (err) {
    if (err === BAIL) return undefined;
    throw err;
  }
  const [StreamName, StreamARN, StreamId] = strings;
  // The other members, checked by the shape's own validator (each member is checked on its own).
  const others: Record<string, unknown> = { Records: ONE_RECORD };
  if (StreamName !== undefined) others["StreamName"] = StreamName;
  if (StreamARN !== undefined) others["StreamARN"] = StreamARN;
  if (StreamId !== undefined) others["StreamId"] = StreamId;
  if (findViolations(others, "PutRecordsInput").length > 0) return undefined;
  const keys = new Uint32Array(count * 4);
  for (let i = 0; i < count; i++) partitionKeyBytesHashWords(raw, pkStart[i]!, pkEnd[i]!, keys, i * 4);
  return { StreamName, StreamARN, StreamId, count, dataStart, dataEnd, dataBytes, pkStart, pkEnd, keys };
}
