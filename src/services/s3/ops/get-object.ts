import type { Readable } from "node:stream";
import type { ServiceResponse } from "../../../server/service.js";
import type { StoredVersion } from "../../../storage/objects/object-store.js";
import { partSpans, readData } from "../body/data-stream.js";
import { checksumHeader } from "../checksums.js";
import { S3Error, s3Headers } from "../errors.js";
import { parsePartNumber } from "../multipart/params.js";
import type { S3Env, S3Request } from "../request.js";
import { requireBucket, requireKey } from "../shapes/bucket-access.js";
import { ARCHIVED_CLASSES } from "../shapes/copy-source.js";
import { httpDate } from "../shapes/http-dates.js";
import { versionHeaders } from "../shapes/object-headers.js";
import { resolveRange, type ByteRange } from "../shapes/range.js";
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
  const partNumber = req.query.has("partNumber") ? parsePartNumber(req.query.get("partNumber")) : undefined;
  if (partNumber !== undefined && req.http.headers["range"] !== undefined) {
    throw new S3Error("InvalidRequest", "Cannot specify both Range header and partNumber query parameter");
  }
  const v = resolveVersion(req, env, key, bucket.versioning !== "Unversioned");
  if (req.http.method === "GET" && ARCHIVED_CLASSES.includes(v.storageClass)) {
    throw new S3Error("InvalidObjectState", "The operation is not valid for the object's storage class", { StorageClass: v.storageClass });
  }
  checkReadConditions(readConditionsFromHeaders(req.http.headers), v);
  const part = partNumber === undefined ? undefined : selectPart(v, partNumber);
  const range = part !== undefined ? part.range : resolveRange(req.http.headers["range"], v.size);
  const checksumMode = req.http.headers["x-amz-checksum-mode"]?.toUpperCase() === "ENABLED";
  const headers: Record<string, string> = {
    ...s3Headers(env.ctx),
    ...versionHeaders(v, bucket.versioning !== "Unversioned", checksumMode && range === undefined && part === undefined),
    ...(part?.headers ?? {}),
  };
  if (checksumMode && part?.checksum !== undefined && v.checksum !== undefined) {
    headers[checksumHeader(v.checksum.algorithm)] = part.checksum;
    headers["x-amz-checksum-type"] = v.checksum.type;
  }
  for (const [param, header] of Object.entries(OVERRIDES)) {
    const value = req.query.get(param);
    if (value !== null) headers[header] = value;
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? v.size - 1;
  const empty = v.size === 0 || part?.empty === true;
  headers["content-length"] = String(empty ? 0 : end - start + 1);
  if (range !== undefined) headers["content-range"] = `bytes ${start}-${end}/${v.size}`;
  const status = range !== undefined || part !== undefined ? 206 : 200;
  if (req.http.method === "HEAD" || empty) return { status, headers };

  if (v.data.kind === "inline") {
    return { status, headers, body: v.data.bytes.subarray(start, end + 1) };
  }
  if (v.data.kind === "none") throw new Error(`version ${v.versionId} of ${key} has no data`);
  // Pin in this tick, before any commit callback could release the blob (or any part blob).
  const unpin = env.pins.pinData(v.data);
  const stream: Readable = readData(env.blobs, v.data, start, end);
  stream.once("close", unpin);
  return { status, headers, body: stream };
}

/**
 * GetObject/HeadObject with partNumber: the bytes of that part (counted 1..N in the completed
 * object), answered 206 with x-amz-mp-parts-count. An object that was not uploaded in parts has
 * one part, itself; a number past the last part is 416 InvalidPartNumber (GetObject docs, PartNumber).
 */
function selectPart(
  v: StoredVersion,
  partNumber: number,
): { range: ByteRange | undefined; empty: boolean; headers: Record<string, string>; checksum: string | undefined } {
  if (v.data.kind !== "parts") {
    if (partNumber !== 1) throw invalidPartNumber(v.size);
    return { range: v.size === 0 ? undefined : { start: 0, end: v.size - 1 }, empty: v.size === 0, headers: {}, checksum: undefined };
  }
  const span = partSpans(v.data.parts)[partNumber - 1];
  if (span === undefined) throw invalidPartNumber(v.size);
  const headers = { "x-amz-mp-parts-count": String(v.data.parts.length) };
  // A part's own checksum only describes it when the object checksum is made of part checksums.
  const checksum = v.checksum?.type === "COMPOSITE" ? span.part.checksum : undefined;
  const empty = span.part.size === 0;
  const range = empty ? undefined : { start: span.start, end: span.start + span.part.size - 1 };
  return { range, empty, headers, checksum };
}

const invalidPartNumber = (size: number): S3Error =>
  new S3Error("InvalidPartNumber", undefined, {}, { "content-range": `bytes */${size}` });
