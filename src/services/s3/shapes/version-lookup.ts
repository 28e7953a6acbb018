import type { ObjectStore, StoredVersion } from "../../../storage/objects/object-store.js";
import { S3Error } from "../errors.js";
import { ARCHIVED_CLASSES } from "./copy-source.js";
import { httpDate } from "./http-dates.js";
import { isValidVersionId } from "./version-ids.js";

/**
 * Finds the version a read (GET/HEAD, or DELETE and tagging by version) addresses, answering as
 * S3 does for a missing key, a missing version, and delete markers (404 NoSuchKey with
 * x-amz-delete-marker for a latest marker; 405 MethodNotAllowed when a marker is asked for by
 * version id). Shared by GetObject and the internal API other services read through.
 */
export function lookupVersion(
  objects: ObjectStore,
  bucket: string,
  key: string,
  versionId: string | undefined,
  how: { readonly versioned: boolean; readonly method: string },
): StoredVersion {
  if (versionId !== undefined && !isValidVersionId(versionId)) {
    throw new S3Error("InvalidArgument", "Invalid version id specified", { ArgumentName: "versionId", ArgumentValue: versionId });
  }
  const v = objects.getVersion(bucket, key, versionId);
  if (v === undefined) {
    if (versionId !== undefined) throw new S3Error("NoSuchVersion", undefined, { Key: key, VersionId: versionId });
    throw new S3Error("NoSuchKey", undefined, { Key: key });
  }
  if (v.isDeleteMarker) {
    const headers: Record<string, string> = { "x-amz-delete-marker": "true", "last-modified": httpDate(v.lastModified) };
    if (how.versioned) headers["x-amz-version-id"] = v.versionId;
    if (versionId !== undefined) throw new S3Error("MethodNotAllowed", undefined, { Method: how.method, ResourceType: "DeleteMarker" }, { ...headers, allow: "DELETE" });
    throw new S3Error("NoSuchKey", undefined, { Key: key }, headers);
  }
  return v;
}

/** Refuses to read the bytes of an archived object (GetObject docs: InvalidObjectState until restored). */
export function requireRestored(v: StoredVersion): void {
  if (ARCHIVED_CLASSES.includes(v.storageClass)) {
    throw new S3Error("InvalidObjectState", "The operation is not valid for the object's storage class", { StorageClass: v.storageClass });
  }
}
