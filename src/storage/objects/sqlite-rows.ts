import type { ObjectVersion, StoredChecksum, StoredVersion } from "./object-store.js";

/** A row of the objects table as better-sqlite3 returns it. */
export interface ObjectRow {
  id: number;
  key: Buffer;
  version_id: string;
  is_latest: number;
  is_delete_marker: number;
  size: number;
  etag: string;
  last_modified: number;
  storage_class: string;
  owner: string;
  meta: string;
  blob_id: string | null;
  inline_data?: Buffer | null;
}

interface Meta {
  h?: Record<string, string>;
  m?: Record<string, string>;
  c?: StoredChecksum;
  t?: Array<[string, string]>;
}

/** The JSON column holding the parts of a version that are read only with the version itself. */
export function encodeMeta(v: Pick<ObjectVersion, "headers" | "userMetadata" | "checksum" | "tags">): string {
  const m: Meta = {};
  if (Object.keys(v.headers).length > 0) m.h = { ...v.headers };
  if (Object.keys(v.userMetadata).length > 0) m.m = { ...v.userMetadata };
  if (v.checksum !== undefined) m.c = v.checksum;
  if (v.tags.length > 0) m.t = v.tags.map(([k, val]) => [k, val]);
  return JSON.stringify(m);
}

// Unit separator: absent from storage classes, account ids and checksum names (all validated tokens).
const SEP = "\u001f";

/**
 * objects.list_kind: the storage class, owner and checksum algorithm and type of a version joined
 * in one text column, written once with the row (none of them ever changes). A listing reads it as
 * one value instead of four, and instead of picking the checksum out of the meta JSON per row:
 * that was a third of a 1,000-key page's SQLite time.
 */
export function encodeListKind(v: Pick<ObjectVersion, "storageClass" | "ownerAccountId" | "checksum">): string {
  return `${v.storageClass}${SEP}${v.ownerAccountId}${SEP}${v.checksum?.algorithm ?? ""}${SEP}${v.checksum?.type ?? ""}`;
}

/**
 * encodeListKind in SQL, over a row's own columns (`row` is a prefix such as "NEW."): fills
 * list_kind for rows written before it existed, and keeps it right when a column it derives from
 * is updated in place.
 */
export function listKindOfRow(row = ""): string {
  return `${row}storage_class || char(31) || ${row}owner || char(31) || ifnull(${row}meta ->> '$.c.algorithm', '') || char(31) || ifnull(${row}meta ->> '$.c.type', '')`;
}

/** What a list_kind holds, as a listing shows it. */
export interface ListKind {
  readonly storageClass: string;
  readonly ownerAccountId: string;
  readonly checksum: Pick<StoredChecksum, "algorithm" | "type"> | undefined;
}

/** The inverse of encodeListKind. */
export function decodeListKind(kind: string): ListKind {
  const [storageClass = "", ownerAccountId = "", algorithm = "", type = ""] = kind.split(SEP);
  const checksum = algorithm === "" || type === "" ? undefined : { algorithm: algorithm as StoredChecksum["algorithm"], type: type as StoredChecksum["type"] };
  return { storageClass, ownerAccountId, checksum };
}

export function decodeRow(bucket: string, row: ObjectRow): StoredVersion {
  const meta = JSON.parse(row.meta) as Meta;
  return {
    bucket,
    key: row.key.toString("utf8"),
    versionId: row.version_id,
    isLatest: row.is_latest === 1,
    isDeleteMarker: row.is_delete_marker === 1,
    size: row.size,
    etag: row.etag,
    lastModified: row.last_modified,
    storageClass: row.storage_class,
    ownerAccountId: row.owner,
    headers: meta.h ?? {},
    userMetadata: meta.m ?? {},
    checksum: meta.c,
    tags: meta.t ?? [],
    data:
      row.blob_id !== null
        ? { kind: "blob", blobId: row.blob_id }
        : row.inline_data !== undefined && row.inline_data !== null
          ? { kind: "inline", bytes: row.inline_data }
          : { kind: "none" },
  };
}
