// SigV2 StringToSign ("Signing and authenticating REST requests", Amazon S3 developer guide):
//   Verb \n Content-MD5 \n Content-Type \n Date \n CanonicalizedAmzHeaders CanonicalizedResource
import type { HttpRequestParts } from "../sigv4/types.js";
import { parseQuery, parseQueryPieces } from "../sigv4/uri-encode.js";

/**
 * Query parameters that name an S3 sub-resource and so are part of CanonicalizedResource: the
 * documented list plus the later ones the AWS SDKs sign (botocore's HmacV1Auth list).
 */
export const SUBRESOURCES: ReadonlySet<string> = new Set([
  "accelerate",
  "acl",
  "analytics",
  "cors",
  "delete",
  "encryption",
  "inventory",
  "legal-hold",
  "lifecycle",
  "location",
  "logging",
  "metrics",
  "notification",
  "object-lock",
  "partNumber",
  "policy",
  "replication",
  "requestPayment",
  "response-cache-control",
  "response-content-disposition",
  "response-content-encoding",
  "response-content-language",
  "response-content-type",
  "response-expires",
  "restore",
  "retention",
  "select",
  "select-type",
  "storageClass",
  "tagging",
  "torrent",
  "uploadId",
  "uploads",
  "versionId",
  "versioning",
  "versions",
  "website",
]);

/** Unfolds header continuation lines into one space and trims. */
function headerValue(value: string): string {
  return value.replace(/\s*\r?\n\s*/g, " ").trim();
}

/**
 * Every x-amz-* header as `name:value\n`, names lower-case and sorted, repeated headers already
 * joined with ','. For presigned requests the x-amz-* query parameters count too (botocore moves
 * signed x-amz-* headers into the query when presigning).
 */
export function canonicalizedAmzHeaders(req: HttpRequestParts, presigned: boolean): string {
  const amz = new Map<string, string>();
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith("x-amz-")) amz.set(name, headerValue(value));
  }
  if (presigned) {
    for (const [name, value] of parseQuery(req.rawQuery)) {
      const lower = name.toLowerCase();
      if (lower.startsWith("x-amz-") && !amz.has(lower)) amz.set(lower, headerValue(value));
    }
  }
  let out = "";
  for (const name of [...amz.keys()].sort()) out += `${name}:${amz.get(name)!}\n`;
  return out;
}

/**
 * "/bucket" for virtual-hosted-style requests, then the path as sent (not decoded), then the
 * sub-resources sorted by name with their decoded values: `?acl`, `?partNumber=1&uploadId=x`.
 */
export function canonicalizedResource(req: HttpRequestParts): string {
  let resource = req.virtualHostBucket !== undefined && req.virtualHostBucket !== "" ? `/${req.virtualHostBucket}` : "";
  resource += req.rawPath === "" ? "/" : req.rawPath;
  const subresources = parseQueryPieces(req.rawQuery).filter((p) => SUBRESOURCES.has(p.key));
  if (subresources.length > 0) {
    // Array.prototype.sort is stable, so repeated names keep their order.
    subresources.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    resource += `?${subresources.map((p) => (p.value === undefined ? p.key : `${p.key}=${p.value}`)).join("&")}`;
  }
  return resource;
}

/**
 * The SigV2 string to sign. `dateLine` is the Date header (empty when x-amz-date is present,
 * since x-amz-date is then signed among the amz headers) or, for presigned URLs, Expires.
 */
export function sigV2StringToSign(req: HttpRequestParts, dateLine: string, presigned: boolean): string {
  const q = presigned ? parseQuery(req.rawQuery) : undefined;
  const md5 = req.headers["content-md5"] ?? q?.get("content-md5") ?? "";
  const type = req.headers["content-type"] ?? q?.get("content-type") ?? "";
  return `${req.method}\n${md5.trim()}\n${type.trim()}\n${dateLine}\n${canonicalizedAmzHeaders(req, presigned)}${canonicalizedResource(req)}`;
}
