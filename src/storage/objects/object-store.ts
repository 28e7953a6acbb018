import type { UploadStore } from "./upload-store.js";

/** Versioning state of a bucket, as S3 names it ("Unversioned" = never enabled). */
export type VersioningState = "Unversioned" | "Enabled" | "Suspended";

export interface BucketRecord {
  readonly name: string;
  readonly ownerAccountId: string;
  readonly region: string;
  /** Creation time, ms since epoch. */
  readonly createdAt: number;
  readonly versioning: VersioningState;
}

/** One part of a completed multipart object: its own blob, read in order with the others. */
export interface PartRef {
  readonly blobId: string;
  readonly size: number;
  /** The part number the client gave it (numbers may skip; the position is the index). */
  readonly partNumber: number;
  /** The part's ETag (its MD5), with quotes. */
  readonly etag: string;
  /** Base64 of the part's checksum in the object's checksum algorithm, when it has one. */
  readonly checksum: string | undefined;
}

/** Where an object's bytes are. */
export type DataRef =
  | { readonly kind: "inline"; readonly bytes: Uint8Array }
  | { readonly kind: "blob"; readonly blobId: string }
  /** A completed multipart upload: the bytes are the part blobs concatenated, never copied. */
  | { readonly kind: "parts"; readonly parts: readonly PartRef[] }
  | { readonly kind: "none" };

/** An additional checksum as S3 stores and returns it. */
export interface StoredChecksum {
  readonly algorithm: "CRC32" | "CRC32C" | "CRC64NVME" | "SHA1" | "SHA256";
  /** Base64 of the checksum bytes (with a -N suffix for composite multipart checksums). */
  readonly value: string;
  readonly type: "FULL_OBJECT" | "COMPOSITE";
}

/** One version of an object (or a delete marker). */
export interface ObjectVersion {
  readonly bucket: string;
  readonly key: string;
  /** "null" for the null version (unversioned or suspended buckets). */
  readonly versionId: string;
  readonly isDeleteMarker: boolean;
  readonly size: number;
  /** The ETag with its quotes, as S3 returns it. */
  readonly etag: string;
  /** ms since epoch. */
  readonly lastModified: number;
  readonly storageClass: string;
  readonly ownerAccountId: string;
  /** Content-Type, Content-Encoding, Content-Disposition, Content-Language, Cache-Control, Expires, x-amz-website-redirect-location, keyed by lower-case name. */
  readonly headers: Readonly<Record<string, string>>;
  /** x-amz-meta-* values keyed by the lower-case name without the prefix. */
  readonly userMetadata: Readonly<Record<string, string>>;
  readonly checksum: StoredChecksum | undefined;
  /** Object tags in order. */
  readonly tags: ReadonlyArray<readonly [string, string]>;
  readonly data: DataRef;
}

/** An ObjectVersion plus whether it is the latest of its key. */
export interface StoredVersion extends ObjectVersion {
  readonly isLatest: boolean;
}

export interface ListObjectsQuery {
  readonly prefix: string;
  /** Empty string: no delimiter. */
  readonly delimiter: string;
  /** List keys strictly after this one (a v1 marker or v2 start-after / continuation). */
  readonly after: string | undefined;
  readonly maxKeys: number;
}

/** What ListObjects shows of a latest version (botocore shape `Object`); a StoredVersion is one. */
export interface ListedObject {
  readonly key: string;
  /** ms since epoch. */
  readonly lastModified: number;
  readonly etag: string;
  readonly size: number;
  readonly storageClass: string;
  readonly ownerAccountId: string;
  /** The additional checksum's algorithm and type, when the object was stored with one. */
  readonly checksum: Pick<StoredChecksum, "algorithm" | "type"> | undefined;
}

/** The storage class, owner and checksum kind a listing shows for a version. */
export type ListedKind = Pick<ListedObject, "storageClass" | "ownerAccountId" | "checksum">;

/**
 * Receives one listed object. `kind` is one shared object (never modified) per distinct kind on
 * a page, so neighbours with the same storage class, owner and checksum kind pass the same object.
 */
export type ListedObjectVisitor = (key: string, lastModified: number, etag: string, size: number, kind: ListedKind) => void;

/** What scanObjects returns once it has visited a page. */
export interface ScannedPage {
  /** Objects visited (at most maxKeys). */
  readonly count: number;
  readonly isTruncated: boolean;
  /** The last key visited when truncated (the next page starts after it). */
  readonly resumeAfter: string | undefined;
}

export interface ListObjectsPage {
  /** Objects and common prefixes merged in key order, at most maxKeys entries in all. */
  readonly entries: ReadonlyArray<{ readonly object: ListedObject } | { readonly prefix: string }>;
  readonly isTruncated: boolean;
  /** Where the next page starts (exclusive): the last key or common prefix returned. */
  readonly resumeAfter: string | undefined;
}

export interface ListVersionsQuery {
  readonly prefix: string;
  readonly delimiter: string;
  readonly keyMarker: string | undefined;
  readonly versionIdMarker: string | undefined;
  readonly maxKeys: number;
}

export interface ListVersionsPage {
  readonly entries: ReadonlyArray<{ readonly version: StoredVersion } | { readonly prefix: string }>;
  readonly isTruncated: boolean;
  readonly nextKeyMarker: string | undefined;
  readonly nextVersionIdMarker: string | undefined;
}

/** Thrown by a precondition to refuse a write; carries the service's own error. */
export type Precondition = (current: StoredVersion | undefined) => void;

/** The result of a write: data references no version points to any more (the caller frees them). */
export interface WriteResult {
  readonly released: readonly DataRef[];
}

export class BucketNotEmptyError extends Error {
  override readonly name = "BucketNotEmptyError";
}
export class BucketExistsError extends Error {
  override readonly name = "BucketExistsError";
  constructor(readonly ownerAccountId: string) {
    super("bucket exists");
  }
}
export class NoSuchBucketError extends Error {
  override readonly name = "NoSuchBucketError";
}

/**
 * S3's bucket and object metadata. Writes resolve only once durable; concurrent writes share
 * commits. Reads are synchronous snapshots of committed state.
 */
export interface ObjectStore extends UploadStore {
  /** Creates a bucket; throws BucketExistsError with the current owner if the name is taken. */
  createBucket(bucket: BucketRecord): Promise<void>;
  getBucket(name: string): BucketRecord | undefined;
  /**
   * Deletes a bucket without versions (throws BucketNotEmptyError otherwise). Incomplete
   * multipart uploads do not keep a general purpose bucket alive: they go with it, and their
   * part blobs are released.
   */
  deleteBucket(name: string): Promise<WriteResult>;
  /** Buckets of an owner in name order, after `after`, at most `limit`, names starting with `prefix`. */
  listBuckets(ownerAccountId: string, prefix: string, after: string | undefined, limit: number): BucketRecord[];
  setVersioning(name: string, state: VersioningState): Promise<void>;
  /**
   * A bucket's configuration document of one kind (e.g. "cors", "tagging", "lifecycle",
   * "policy"), as the service serialized it; undefined when unset.
   */
  getBucketConfig(name: string, kind: string): string | undefined;
  /** Sets (or, with undefined, removes) a bucket configuration document. */
  putBucketConfig(name: string, kind: string, document: string | undefined): Promise<void>;

  /** The latest version of a key (maybe a delete marker), or a given version. */
  getVersion(bucket: string, key: string, versionId?: string): StoredVersion | undefined;
  /**
   * Adds a version as the latest of its key. With versionId "null" it replaces any existing null
   * version. `precondition` runs inside the commit against the current latest version.
   */
  putVersion(version: ObjectVersion, precondition?: Precondition): Promise<WriteResult>;
  /** Removes one version for good; the previous version becomes latest. Undefined if absent. */
  deleteVersion(bucket: string, key: string, versionId: string, precondition?: Precondition): Promise<(WriteResult & { removed: StoredVersion }) | undefined>;
  /** Replaces the tags of one version. */
  setTags(bucket: string, key: string, versionId: string, tags: ReadonlyArray<readonly [string, string]>): Promise<boolean>;

  listObjects(bucket: string, query: ListObjectsQuery): ListObjectsPage;
  /**
   * Optional: a listing without a delimiter, the page's objects handed to `visit` in key order
   * instead of collected into entries (the same objects, order and truncation as listObjects with
   * delimiter ""). A store may serve it from a cheaper read than one value per column per row;
   * callers use listObjects where a store lacks it.
   */
  scanObjects?(bucket: string, query: Omit<ListObjectsQuery, "delimiter">, visit: ListedObjectVisitor): ScannedPage;
  /**
   * Optional: a value that differs after any write reached the store since it was taken (through
   * this store, or another connection or process writing the same database), so that a listing
   * page read ahead of its request can be checked to be current before it is served.
   */
  changeStamp?(): string;
  listVersions(bucket: string, query: ListVersionsQuery): ListVersionsPage;
  /** Whether any version or incomplete upload still points at this blob (for the start-up sweep of orphaned files). */
  isBlobReferenced(blobId: string): boolean;
  close(): Promise<void>;
}
