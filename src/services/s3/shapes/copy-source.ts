import type { StoredVersion } from "../../../storage/objects/object-store.js";
import { S3Error } from "../errors.js";
import type { S3Env } from "../request.js";
import { checkReadConditions } from "./read-conditions.js";
import { isValidVersionId } from "./version-ids.js";

/** The object an `x-amz-copy-source` header names. */
export interface CopySource {
  readonly bucket: string;
  /** The key, percent-decoded. */
  readonly key: string;
  /** The `?versionId=` part, when given. */
  readonly versionId: string | undefined;
}

/** S3 answers a copy source it cannot read this way (CopyObject docs: "bucket/key", URL-encoded). */
function badSource(raw: string): S3Error {
  return new S3Error("InvalidArgument", "Copy Source must mention the source bucket and key: sourcebucket/sourcekey", {
    ArgumentName: "x-amz-copy-source",
    ArgumentValue: raw,
  });
}

/**
 * Parses `x-amz-copy-source`: `[/]bucket/key[?versionId=id]`, with bucket and key URL-encoded
 * (a literal '?' in a key arrives as %3F, so the first raw '?' starts the version part).
 */
export function parseCopySource(raw: string): CopySource {
  const q = raw.indexOf("?");
  const path = q === -1 ? raw : raw.slice(0, q);
  let versionId: string | undefined;
  if (q !== -1) {
    const params = new URLSearchParams(raw.slice(q + 1));
    const v = params.get("versionId");
    if (v === null) throw badSource(raw);
    versionId = v;
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    throw badSource(raw);
  }
  const trimmed = decoded.startsWith("/") ? decoded.slice(1) : decoded;
  const slash = trimmed.indexOf("/");
  if (slash <= 0 || slash === trimmed.length - 1) throw badSource(raw);
  return { bucket: trimmed.slice(0, slash), key: trimmed.slice(slash + 1), versionId };
}

/**
 * The version a copy reads, with S3's answers for what is missing: NoSuchBucket, NoSuchKey,
 * NoSuchVersion, and a delete marker (NoSuchKey when it is the latest version; InvalidRequest
 * when it is named by version id).
 */
export function resolveCopySource(env: S3Env, source: CopySource): StoredVersion {
  const bucket = env.objects.getBucket(source.bucket);
  if (bucket === undefined) throw new S3Error("NoSuchBucket", undefined, { BucketName: source.bucket });
  if (bucket.ownerAccountId !== env.ctx.principal.accountId) throw new S3Error("AccessDenied");
  if (source.versionId !== undefined && !isValidVersionId(source.versionId)) {
    throw new S3Error("InvalidArgument", "Invalid version id specified", { ArgumentName: "x-amz-copy-source", ArgumentValue: source.versionId });
  }
  const v = env.objects.getVersion(source.bucket, source.key, source.versionId);
  if (v === undefined) {
    if (source.versionId !== undefined) throw new S3Error("NoSuchVersion", undefined, { Key: source.key, VersionId: source.versionId });
    throw new S3Error("NoSuchKey", undefined, { Key: source.key });
  }
  if (v.isDeleteMarker) {
    if (source.versionId !== undefined) {
      throw new S3Error("InvalidRequest", "The source of a copy request may not specifically refer to a delete marker by version id.");
    }
    throw new S3Error("NoSuchKey", undefined, { Key: source.key });
  }
  return v;
}

/**
 * Evaluates the `x-amz-copy-source-if-*` headers. They follow GetObject's precedence, but every
 * failure is 412 PreconditionFailed, never 304 (CopyObject docs).
 */
export function checkCopySourceConditions(h: Readonly<Record<string, string>>, v: StoredVersion): void {
  try {
    checkReadConditions(
      {
        ifMatch: h["x-amz-copy-source-if-match"],
        ifNoneMatch: h["x-amz-copy-source-if-none-match"],
        ifModifiedSince: h["x-amz-copy-source-if-modified-since"],
        ifUnmodifiedSince: h["x-amz-copy-source-if-unmodified-since"],
      },
      v,
      false,
    );
  } catch (err) {
    if (err instanceof S3Error && err.code === "PreconditionFailed" && err.fields["Condition"] !== undefined) {
      throw new S3Error("PreconditionFailed", undefined, { Condition: `x-amz-copy-source-${err.fields["Condition"]}` });
    }
    throw err;
  }
}

/** The largest object one CopyObject may copy: 5 GiB (CopyObject docs; larger needs UploadPartCopy). */
export const MAX_COPY_SOURCE = 5 * 1024 ** 3;

// Archived objects must be restored before they can be read or copied (CopyObject docs, x-amz-storage-class).
export const ARCHIVED_CLASSES: readonly string[] = ["GLACIER", "DEEP_ARCHIVE"];

/** Refuses to copy from an archived object until it is restored. */
export function requireRestoredSource(src: StoredVersion): void {
  if (ARCHIVED_CLASSES.includes(src.storageClass)) {
    throw new S3Error("InvalidObjectState", "Operation is not valid for the source object's storage class", { StorageClass: src.storageClass });
  }
}
