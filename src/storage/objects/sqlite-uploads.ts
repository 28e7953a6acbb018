import type { SqliteDatabase } from "../sqlite/database.js";
import type { GroupCommit } from "../sqlite/group-commit.js";
import { commonPrefix, keyBytes, prefixSuccessor, startsWith } from "./key-bytes.js";
import type { DataRef, ObjectVersion, PartRef, Precondition, StoredChecksum } from "./object-store.js";
import {
  NoSuchUploadError,
  PartChangedError,
  type CompletedUpload,
  type ListUploadsQuery,
  type PartRecord,
  type UploadRecord,
  type UploadStore,
  type UploadsPage,
} from "./upload-store.js";

// Uploads live beside the objects in the same database, so completing one is a single commit:
// the version row, its object_parts rows, and the removal of the upload and its leftover parts.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS uploads (
  upload_id TEXT PRIMARY KEY,
  bucket TEXT NOT NULL,
  key BLOB NOT NULL,
  initiated INTEGER NOT NULL,
  owner TEXT NOT NULL,
  storage_class TEXT NOT NULL,
  meta TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS uploads_by_key ON uploads(bucket, key, upload_id);
CREATE TABLE IF NOT EXISTS upload_parts (
  upload_id TEXT NOT NULL,
  part_number INTEGER NOT NULL,
  blob_id TEXT NOT NULL,
  size INTEGER NOT NULL,
  etag TEXT NOT NULL,
  last_modified INTEGER NOT NULL,
  checksum_algorithm TEXT,
  checksum TEXT,
  PRIMARY KEY (upload_id, part_number)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS upload_parts_blob ON upload_parts(blob_id);
CREATE TABLE IF NOT EXISTS object_parts (
  object_id INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  part_number INTEGER NOT NULL,
  blob_id TEXT NOT NULL,
  size INTEGER NOT NULL,
  etag TEXT NOT NULL,
  checksum TEXT,
  PRIMARY KEY (object_id, idx)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS object_parts_blob ON object_parts(blob_id);
CREATE TABLE IF NOT EXISTS completed_uploads (
  upload_id TEXT PRIMARY KEY,
  bucket TEXT NOT NULL,
  key BLOB NOT NULL,
  version_id TEXT NOT NULL,
  etag TEXT NOT NULL,
  checksum TEXT,
  parts_digest TEXT NOT NULL,
  completed_at INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS completed_uploads_age ON completed_uploads(completed_at);
`;

interface UploadRow {
  upload_id: string;
  bucket: string;
  key: Buffer;
  initiated: number;
  owner: string;
  storage_class: string;
  meta: string;
}
interface UploadMeta {
  h?: Record<string, string>;
  m?: Record<string, string>;
  t?: Array<[string, string]>;
  c?: UploadRecord["checksum"];
}
interface PartRow {
  part_number: number;
  blob_id: string;
  size: number;
  etag: string;
  last_modified: number;
  checksum_algorithm: string | null;
  checksum: string | null;
}
interface ObjectPartRow {
  part_number: number;
  blob_id: string;
  size: number;
  etag: string;
  checksum: string | null;
}
interface CompletedRow {
  upload_id: string;
  bucket: string;
  key: Buffer;
  version_id: string;
  etag: string;
  checksum: string | null;
  parts_digest: string;
  completed_at: number;
}

function encodeUploadMeta(u: UploadRecord): string {
  const m: UploadMeta = {};
  if (Object.keys(u.headers).length > 0) m.h = { ...u.headers };
  if (Object.keys(u.userMetadata).length > 0) m.m = { ...u.userMetadata };
  if (u.tags.length > 0) m.t = u.tags.map(([k, v]) => [k, v]);
  if (u.checksum !== undefined) m.c = u.checksum;
  return JSON.stringify(m);
}

function toUpload(r: UploadRow): UploadRecord {
  const m = JSON.parse(r.meta) as UploadMeta;
  return {
    bucket: r.bucket,
    key: r.key.toString("utf8"),
    uploadId: r.upload_id,
    initiated: r.initiated,
    ownerAccountId: r.owner,
    storageClass: r.storage_class,
    headers: m.h ?? {},
    userMetadata: m.m ?? {},
    tags: m.t ?? [],
    checksum: m.c,
  };
}

const toPart = (r: PartRow): PartRecord => ({
  partNumber: r.part_number,
  blobId: r.blob_id,
  size: r.size,
  etag: r.etag,
  lastModified: r.last_modified,
  checksum:
    r.checksum_algorithm !== null && r.checksum !== null
      ? { algorithm: r.checksum_algorithm as StoredChecksum["algorithm"], value: r.checksum }
      : undefined,
});

const blobRef = (blobId: string): DataRef => ({ kind: "blob", blobId });

/** What the uploads code needs from the object store it lives in. */
export interface UploadHost {
  /** Throws NoSuchBucketError when the bucket does not exist. */
  requireBucket(name: string): void;
  /** Writes a version inside the current commit (as putVersion does); returns what it displaced. */
  writeVersion(v: ObjectVersion, precondition: Precondition | undefined): { released: DataRef[] };
}

/** The upload store plus the hooks the object store calls for multipart objects. */
export interface SqliteUploads extends UploadStore {
  /** The parts of a completed multipart object row, in order (empty when it has none). */
  objectParts(objectId: number): PartRef[];
  /** Records the parts of a new object row (inside the caller's commit). */
  insertObjectParts(objectId: number, parts: readonly PartRef[]): void;
  /** Forgets the parts of a deleted object row (inside the caller's commit). */
  deleteObjectParts(objectId: number): void;
  /** Whether an incomplete upload or a multipart object uses the blob. */
  isBlobReferenced(blobId: string): boolean;
  /** Removes every upload (and completion record) of a bucket inside the caller's commit; returns the part blobs. */
  dropBucketUploads(bucket: string): DataRef[];
}

/** Multipart uploads in the object store's SQLite database, committed through its GroupCommit. */
export function createSqliteUploads(db: SqliteDatabase, gc: GroupCommit, host: UploadHost): SqliteUploads {
  db.exec(SCHEMA);
  const q = {
    uploadInsert: db.prepare("INSERT INTO uploads VALUES (?, ?, ?, ?, ?, ?, ?)"),
    uploadGet: db.prepare<[string, string, Buffer], UploadRow>("SELECT * FROM uploads WHERE upload_id = ? AND bucket = ? AND key = ?"),
    uploadDelete: db.prepare("DELETE FROM uploads WHERE upload_id = ?"),
    uploadsAfter: db.prepare<[string, Buffer, Buffer, string, number], UploadRow>(
      "SELECT * FROM uploads WHERE bucket = ? AND (key > ? OR (key = ? AND upload_id > ?)) ORDER BY key, upload_id LIMIT ?",
    ),
    uploadIdsOfBucket: db.prepare<[string], { upload_id: string }>("SELECT upload_id FROM uploads WHERE bucket = ?"),
    partGet: db.prepare<[string, number], PartRow>("SELECT * FROM upload_parts WHERE upload_id = ? AND part_number = ?"),
    partUpsert: db.prepare(
      `INSERT INTO upload_parts VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(upload_id, part_number) DO UPDATE SET
       blob_id = excluded.blob_id, size = excluded.size, etag = excluded.etag, last_modified = excluded.last_modified,
       checksum_algorithm = excluded.checksum_algorithm, checksum = excluded.checksum`,
    ),
    partsAfter: db.prepare<[string, number, number], PartRow>(
      "SELECT * FROM upload_parts WHERE upload_id = ? AND part_number > ? ORDER BY part_number LIMIT ?",
    ),
    partsAll: db.prepare<[string], PartRow>("SELECT * FROM upload_parts WHERE upload_id = ?"),
    partsDelete: db.prepare("DELETE FROM upload_parts WHERE upload_id = ?"),
    objectParts: db.prepare<[number], ObjectPartRow>("SELECT part_number, blob_id, size, etag, checksum FROM object_parts WHERE object_id = ? ORDER BY idx"),
    objectPartInsert: db.prepare("INSERT INTO object_parts VALUES (?, ?, ?, ?, ?, ?, ?)"),
    objectPartsDelete: db.prepare("DELETE FROM object_parts WHERE object_id = ?"),
    blobInUpload: db.prepare<[string], { one: number }>("SELECT 1 AS one FROM upload_parts WHERE blob_id = ? LIMIT 1"),
    blobInObject: db.prepare<[string], { one: number }>("SELECT 1 AS one FROM object_parts WHERE blob_id = ? LIMIT 1"),
    completedInsert: db.prepare("INSERT OR REPLACE INTO completed_uploads VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
    completedGet: db.prepare<[string, string, Buffer], CompletedRow>("SELECT * FROM completed_uploads WHERE upload_id = ? AND bucket = ? AND key = ?"),
    completedForget: db.prepare("DELETE FROM completed_uploads WHERE completed_at < ?"),
    completedOfBucketDelete: db.prepare("DELETE FROM completed_uploads WHERE bucket = ?"),
  };

  /** Removes an upload and all its parts; returns the part blobs. */
  const dropUpload = (uploadId: string): DataRef[] => {
    const released = q.partsAll.all(uploadId).map((p) => blobRef(p.blob_id));
    q.partsDelete.run(uploadId);
    q.uploadDelete.run(uploadId);
    return released;
  };

  const requireUpload = (bucket: string, key: string, uploadId: string): UploadRow => {
    const row = q.uploadGet.get(uploadId, bucket, keyBytes(key));
    if (row === undefined) throw new NoSuchUploadError(uploadId);
    return row;
  };

  function listUploads(bucket: string, query: ListUploadsQuery): UploadsPage {
    const prefix = keyBytes(query.prefix);
    const delim = keyBytes(query.delimiter);
    const want = Math.max(0, query.maxUploads);
    // The position to list after: (key, upload id) exclusive; upload id "" includes the key itself.
    let cursor: [Buffer, string] | undefined = [prefix, ""];
    if (query.keyMarker !== undefined && keyBytes(query.keyMarker).compare(prefix) >= 0) {
      const marker = keyBytes(query.keyMarker);
      const cp = commonPrefix(marker, prefix, delim);
      if (cp !== undefined) {
        // A marker inside a common prefix means that prefix was already returned.
        const next = prefixSuccessor(cp);
        cursor = next === undefined ? undefined : [next, ""];
      } else {
        // upload-id-marker is ignored without key-marker; with it, uploads of that key after it follow.
        cursor = [marker, query.uploadIdMarker ?? "\u{10FFFF}"];
      }
    }
    const entries: Array<{ upload: UploadRecord } | { prefix: string }> = [];
    const keys: Array<[string, string | undefined]> = [];
    outer: while (cursor !== undefined && entries.length <= want) {
      const rows = q.uploadsAfter.all(bucket, cursor[0], cursor[0], cursor[1], want + 1 - entries.length);
      if (rows.length === 0) break;
      for (const row of rows) {
        if (!startsWith(row.key, prefix)) {
          if (row.key.compare(prefix) > 0) break outer;
          continue;
        }
        const cp = commonPrefix(row.key, prefix, delim);
        if (cp !== undefined) {
          const text = cp.toString("utf8");
          entries.push({ prefix: text });
          keys.push([text, undefined]);
          const next = prefixSuccessor(cp);
          cursor = next === undefined ? undefined : [next, ""];
          continue outer;
        }
        entries.push({ upload: toUpload(row) });
        keys.push([row.key.toString("utf8"), row.upload_id]);
        if (entries.length > want) break outer;
        cursor = [row.key, row.upload_id];
      }
    }
    const isTruncated = entries.length > want;
    const shown = entries.slice(0, want);
    const last = keys[shown.length - 1];
    return { entries: shown, isTruncated, nextKeyMarker: last?.[0], nextUploadIdMarker: last?.[1] };
  }

  return {
    createUpload(u) {
      return gc.run(() => {
        host.requireBucket(u.bucket);
        q.uploadInsert.run(u.uploadId, u.bucket, keyBytes(u.key), u.initiated, u.ownerAccountId, u.storageClass, encodeUploadMeta(u));
      });
    },
    getUpload(bucket, key, uploadId) {
      const row = q.uploadGet.get(uploadId, bucket, keyBytes(key));
      return row === undefined ? undefined : toUpload(row);
    },
    putPart(bucket, key, uploadId, part) {
      return gc.run(() => {
        requireUpload(bucket, key, uploadId);
        const old = q.partGet.get(uploadId, part.partNumber);
        q.partUpsert.run(
          uploadId,
          part.partNumber,
          part.blobId,
          part.size,
          part.etag,
          part.lastModified,
          part.checksum?.algorithm ?? null,
          part.checksum?.value ?? null,
        );
        return { released: old === undefined || old.blob_id === part.blobId ? [] : [blobRef(old.blob_id)] };
      });
    },
    listParts(bucket, key, uploadId, afterPartNumber, limit) {
      if (q.uploadGet.get(uploadId, bucket, keyBytes(key)) === undefined) throw new NoSuchUploadError(uploadId);
      return q.partsAfter.all(uploadId, afterPartNumber, limit).map(toPart);
    },
    listUploads,
    completeUpload(req) {
      return gc.run(() => {
        const v = req.version;
        requireUpload(v.bucket, v.key, req.uploadId);
        if (v.data.kind !== "parts") throw new Error("a completed upload's data must be its parts");
        const used = new Set<string>();
        for (const p of v.data.parts) {
          const current = q.partGet.get(req.uploadId, p.partNumber);
          if (current === undefined || current.blob_id !== p.blobId) throw new PartChangedError(p.partNumber);
          used.add(p.blobId);
        }
        const { released } = host.writeVersion(v, req.precondition);
        released.push(...dropUpload(req.uploadId).filter((ref) => ref.kind === "blob" && !used.has(ref.blobId)));
        q.completedForget.run(req.forgetBefore);
        q.completedInsert.run(
          req.uploadId,
          v.bucket,
          keyBytes(v.key),
          v.versionId,
          v.etag,
          v.checksum === undefined ? null : JSON.stringify(v.checksum),
          req.partsDigest,
          v.lastModified,
        );
        return { released };
      });
    },
    getCompletedUpload(bucket, key, uploadId) {
      const r = q.completedGet.get(uploadId, bucket, keyBytes(key));
      if (r === undefined) return undefined;
      const done: CompletedUpload = {
        bucket: r.bucket,
        key: r.key.toString("utf8"),
        uploadId: r.upload_id,
        versionId: r.version_id,
        etag: r.etag,
        checksum: r.checksum === null ? undefined : (JSON.parse(r.checksum) as StoredChecksum),
        partsDigest: r.parts_digest,
        completedAt: r.completed_at,
      };
      return done;
    },
    abortUpload(bucket, key, uploadId) {
      return gc.run(() => {
        requireUpload(bucket, key, uploadId);
        return { released: dropUpload(uploadId) };
      });
    },

    objectParts(objectId) {
      return q.objectParts.all(objectId).map((r) => ({
        partNumber: r.part_number,
        blobId: r.blob_id,
        size: r.size,
        etag: r.etag,
        checksum: r.checksum ?? undefined,
      }));
    },
    insertObjectParts(objectId, parts) {
      parts.forEach((p, i) => q.objectPartInsert.run(objectId, i, p.partNumber, p.blobId, p.size, p.etag, p.checksum ?? null));
    },
    deleteObjectParts(objectId) {
      q.objectPartsDelete.run(objectId);
    },
    isBlobReferenced(blobId) {
      return q.blobInUpload.get(blobId) !== undefined || q.blobInObject.get(blobId) !== undefined;
    },
    dropBucketUploads(bucket) {
      // A bucket made again under the same name must not answer retried Completes of the old one.
      q.completedOfBucketDelete.run(bucket);
      return q.uploadIdsOfBucket.all(bucket).flatMap((r) => dropUpload(r.upload_id));
    },
  };
}
