import type { SqliteDatabase } from "../sqlite/database.js";
import { commonPrefix, keyBytes, prefixSuccessor, startsWith } from "./key-bytes.js";
import type {
  ListedObject,
  ListedObjectVisitor,
  ListObjectsPage,
  ListObjectsQuery,
  ListVersionsPage,
  ListVersionsQuery,
  ScannedPage,
  StoredVersion,
} from "./object-store.js";
import { decodeListKind, type ListKind, type ObjectRow } from "./sqlite-rows.js";

/** What the listing code needs from the store. */
export interface RowSource {
  readonly db: SqliteDatabase;
  readonly cols: string;
  decode(bucket: string, row: ObjectRow): StoredVersion;
}

const statements = new WeakMap<SqliteDatabase, ReturnType<typeof prepare>>();

/**
 * A latest version as the listing statement returns it, in raw (array) mode: only what a listing
 * shows, the key already as text (keys are stored as their UTF-8), and the storage class, owner
 * and checksum kind as the one list_kind column, as every value handed to JS costs about as much
 * as the row's SQLite work, and these repeat from key to key.
 */
type ListedRow = [key: string, lastModified: number, etag: string, size: number, kind: string];

const LISTED_COLS = "CAST(key AS TEXT), last_modified, etag, size, list_kind";

/** Stored keys are valid UTF-8 and never start with 0xFF: the upper bound of a listing without a prefix. */
const PAST_EVERY_KEY = Buffer.of(0xff);
const NO_DELIMITER = Buffer.alloc(0);

// A page read as one text value: each row's key, Last-Modified, ETag, list_kind and size joined by
// RS (U+001E, written into the statement as a literal: concat_ws with one literal separator is
// ~5% quicker than concat with a char(30) call between every two fields), the rows joined by RS
// as well, and the row count. One string handed to JS instead of
// five values per row: better-sqlite3 builds each value on its own, which cost more than SQLite's
// own work (a 1,000-key page: ~0.95 -> ~0.5 ms of statement time). The subquery runs as a
// co-routine in key order and group_concat takes its rows in that order (an ORDER BY inside
// group_concat would sort the page again, +0.4 ms; the listing tests compare every page with the
// row statement's, so a SQLite that did otherwise would be caught).
const PACKED_FIELDS = 5;
const RS = "\u001e";
type PackedPage = [text: string | null, rows: number];

function prepare(src: RowSource) {
  // Keys in [lower, upper): the prefix's range is bounded in SQL; delete markers never show.
  const latest = (op: ">" | ">=", limit: string) =>
    src.db
      .prepare<[string, Buffer, Buffer, ...number[]], ListedRow>(
        `SELECT ${LISTED_COLS} FROM objects INDEXED BY objects_latest
         WHERE bucket = ? AND key ${op} ? AND key < ? AND is_latest = 1 AND is_delete_marker = 0 ORDER BY key${limit}`,
      )
      .raw(true);
  const packed = (op: ">" | ">=") =>
    src.db
      .prepare<[string, Buffer, Buffer, number], PackedPage>(
        `SELECT group_concat(r, '${RS}'), count(*) FROM (
           SELECT concat_ws('${RS}', CAST(key AS TEXT), last_modified, etag, list_kind, size) AS r
           FROM objects INDEXED BY objects_latest
           WHERE bucket = ? AND key ${op} ? AND key < ? AND is_latest = 1 AND is_delete_marker = 0 ORDER BY key LIMIT ?)`,
      )
      .raw(true);
  const versions = (op: ">" | ">=") =>
    src.db.prepare<[string, Buffer], ObjectRow>(
      `SELECT ${src.cols} FROM objects INDEXED BY objects_history WHERE bucket = ? AND key ${op} ? ORDER BY key, id DESC`,
    );
  return {
    // Delimited listings step row by row (a common prefix ends the scan); others read a page at once.
    latestGT: latest(">", ""),
    latestOneGT: latest(">", " LIMIT 1"),
    latestOneGE: latest(">=", " LIMIT 1"),
    latestPageGT: latest(">", " LIMIT ?"),
    latestPageGE: latest(">=", " LIMIT ?"),
    packedGT: packed(">"),
    packedGE: packed(">="),
    versionsGT: versions(">"),
    versionsGE: versions(">="),
    versionsOfKeyBefore: src.db.prepare<[string, Buffer, number], ObjectRow>(
      `SELECT ${src.cols} FROM objects INDEXED BY objects_history WHERE bucket = ? AND key = ? AND id < ? ORDER BY id DESC`,
    ),
    // total_changes: rows this connection has inserted, updated or deleted since it opened (counted
    // as each statement runs, so also within a transaction later rolled back); data_version: moves
    // whenever another connection, in this process or another, commits.
    stamp: src.db.prepare<[], string>("SELECT total_changes() || ':' || data_version FROM pragma_data_version").pluck(true),
    idOfVersion: src.db.prepare<[string, Buffer, string], { id: number }>(
      "SELECT id FROM objects WHERE bucket = ? AND key = ? AND version_id = ?",
    ),
  };
}

function stmts(src: RowSource): ReturnType<typeof prepare> {
  let s = statements.get(src.db);
  if (s === undefined) {
    s = prepare(src);
    statements.set(src.db, s);
  }
  return s;
}

/** Where a listing starts: [lower bound, inclusive?], or undefined when nothing can follow. */
function startBound(prefix: Buffer, delim: Buffer, after: string | undefined): [Buffer, boolean] | undefined {
  if (after === undefined || keyBytes(after).compare(prefix) < 0) return [prefix, true];
  const a = keyBytes(after);
  // A marker inside a common prefix means that prefix was already returned: skip all of it.
  const cp = commonPrefix(a, prefix, delim);
  if (cp === undefined) return [a, false];
  const next = prefixSuccessor(cp);
  return next === undefined ? undefined : [next, true];
}

/** The storage class, owner and checksum of a list_kind, decoded once per distinct value on a page. */
class Kinds {
  #last: string | undefined;
  #decoded: ListKind | undefined;

  decode(kind: string): ListKind {
    if (kind === this.#last && this.#decoded !== undefined) return this.#decoded;
    this.#last = kind;
    this.#decoded = decodeListKind(kind);
    return this.#decoded;
  }
}

function listed(r: ListedRow, kinds: Kinds): ListedObject {
  const k = kinds.decode(r[4]);
  return { key: r[0], lastModified: r[1], etag: r[2], size: r[3], storageClass: k.storageClass, ownerAccountId: k.ownerAccountId, checksum: k.checksum };
}

/**
 * The rows from `lower` on for a delimited listing: the first with one get() (most often it rolls
 * up into a common prefix and the listing seeks again), the rest stepped through with an iterator
 * only when the listing asks for them.
 */
function* seekThenStep(s: ReturnType<typeof prepare>, bucket: string, lower: Buffer, inclusive: boolean, upper: Buffer): Generator<ListedRow> {
  const first = (inclusive ? s.latestOneGE : s.latestOneGT).get(bucket, lower, upper);
  if (first === undefined) return;
  yield first;
  yield* s.latestGT.iterate(bucket, keyBytes(first[0]), upper);
}

/**
 * ListObjects over the latest versions. A common prefix is skipped with one index seek to the
 * first key past it, so a delimited listing costs about one seek per prefix, not one row per key.
 */
export function listObjectsPage(src: RowSource, bucket: string, query: ListObjectsQuery): ListObjectsPage {
  const s = stmts(src);
  const prefix = keyBytes(query.prefix);
  const delim = keyBytes(query.delimiter);
  const upper = prefixSuccessor(prefix) ?? PAST_EVERY_KEY;
  // Rolled up as text: every listed key starts with the prefix's bytes, and a delimiter's UTF-8
  // matches a valid UTF-8 key only at character boundaries, so string and byte searches agree
  // (both sides round-tripped through UTF-8, as stored keys are).
  const prefixLength = prefix.toString("utf8").length;
  const delimiter = delim.toString("utf8");
  const entries: Array<{ object: ListedObject } | { prefix: string }> = [];
  const kinds = new Kinds();
  let bound = startBound(prefix, delim, query.after);
  let truncated = false;
  let resumeAfter: string | undefined;
  outer: while (bound !== undefined) {
    const [lower, inclusive] = bound;
    bound = undefined;
    // One row more than the page holds tells whether it is truncated.
    const rows: Iterable<ListedRow> =
      delimiter === ""
        ? (inclusive ? s.latestPageGE : s.latestPageGT).all(bucket, lower, upper, query.maxKeys - entries.length + 1)
        : seekThenStep(s, bucket, lower, inclusive, upper);
    for (const row of rows) {
      if (entries.length >= query.maxKeys) {
        truncated = true;
        break outer;
      }
      const key = row[0];
      const at = delimiter === "" ? -1 : key.indexOf(delimiter, prefixLength);
      if (at !== -1) {
        const p = key.slice(0, at + delimiter.length);
        entries.push({ prefix: p });
        resumeAfter = p;
        const next = prefixSuccessor(keyBytes(p));
        if (next !== undefined) bound = [next, true];
        continue outer;
      }
      entries.push({ object: listed(row, kinds) });
      resumeAfter = key;
    }
  }
  return { entries, isTruncated: truncated, resumeAfter: truncated ? resumeAfter : undefined };
}

/**
 * ListObjects without a delimiter, each object handed to `visit`: the page is read as one packed
 * text (see PACKED_FIELDS), split and decoded here, with no object built per key.
 */
export function scanObjectsPage(src: RowSource, bucket: string, query: Omit<ListObjectsQuery, "delimiter">, visit: ListedObjectVisitor): ScannedPage {
  const s = stmts(src);
  const prefix = keyBytes(query.prefix);
  const upper = prefixSuccessor(prefix) ?? PAST_EVERY_KEY;
  const bound = startBound(prefix, NO_DELIMITER, query.after);
  if (bound === undefined) return { count: 0, isTruncated: false, resumeAfter: undefined };
  const [lower, inclusive] = bound;
  const max = query.maxKeys;
  // One row more than the page holds tells whether it is truncated.
  const [text, rows] = (inclusive ? s.packedGE : s.packedGT).get(bucket, lower, upper, max + 1) ?? [null, 0];
  const parts = text === null ? [] : text.split(RS);
  // A key holding RS itself splits into more parts than its row has fields: read such a page row by row.
  if (parts.length !== rows * PACKED_FIELDS) return visitRows((inclusive ? s.latestPageGE : s.latestPageGT).all(bucket, lower, upper, max + 1), max, visit);
  const count = Math.min(rows, max);
  const kinds = new Kinds();
  for (let i = 0; i < count * PACKED_FIELDS; i += PACKED_FIELDS) {
    visit(parts[i]!, integerOf(parts[i + 1]!), parts[i + 2]!, Number(parts[i + 4]), kinds.decode(parts[i + 3]!));
  }
  const isTruncated = rows > max;
  return { count, isTruncated, resumeAfter: isTruncated && count > 0 ? parts[(count - 1) * PACKED_FIELDS] : undefined };
}

/**
 * The value of an INTEGER column's text: Number(text), with the common run of up to 15 digits read
 * digit by digit (Number() of a 13-digit Last-Modified goes through V8's general string-to-double
 * conversion: ~60 us of a 1,000-key page).
 */
function integerOf(text: string): number {
  const n = text.length;
  if (n === 0 || n > 15) return Number(text);
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return Number(text);
    v = v * 10 + d;
  }
  return v;
}

/** scanObjectsPage over rows read one value per column. */
function visitRows(rows: readonly ListedRow[], max: number, visit: ListedObjectVisitor): ScannedPage {
  const count = Math.min(rows.length, max);
  const kinds = new Kinds();
  for (let i = 0; i < count; i++) {
    const r = rows[i]!;
    visit(r[0], r[1], r[2], r[3], kinds.decode(r[4]));
  }
  const isTruncated = rows.length > max;
  return { count, isTruncated, resumeAfter: isTruncated && count > 0 ? rows[count - 1]![0] : undefined };
}

/** ObjectStore.changeStamp: differs after any row of the database was written, by this connection or any other. */
export function changeStamp(src: RowSource): string {
  return stmts(src).stamp.get()!;
}

/** ListObjectVersions: keys in byte order, each key's versions newest first, prefixes rolled up. */
export function listVersionsPage(src: RowSource, bucket: string, query: ListVersionsQuery): ListVersionsPage {
  const s = stmts(src);
  const prefix = keyBytes(query.prefix);
  const delim = keyBytes(query.delimiter);
  const entries: Array<{ version: StoredVersion } | { prefix: string }> = [];
  let truncated = false;
  let last: { key: string; versionId: string | undefined } | undefined;

  const take = (row: ObjectRow): "stop" | "ok" => {
    if (entries.length >= query.maxKeys) {
      truncated = true;
      return "stop";
    }
    const version = src.decode(bucket, row);
    entries.push({ version });
    last = { key: version.key, versionId: version.versionId };
    return "ok";
  };

  let bound = startBound(prefix, delim, query.keyMarker);
  // Continue inside the marker key: its versions older than the version-id marker come first.
  if (query.keyMarker !== undefined && query.versionIdMarker !== undefined && bound !== undefined && !bound[1]) {
    const k = keyBytes(query.keyMarker);
    // A marker past the prefix's range names a key this listing must not show.
    const marker = startsWith(k, prefix) ? s.idOfVersion.get(bucket, k, query.versionIdMarker) : undefined;
    if (marker !== undefined) {
      for (const row of s.versionsOfKeyBefore.iterate(bucket, k, marker.id)) {
        if (take(row) === "stop") break;
      }
    }
  }
  outer: while (bound !== undefined && !truncated) {
    const [lower, inclusive] = bound;
    bound = undefined;
    for (const row of (inclusive ? s.versionsGE : s.versionsGT).iterate(bucket, lower)) {
      if (!startsWith(row.key, prefix)) break outer;
      const cp = commonPrefix(row.key, prefix, delim);
      if (cp !== undefined) {
        if (entries.length >= query.maxKeys) {
          truncated = true;
          break outer;
        }
        const p = cp.toString("utf8");
        entries.push({ prefix: p });
        last = { key: p, versionId: undefined };
        const next = prefixSuccessor(cp);
        if (next !== undefined) bound = [next, true];
        continue outer;
      }
      if (take(row) === "stop") break outer;
    }
  }
  return {
    entries,
    isTruncated: truncated,
    nextKeyMarker: truncated ? last?.key : undefined,
    nextVersionIdMarker: truncated ? last?.versionId : undefined,
  };
}
