import type { ServiceResponse } from "../../../server/service.js";
import type { StoredVersion } from "../../../storage/objects/object-store.js";
import { partSpans } from "../body/data-stream.js";
import { versionBody } from "../body/version-body.js";
import { checksumHeader } from "../checksums.js";
import { S3Error, s3Headers } from "../errors.js";
import { parsePartNumber } from "../multipart/params.js";
import type { S3Env, S3Request } from "../request.js";
import { requireBucket, requireKey } from "../shapes/bucket-access.js";
import { addVersionHeaders } from "../shapes/object-headers.js";
import { resolveRange, type ByteRange } from "../shapes/range.js";
import { checkReadConditions, readConditionsFromHeaders } from "../shapes/read-conditions.js";
import { lookupVersion, requireRestored } from "../shapes/version-lookup.js";

// GetObject's response-* query parameters override these response headers (GetObject docs).
const OVERRIDES: Record<string, string> = {
  "response-content-type": "content-type",
  "response-content-language": "content-language",
  "response-expires": "expires",
  "response-cache-control": "cache-control",
  "response-content-disposition": "content-disposition",
  "response-content-encoding": "content-encoding",
};

/** The version a GET/HEAD/DELETE or tagging request addresses (its ?versionId), by S3's rules (lookupVersion). */
export function resolveVersion(req: S3Request, env: S3Env, key: string, versioned: boolean): StoredVersion {
  const versionId = req.http.rawQuery === "" ? undefined : (req.query.get("versionId") ?? undefined);
  return lookupVersion(env.objects, req.bucket!, key, versionId, { versioned, method: req.http.method });
}

/** GetObject and HeadObject (HEAD gets the same headers and no body). */
export async function getObject(req: S3Request, env: S3Env): Promise<ServiceResponse> {
  const bucket = requireBucket(req, env);
  const key = requireKey(req);
  const partNumber = req.http.rawQuery !== "" && req.query.has("partNumber") ? parsePartNumber(req.query.get("partNumber")) : undefined;
  if (partNumber !== undefined && req.http.headers["range"] !== undefined) {
    throw new S3Error("InvalidRequest", "Cannot specify both Range header and partNumber query parameter");
  }
  const v = resolveVersion(req, env, key, bucket.versioning !== "Unversioned");
  if (req.http.method === "GET") requireRestored(v);
  const h = req.http.headers;
  if (h["if-match"] !== undefined || h["if-none-match"] !== undefined || h["if-modified-since"] !== undefined || h["if-unmodified-since"] !== undefined) {
    checkReadConditions(readConditionsFromHeaders(h), v);
  }
  const part = partNumber === undefined ? undefined : selectPart(v, partNumber);
  const range = part !== undefined ? part.range : resolveRange(req.http.headers["range"], v.size);
  const checksumMode = req.http.headers["x-amz-checksum-mode"]?.toUpperCase() === "ENABLED";
  const headers = s3Headers(env.ctx);
  addVersionHeaders(headers, v, bucket.versioning !== "Unversioned", checksumMode && range === undefined && part === undefined);
  if (part !== undefined) Object.assign(headers, part.headers);
  if (checksumMode && part?.checksum !== undefined && v.checksum !== undefined) {
    headers[checksumHeader(v.checksum.algorithm)] = part.checksum;
    headers["x-amz-checksum-type"] = v.checksum.type;
  }
  if (req.http.rawQuery !== "") {
    for (const param in OVERRIDES) {
      const value = req.query.get(param);
      if (value !== null) headers[OVERRIDES[param]!] = value;
    }
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? v.size - 1;
  const empty = v.size === 0 || part?.empty === true;
  headers["content-length"] = String(empty ? 0 : end - start + 1);
  if (range !== undefined) headers["content-range"] = `bytes ${start}-${end}/${v.size}`;
  const status = range !== undefined || part !== undefined ? 206 : 200;
  if (req.http.method === "HEAD" || empty) return { status, headers };
  return { status, headers, body: versionBody(env, v, start, end) };
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
