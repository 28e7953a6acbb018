import type { ObjectVersion, Precondition, StoredChecksum, WriteResult } from "./object-store.js";

/** How a multipart object's checksum is formed: from the part checksums, or over all bytes. */
export type ChecksumType = StoredChecksum["type"];
export type ChecksumAlgorithmName = StoredChecksum["algorithm"];

/** An incomplete multipart upload, with everything the object will be created with. */
export interface UploadRecord {
  readonly bucket: string;
  readonly key: string;
  /** Opaque; ids of one key sort by initiation time. */
  readonly uploadId: string;
  /** ms since epoch. */
  readonly initiated: number;
  readonly ownerAccountId: string;
  readonly storageClass: string;
  /** Content headers the object will carry (see ObjectVersion.headers). */
  readonly headers: Readonly<Record<string, string>>;
  readonly userMetadata: Readonly<Record<string, string>>;
  readonly tags: ReadonlyArray<readonly [string, string]>;
  /** The checksum CreateMultipartUpload asked for (algorithm and type), if any. */
  readonly checksum: { readonly algorithm: ChecksumAlgorithmName; readonly type: ChecksumType } | undefined;
}

/** One uploaded part of an incomplete upload. */
export interface PartRecord {
  readonly partNumber: number;
  readonly blobId: string;
  readonly size: number;
  /** The part's ETag (MD5 of its bytes), with quotes. */
  readonly etag: string;
  /** ms since epoch. */
  readonly lastModified: number;
  /** The additional checksum the part was verified with, if any (base64 value). */
  readonly checksum: { readonly algorithm: ChecksumAlgorithmName; readonly value: string } | undefined;
}

export interface ListUploadsQuery {
  readonly prefix: string;
  /** Empty string: no delimiter. */
  readonly delimiter: string;
  readonly keyMarker: string | undefined;
  /** Only used together with keyMarker. */
  readonly uploadIdMarker: string | undefined;
  readonly maxUploads: number;
}

export interface UploadsPage {
  /** Uploads (by key, then initiation) and common prefixes, merged in key order. */
  readonly entries: ReadonlyArray<{ readonly upload: UploadRecord } | { readonly prefix: string }>;
  readonly isTruncated: boolean;
  /** The key (or common prefix) of the last entry returned. */
  readonly nextKeyMarker: string | undefined;
  /** The upload id of the last entry returned, when it is an upload. */
  readonly nextUploadIdMarker: string | undefined;
}

/** What a successful completion answered, remembered so a retried Complete answers the same. */
export interface CompletedUpload {
  readonly bucket: string;
  readonly key: string;
  readonly uploadId: string;
  readonly versionId: string;
  readonly etag: string;
  readonly checksum: StoredChecksum | undefined;
  /** Identifies the parts list the completion was asked with. */
  readonly partsDigest: string;
  /** ms since epoch. */
  readonly completedAt: number;
}

export interface CompleteUploadRequest {
  readonly uploadId: string;
  /**
   * The new version. Its data is `{ kind: "parts" }` naming blobs of the upload's current parts;
   * the store checks inside the commit that each is still the current blob of its part number.
   */
  readonly version: ObjectVersion;
  /** Identifies the parts list the client sent (see CompletedUpload). */
  readonly partsDigest: string;
  /** Runs inside the commit against the key's current latest version (If-None-Match / If-Match). */
  readonly precondition?: Precondition | undefined;
  /** Completion records older than this (ms since epoch) are forgotten in the same commit. */
  readonly forgetBefore: number;
}

/** The upload does not exist (never did, or was aborted or completed). */
export class NoSuchUploadError extends Error {
  override readonly name = "NoSuchUploadError";
  constructor(readonly uploadId: string) {
    super(`no such upload ${uploadId}`);
  }
}

/** A part the completion names was replaced or removed while the completion was being prepared. */
export class PartChangedError extends Error {
  override readonly name = "PartChangedError";
  constructor(readonly partNumber: number) {
    super(`part ${partNumber} changed during completion`);
  }
}

/**
 * Multipart uploads. Parts are blobs the store only records; completing an upload turns its
 * parts into the object's data without copying a byte. Writes resolve once durable.
 */
export interface UploadStore {
  /** Records a new upload; throws NoSuchBucketError. */
  createUpload(upload: UploadRecord): Promise<void>;
  /** An incomplete upload of this bucket and key, or undefined. */
  getUpload(bucket: string, key: string, uploadId: string): UploadRecord | undefined;
  /**
   * Records a part, replacing (and releasing) any part with the same number. Throws
   * NoSuchUploadError when the upload is gone; the caller then frees the new blob.
   */
  putPart(bucket: string, key: string, uploadId: string, part: PartRecord): Promise<WriteResult>;
  /** Parts in part-number order with numbers greater than `afterPartNumber`, at most `limit`. */
  listParts(bucket: string, key: string, uploadId: string, afterPartNumber: number, limit: number): PartRecord[];
  /** Incomplete uploads of a bucket, as ListMultipartUploads pages them. */
  listUploads(bucket: string, query: ListUploadsQuery): UploadsPage;
  /**
   * Atomically writes the version, removes the upload and releases its parts the object does not
   * use. Throws NoSuchUploadError, PartChangedError, or what the precondition throws.
   */
  completeUpload(request: CompleteUploadRequest): Promise<WriteResult>;
  /** The remembered result of a completed upload of this bucket and key, if still remembered. */
  getCompletedUpload(bucket: string, key: string, uploadId: string): CompletedUpload | undefined;
  /** Removes an upload and releases all its parts; throws NoSuchUploadError. */
  abortUpload(bucket: string, key: string, uploadId: string): Promise<WriteResult>;
}
