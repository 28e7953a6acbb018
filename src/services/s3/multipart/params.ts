import { randomBytes } from "node:crypto";
import type { UploadRecord } from "../../../storage/objects/upload-store.js";
import { S3Error } from "../errors.js";
import type { S3Env, S3Request } from "../request.js";

// Multipart upload limits (S3 User Guide, "Amazon S3 multipart upload limits").
export const MAX_PART_NUMBER = 10_000;
export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const MAX_PART_SIZE = 5 * 1024 ** 3;
/** ListParts and ListMultipartUploads return at most this many entries per page. */
export const MAX_LIST = 1000;

const PART_NUMBER_MESSAGE = "Part number must be an integer between 1 and 10000, inclusive";

/** Parses a partNumber (query parameter or XML), answering S3's InvalidArgument for anything but 1..10000. */
export function parsePartNumber(raw: string | null | undefined): number {
  const text = raw ?? "";
  const n = /^\d{1,6}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PART_NUMBER) {
    throw new S3Error("InvalidArgument", PART_NUMBER_MESSAGE, { ArgumentName: "partNumber", ArgumentValue: text });
  }
  return n;
}

/** The uploadId query parameter (the router only sends requests that have one). */
export function uploadIdOf(req: S3Request): string {
  return req.query.get("uploadId") ?? "";
}

/** The incomplete upload a request names, or NoSuchUpload. */
export function requireUpload(env: S3Env, bucket: string, key: string, uploadId: string): UploadRecord {
  const upload = uploadId === "" ? undefined : env.objects.getUpload(bucket, key, uploadId);
  if (upload === undefined) throw noSuchUpload(uploadId);
  return upload;
}

export const noSuchUpload = (uploadId: string): S3Error => new S3Error("NoSuchUpload", undefined, { UploadId: uploadId });

/**
 * A new upload id: the time in hex first, so the ids of one key sort by initiation time (as
 * ListMultipartUploads orders them and pages them by upload-id-marker), then 24 random bytes.
 */
export function newUploadId(now: number): string {
  return `${now.toString(16).padStart(12, "0")}${randomBytes(24).toString("base64url")}`;
}

/** Parses a max-parts / max-uploads value: default 1000, an integer 0..2147483647, served at most 1000. */
export function parseMaxEntries(query: URLSearchParams, name: "max-parts" | "max-uploads"): { asked: number; served: number } {
  const raw = query.get(name);
  if (raw === null || raw === "") return { asked: MAX_LIST, served: MAX_LIST };
  const n = /^\d{1,10}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n > 2_147_483_647) {
    const argument = name === "max-parts" ? "max-parts" : "max-uploads";
    throw new S3Error("InvalidArgument", `Provided ${argument} not an integer or within integer range`, { ArgumentName: argument, ArgumentValue: raw });
  }
  return { asked: n, served: Math.min(n, MAX_LIST) };
}

/** An ETag as a client may send it (quoted or not), reduced to its hex digits for comparison. */
export const bareEtag = (etag: string): string => etag.trim().replace(/^"(.*)"$/, "$1").replace(/^&quot;(.*)&quot;$/, "$1");
