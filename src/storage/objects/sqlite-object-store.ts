import { openDatabase, type SqliteDatabase } from "../sqlite/database.js";
import { GroupCommit } from "../sqlite/group-commit.js";
import { keyBytes, prefixSuccessor } from "./key-bytes.js";
import { changeStamp, listObjectsPage, listVersionsPage, scanObjectsPage, type RowSource } from "./sqlite-listing.js";
import { decodeRow, encodeListKind, encodeMeta, listKindOfRow, type ObjectRow } from "./sqlite-rows.js";
import { createSqliteUploads } from "./sqlite-uploads.js";
import { LatestVersionCache } from "./version-cache.js";
import {
  BucketExistsError,
  BucketNotEmptyError,
  NoSuchBucketError,
  type BucketRecord,
  type DataRef,
  type ObjectStore,
  type ObjectVersion,
  type Precondition,
  type StoredVersion,
  type VersioningState,
} from "./object-store.js";

// The latest versions, holding every column a listing shows, so that a listing reads the index
// alone: without it each listed key was a seek into the table as well (1,000-key page ~0.54 ->
// ~0.34 ms of statement time; PutObject ~+4 us CPU for the wider entry).
const LATEST_INDEX_COLUMNS = "bucket, key, is_delete_marker, last_modified, etag, list_kind, size";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS buckets (
  name TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  region TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  versioning TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS objects (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  bucket TEXT NOT NULL,
  key BLOB NOT NULL,
  version_id TEXT NOT NULL,
  is_latest INTEGER NOT NULL,
  is_delete_marker INTEGER NOT NULL,
  size INTEGER NOT NULL,
  etag TEXT NOT NULL,
  last_modified INTEGER NOT NULL,
  storage_class TEXT NOT NULL,
  owner TEXT NOT NULL,
  meta TEXT NOT NULL,
  blob_id TEXT,
  inline_data BLOB,
  list_kind TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE TABLE IF NOT EXISTS bucket_configs (
  bucket TEXT NOT NULL,
  kind TEXT NOT NULL,
  document TEXT NOT NULL,
  PRIMARY KEY (bucket, kind)
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS objects_version ON objects(bucket, key, version_id);
CREATE INDEX IF NOT EXISTS objects_history ON objects(bucket, key, id DESC);
CREATE INDEX IF NOT EXISTS objects_latest ON objects(${LATEST_INDEX_COLUMNS}) WHERE is_latest = 1;
CREATE INDEX IF NOT EXISTS objects_blob ON objects(blob_id) WHERE blob_id IS NOT NULL;
`;

// Every column but the inline bytes: listings never touch object data.
const COLS = "id, key, version_id, is_latest, is_delete_marker, size, etag, last_modified, storage_class, owner, meta, blob_id";

interface SameVersionRow {
  id: number;
  blob_id: string | null;
  is_delete_marker: number;
  has_inline: number;
}

interface BucketRow {
  name: string;
  owner: string;
  region: string;
  created_at: number;
  versioning: string;
}
const toBucket = (r: BucketRow): BucketRecord => ({
  name: r.name,
  ownerAccountId: r.owner,
  region: r.region,
  createdAt: r.created_at,
  versioning: r.versioning as VersioningState,
});

/**
 * Brings a database written by an older version up to SCHEMA, in one transaction at open:
 * objects.list_kind (what a listing shows besides key, time, ETag and size) is added and filled
 * from the columns and meta JSON it is derived from (and a trigger keeps it so), and an objects_latest index of (bucket, key)
 * alone is built again with the listed columns (about 1.5 s per million objects, once).
 */
export function migrateObjectsSchema(db: SqliteDatabase): void {
  db.transaction(() => {
    const cols = db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('objects')").all();
    if (!cols.some((c) => c.name === "list_kind")) {
      db.exec(`ALTER TABLE objects ADD COLUMN list_kind TEXT NOT NULL DEFAULT ''; UPDATE objects SET list_kind = ${listKindOfRow()};`);
    }
    // list_kind is written with each row; a later in-place change of a column it derives from
    // (a storage-class transition, metadata rewritten) brings it along, so no listing shows a stale one.
    db.exec(
      `CREATE TRIGGER IF NOT EXISTS objects_list_kind AFTER UPDATE OF storage_class, owner, meta ON objects
       WHEN NEW.list_kind IS NOT (${listKindOfRow("NEW.")})
       BEGIN UPDATE objects SET list_kind = ${listKindOfRow("NEW.")} WHERE id = NEW.id; END`,
    );
    const indexed = db.prepare<[], { name: string | null }>("SELECT name FROM pragma_index_info('objects_latest') ORDER BY seqno").all();
    if (indexed.map((c) => c.name).join(", ") !== LATEST_INDEX_COLUMNS) {
      db.exec(`DROP INDEX IF EXISTS objects_latest; CREATE INDEX objects_latest ON objects(${LATEST_INDEX_COLUMNS}) WHERE is_latest = 1;`);
    }
  }).immediate();
}

/** The embedded ObjectStore: SQLite in WAL mode with group commit. */
export function createSqliteObjectStore(path: string): ObjectStore {
  const db = openDatabase(path);
  db.exec(SCHEMA);
  migrateObjectsSchema(db);
  const gc = new GroupCommit(db, path);

  const q = {
    bucketGet: db.prepare<[string], BucketRow>("SELECT * FROM buckets WHERE name = ?"),
    bucketInsert: db.prepare("INSERT INTO buckets VALUES (?, ?, ?, ?, ?)"),
    bucketDelete: db.prepare("DELETE FROM buckets WHERE name = ?"),
    configsDelete: db.prepare("DELETE FROM bucket_configs WHERE bucket = ?"),
    configGet: db.prepare<[string, string], { document: string }>("SELECT document FROM bucket_configs WHERE bucket = ? AND kind = ?"),
    configPut: db.prepare(
      "INSERT INTO bucket_configs VALUES (?, ?, ?) ON CONFLICT(bucket, kind) DO UPDATE SET document = excluded.document",
    ),
    configDelete: db.prepare("DELETE FROM bucket_configs WHERE bucket = ? AND kind = ?"),
    bucketList: db.prepare<[string, string, string, number], BucketRow>(
      "SELECT * FROM buckets WHERE owner = ? AND name > ? AND name >= ? ORDER BY name LIMIT ?",
    ),
    bucketVersioning: db.prepare("UPDATE buckets SET versioning = ? WHERE name = ?"),
    bucketHasObjects: db.prepare<[string], { one: number }>("SELECT 1 AS one FROM objects WHERE bucket = ? LIMIT 1"),
    latest: db.prepare<[string, Buffer], ObjectRow>(`SELECT ${COLS}, inline_data FROM objects WHERE bucket = ? AND key = ? AND is_latest = 1`),
    version: db.prepare<[string, Buffer, string], ObjectRow>(
      `SELECT ${COLS}, inline_data FROM objects WHERE bucket = ? AND key = ? AND version_id = ?`,
    ),
    // What replacing a version needs of its row: not its inline bytes (an overflow page read and a
    // 4 KiB copy; ~15 -> ~5.5 us per overwrite of a 4 KiB object).
    sameVersion: db.prepare<[string, Buffer, string], SameVersionRow>(
      "SELECT id, blob_id, is_delete_marker, inline_data IS NOT NULL AS has_inline FROM objects WHERE bucket = ? AND key = ? AND version_id = ?",
    ),
    keyHasRows: db.prepare<[string, Buffer], { one: number }>("SELECT 1 AS one FROM objects WHERE bucket = ? AND key = ? LIMIT 1"),
    unsetLatest: db.prepare("UPDATE objects SET is_latest = 0 WHERE bucket = ? AND key = ? AND is_latest = 1"),
    newestRemaining: db.prepare<[string, Buffer], { id: number }>(
      "SELECT id FROM objects WHERE bucket = ? AND key = ? ORDER BY id DESC LIMIT 1",
    ),
    setLatestById: db.prepare("UPDATE objects SET is_latest = 1 WHERE id = ?"),
    deleteById: db.prepare("DELETE FROM objects WHERE id = ?"),
    insert: db.prepare(
      `INSERT INTO objects (bucket, key, version_id, is_latest, is_delete_marker, size, etag, last_modified, storage_class, owner, meta, blob_id, inline_data, list_kind)
       VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    setMeta: db.prepare("UPDATE objects SET meta = ? WHERE id = ?"),
    blobRef: db.prepare<[string], { one: number }>("SELECT 1 AS one FROM objects WHERE blob_id = ? LIMIT 1"),
  };

  const rows: RowSource = {
    db,
    cols: COLS,
    decode: (bucket, row) => decodeRow(bucket, row),
  };

  // Bucket rows change only through this store; every request reads one, and that read was ~9%
  // of a 4 KiB GET. Rows are cached only when read outside a transaction (so a rolled-back write
  // is never cached), and every write to a bucket row drops its entry.
  const bucketCache = new Map<string, BucketRow>();
  const readBucket = (name: string): BucketRow | undefined => {
    const cached = bucketCache.get(name);
    if (cached !== undefined) return cached;
    const row = q.bucketGet.get(name);
    if (row !== undefined && !db.inTransaction) bucketCache.set(name, row);
    return row;
  };
  const requireBucket = (name: string): BucketRow => {
    const b = readBucket(name);
    if (b === undefined) throw new NoSuchBucketError(name);
    return b;
  };
  // The latest version of keys read recently (small-object GETs): dropped before every write to a
  // key (writeVersion, deleteVersion, setTags are the only writers of object rows and their parts).
  const latestCache = new LatestVersionCache(8192, 16 * 1024 * 1024);
  // A multipart object's row has neither a blob nor inline bytes: its data is its object_parts rows.
  const isMultipart = (row: ObjectRow): boolean =>
    row.blob_id === null && row.is_delete_marker === 0 && (row.inline_data === null || row.inline_data === undefined);
  const partsOfId = (id: number): DataRef | undefined => {
    const parts = uploads.objectParts(id);
    return parts.length === 0 ? undefined : { kind: "parts", parts };
  };
  const partsOf = (row: ObjectRow): DataRef | undefined => (isMultipart(row) ? partsOfId(row.id) : undefined);
  const decodeFull = (bucket: string, row: ObjectRow): StoredVersion => {
    const v = decodeRow(bucket, row);
    const parts = partsOf(row);
    return parts === undefined ? v : { ...v, data: parts };
  };
  const dataOf = (row: ObjectRow): DataRef =>
    row.blob_id !== null
      ? { kind: "blob", blobId: row.blob_id }
      : row.inline_data !== null && row.inline_data !== undefined
        ? { kind: "inline", bytes: row.inline_data }
        : (partsOf(row) ?? { kind: "none" });
  /** Deletes a version row (and its parts); returns the data it held. */
  const dropRow = (row: ObjectRow): DataRef => {
    const data = dataOf(row);
    q.deleteById.run(row.id);
    uploads.deleteObjectParts(row.id);
    return data;
  };
  /** putVersion's work, inside a commit; completeUpload writes its version through it too. */
  const writeVersion = (v: ObjectVersion, precondition: Precondition | undefined): { released: DataRef[] } => {
    latestCache.drop(v.bucket, v.key);
    requireBucket(v.bucket);
    const k = keyBytes(v.key);
    let exists: boolean | undefined;
    if (precondition !== undefined) {
      const cur = q.latest.get(v.bucket, k);
      precondition(cur === undefined ? undefined : decodeFull(v.bucket, cur));
      if (cur !== undefined) exists = true;
    }
    const released: DataRef[] = [];
    // A new key (most PUTs) has no row to replace or to unmark as latest: one index probe
    // instead of the version lookup and the UPDATE (~5.5 -> ~1 us per write).
    if (exists ?? q.keyHasRows.get(v.bucket, k) !== undefined) {
      const same = q.sameVersion.get(v.bucket, k, v.versionId);
      if (same !== undefined) {
        // Inline bytes go with the row: only a blob or parts are left for the caller to free.
        const data: DataRef | undefined =
          same.blob_id !== null
            ? { kind: "blob", blobId: same.blob_id }
            : same.has_inline === 1 || same.is_delete_marker === 1
              ? undefined
              : partsOfId(same.id);
        q.deleteById.run(same.id);
        uploads.deleteObjectParts(same.id);
        if (data !== undefined) released.push(data);
      }
      q.unsetLatest.run(v.bucket, k);
    }
    const { lastInsertRowid } = q.insert.run(
      v.bucket,
      k,
      v.versionId,
      v.isDeleteMarker ? 1 : 0,
      v.size,
      v.etag,
      v.lastModified,
      v.storageClass,
      v.ownerAccountId,
      encodeMeta(v),
      v.data.kind === "blob" ? v.data.blobId : null,
      v.data.kind === "inline" ? Buffer.from(v.data.bytes.buffer, v.data.bytes.byteOffset, v.data.bytes.byteLength) : null,
      encodeListKind(v),
    );
    if (v.data.kind === "parts") uploads.insertObjectParts(Number(lastInsertRowid), v.data.parts);
    return { released };
  };
  const uploads = createSqliteUploads(db, gc, { requireBucket, writeVersion });

  return {
    createBucket(bucket) {
      return gc.run(() => {
        const existing = q.bucketGet.get(bucket.name);
        if (existing !== undefined) throw new BucketExistsError(existing.owner);
        bucketCache.delete(bucket.name);
        q.bucketInsert.run(bucket.name, bucket.ownerAccountId, bucket.region, bucket.createdAt, bucket.versioning);
      });
    },
    getBucket(name) {
      const r = readBucket(name);
      return r === undefined ? undefined : toBucket(r);
    },
    deleteBucket(name) {
      return gc.run(() => {
        requireBucket(name);
        if (q.bucketHasObjects.get(name) !== undefined) throw new BucketNotEmptyError(name);
        // Incomplete uploads do not keep a general purpose bucket alive (S3 deletes it regardless).
        const released = uploads.dropBucketUploads(name);
        q.configsDelete.run(name);
        bucketCache.delete(name);
        q.bucketDelete.run(name);
        return { released };
      });
    },
    listBuckets(owner, prefix, after, limit) {
      return q.bucketList.all(owner, after ?? "", prefix, limit).filter((b) => b.name.startsWith(prefix)).map(toBucket);
    },
    setVersioning(name, state) {
      return gc.run(() => {
        requireBucket(name);
        bucketCache.delete(name);
        q.bucketVersioning.run(state, name);
      });
    },
    getBucketConfig(name, kind) {
      return q.configGet.get(name, kind)?.document;
    },
    putBucketConfig(name, kind, document) {
      return gc.run(() => {
        requireBucket(name);
        if (document === undefined) q.configDelete.run(name, kind);
        else q.configPut.run(name, kind, document);
      });
    },

    getVersion(bucket, key, versionId) {
      if (versionId !== undefined) {
        const row = q.version.get(bucket, keyBytes(key), versionId);
        return row === undefined ? undefined : decodeFull(bucket, row);
      }
      const cached = latestCache.get(bucket, key);
      if (cached !== undefined) return cached;
      const row = q.latest.get(bucket, keyBytes(key));
      if (row === undefined) return undefined;
      const v = decodeFull(bucket, row);
      // Only what is committed is cached: a read inside a transaction may yet be rolled back.
      return db.inTransaction ? v : latestCache.set(v);
    },
    putVersion(v: ObjectVersion, precondition) {
      return gc.run(() => writeVersion(v, precondition));
    },
    deleteVersion(bucket, key, versionId, precondition) {
      return gc.run(() => {
        latestCache.drop(bucket, key);
        requireBucket(bucket);
        const k = keyBytes(key);
        const row = q.version.get(bucket, k, versionId);
        if (row === undefined) return undefined;
        const cur = q.latest.get(bucket, k);
        precondition?.(cur === undefined ? undefined : decodeFull(bucket, cur));
        const removed = decodeFull(bucket, row);
        const data = dropRow(row);
        if (row.is_latest === 1) {
          const next = q.newestRemaining.get(bucket, k);
          if (next !== undefined) q.setLatestById.run(next.id);
        }
        return { released: [data], removed };
      });
    },
    setTags(bucket, key, versionId, tags) {
      return gc.run(() => {
        latestCache.drop(bucket, key);
        const row = q.version.get(bucket, keyBytes(key), versionId);
        if (row === undefined) return false;
        const v = decodeRow(bucket, row);
        q.setMeta.run(encodeMeta({ ...v, tags }), row.id);
        return true;
      });
    },

    listObjects: (bucket, query) => listObjectsPage(rows, bucket, query),
    scanObjects: (bucket, query, visit) => scanObjectsPage(rows, bucket, query, visit),
    changeStamp: () => changeStamp(rows),
    listVersions: (bucket, query) => listVersionsPage(rows, bucket, query),
    isBlobReferenced: (blobId) => q.blobRef.get(blobId) !== undefined || uploads.isBlobReferenced(blobId),
    createUpload: uploads.createUpload,
    getUpload: uploads.getUpload,
    putPart: uploads.putPart,
    listParts: uploads.listParts,
    listUploads: uploads.listUploads,
    completeUpload: uploads.completeUpload,
    getCompletedUpload: uploads.getCompletedUpload,
    abortUpload: uploads.abortUpload,
    async close() {
      await gc.close();
      db.close();
    },
  } satisfies ObjectStore & Record<string, unknown>;
}

export type { StoredVersion };
export { prefixSuccessor };
