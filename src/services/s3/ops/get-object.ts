import type { Readable } from "node:stream";
import type { ServiceResponse } from "../../../server/service.js";
import type { StoredVersion } from "../../../storage/objects/object-store.js";
import { S3Error, s3Headers } from "../errors.js";
import type { S3Env, S3Request } from "../request.js";
import { requireBucket, requireKey } from "../shapes/bucket-access.js";
import { ARCHIVED_CLASSES } from "../shapes/copy-source.js";
import { httpDate } from "../shapes/http-dates.js";
import { versionHeaders } from "../shapes/object-headers.js";
import { resolveRange } from "../shapes/range.js";
import { checkReadConditions, readConditionsFromHeaders } from "../shapes/read-conditions.js";
import { isValidVersionId } from "../shapes/version-ids.js";

// GetObject's response-* query parameters override these response headers (GetObject docs).
const OVERRIDES: Record<string, string> = {
  "response-content-type": "content-type",
  "response-content-language": "content-language",
  "response-expires": "expires",
  "response-cache-control": "cache-control",
  "response-content-disposition": "content-disposition",
  "response-content-encoding": "content-encoding",
};

/**
 * Finds the version a GET/HEAD/DELETE addresses, answering as S3 does for a missing key, a missing
 * version, and delete markers (404 NoSuchKey with x-amz-delete-marker for a latest marker; 405
 * MethodNotAllowed when a marker is asked for by version id).
 */
export function resolveVersion(req: S3Request, env: S3Env, key: string, versioned: boolean): StoredVersion {
  const versionId = req.query.get("versionId") ?? undefined;
  if (versionId !== undefined && !isValidVersionId(versionId)) {
    throw new S3Error("InvalidArgument", "Invalid version id specified", { ArgumentName: "versionId", ArgumentValue: versionId });
  }
  const v = env.objects.getVersion(req.bucket!, key, versionId);
  if (v === undefined) {
    if (versionId !== undefined) throw new S3Error("NoSuchVersion", undefined, { Key: key, VersionId: versionId });
    throw new S3Error("NoSuchKey", undefined, { Key: key });
  }
  if (v.isDeleteMarker) {
    const headers: Record<string, string> = { "x-amz-delete-marker": "true", "last-modified": httpDate(v.lastModified) };
    if (versioned) headers["x-amz-version-id"] = v.versionId;
    if (versionId !== undefined) throw new S3Error("MethodNotAllowed", undefined, { Method: req.http.method, ResourceType: "DeleteMarker" }, { ...headers, allow: "DELETE" });
    throw new S3Error("NoSuchKey", undefined, { Key: key }, headers);
  }
  return v;
}

/** GetObject and HeadObject (HEAD gets the same headers and no body). */
export async function getObject(req: S3Request, env: S3Env): Promise<ServiceResponse> {
  const bucket = requireBucket(req, env);
  const key = requireKey(req);
  if (req.query.has("partNumber")) {
    throw new S3Error("NotImplemented", "GetObject with partNumber is not implemented yet.");
  }
  const v = resolveVersion(req, env, key, bucket.versioning !== "Unversioned");
  if (req.http.method === "GET" && ARCHIVED_CLASSES.includes(v.storageClass)) {
    throw new S3Error("InvalidObjectState", "The operation is not valid for the object's storage class", { StorageClass: v.storageClass });
  }
  checkReadConditions(readConditionsFromHeaders(req.http.headers), v);
  const range = resolveRange(req.http.headers["range"], v.size);
  const checksumMode = req.http.headers["x-amz-checksum-mode"]?.toUpperCase() === "ENABLED";
  const headers: Record<string, string> = {
    ...s3Headers(env.ctx),
    ...versionHeaders(v, bucket.versioning !== "Unversioned", checksumMode && range === undefined),
  };
  for (const [param, header] of Object.entries(OVERRIDES)) {
    const value = req.query.get(param);
    if (value !== null) headers[header] = value;
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? v.size - 1;
  headers["content-length"] = String(v.size === 0 ? 0 : end - start + 1);
  if (range !== undefined) headers["content-range"] = `bytes ${start}-${end}/${v.size}`;
  const status = range !== undefined ? 206 : 200;
  if (req.http.method === "HEAD" || v.size === 0) return { status, headers };

  if (v.data.kind === "inline") {
    return { status, headers, body: v.data.bytes.subarray(start, end + 1) };
  }
  if (v.data.kind !== "blob") throw new Error(`version ${v.versionId} of ${key} has no data`);
  // Pin in this tick, before any commit callback could release the blob.
  const unpin = env.pins.pin(v.data.blobId);
  const stream: Readable = env.blobs.read(v.data.blobId, start, end);
  stream.once("close", unpin);
  return { status, headers, body: stream };
}
