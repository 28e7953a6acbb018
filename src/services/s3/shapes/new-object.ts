import type { BucketRecord, ObjectVersion } from "../../../storage/objects/object-store.js";
import type { Ingested } from "../body/ingest.js";
import type { ChecksumAlgorithm } from "../checksums.js";
import type { S3Env, S3Request } from "../request.js";
import { requireBucket, requireKey } from "./bucket-access.js";
import { parseWriteHeaders, type WriteHeaders } from "./object-headers.js";
import { assertKey } from "./object-key.js";
import { parseTaggingHeader, type TagSet } from "./tagging.js";
import { newVersionId } from "./version-ids.js";

/**
 * Where a request that creates an object (PutObject, CreateMultipartUpload) writes, and what the
 * object will carry from its headers: the caller's existing bucket, a valid key, the stored
 * headers, x-amz-meta-* and storage class, and the x-amz-tagging tags.
 */
export function parseNewObject(req: S3Request, env: S3Env): { readonly bucket: BucketRecord; readonly key: string; readonly write: WriteHeaders; readonly tags: Array<[string, string]> } {
  const bucket = requireBucket(req, env);
  const key = requireKey(req);
  assertKey(key);
  const h = req.http.headers;
  return { bucket, key, write: parseWriteHeaders(h), tags: parseTaggingHeader(h["x-amz-tagging"]) };
}

/** What a whole-object upload stores besides its bytes. */
export interface UploadFacts {
  /** Stored headers, x-amz-meta-* and storage class. */
  readonly write: WriteHeaders;
  readonly tags: TagSet;
  /** The additional checksum the client asked for, if any. */
  readonly checksum: ChecksumAlgorithm | undefined;
  readonly ownerAccountId: string;
  /** ms since epoch: the version's Last-Modified. */
  readonly now: number;
}

/**
 * The version a whole-object upload (PutObject, PostObject, another service's put) stores: the
 * ingested bytes, their MD5 as ETag, a FULL_OBJECT checksum when one was asked for, and a new
 * version id in a versioning bucket ("null" in an unversioned or suspended one).
 */
export function uploadedVersion(bucket: BucketRecord, key: string, body: Ingested, facts: UploadFacts): ObjectVersion {
  return {
    bucket: bucket.name,
    key,
    versionId: bucket.versioning === "Enabled" ? newVersionId() : "null",
    isDeleteMarker: false,
    size: body.size,
    etag: `"${body.md5Hex}"`,
    lastModified: facts.now,
    storageClass: facts.write.storageClass,
    ownerAccountId: facts.ownerAccountId,
    headers: facts.write.headers,
    userMetadata: facts.write.userMetadata,
    checksum: facts.checksum === undefined || body.checksumValue === undefined ? undefined : { algorithm: facts.checksum, value: body.checksumValue, type: "FULL_OBJECT" },
    tags: facts.tags,
    data: body.data,
  };
}
