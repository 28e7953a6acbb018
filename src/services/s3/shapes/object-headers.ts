import type { ObjectVersion } from "../../../storage/objects/object-store.js";
import { checksumHeader } from "../checksums.js";
import { S3Error } from "../errors.js";
import { httpDate } from "./http-dates.js";

/** Content headers S3 stores with an object and returns on GET/HEAD. */
export const STORED_HEADERS = [
  "content-type",
  "content-encoding",
  "content-disposition",
  "content-language",
  "cache-control",
  "expires",
  "x-amz-website-redirect-location",
] as const;

export const STORAGE_CLASSES = [
  "STANDARD",
  "REDUCED_REDUNDANCY",
  "STANDARD_IA",
  "ONEZONE_IA",
  "INTELLIGENT_TIERING",
  "GLACIER",
  "DEEP_ARCHIVE",
  "GLACIER_IR",
] as const;

/** User-defined metadata may total 2 KB (keys and values, UTF-8) — S3 User Guide, "Object metadata". */
const USER_METADATA_MAX = 2048;

export interface WriteHeaders {
  readonly headers: Record<string, string>;
  readonly userMetadata: Record<string, string>;
  readonly storageClass: string;
}

/** Reads the stored headers, x-amz-meta-* and the storage class of a write request. */
export function parseWriteHeaders(h: Readonly<Record<string, string>>): WriteHeaders {
  const headers: Record<string, string> = {};
  for (const name of STORED_HEADERS) {
    const v = h[name];
    if (v !== undefined) headers[name] = v;
  }
  // aws-chunked is transfer framing, not a stored content coding (S3 strips it).
  const enc = headers["content-encoding"];
  if (enc !== undefined) {
    const rest = enc
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "" && s.toLowerCase() !== "aws-chunked");
    if (rest.length === 0) delete headers["content-encoding"];
    else headers["content-encoding"] = rest.join(",");
  }
  if (headers["content-type"] === undefined) headers["content-type"] = "binary/octet-stream";
  const userMetadata: Record<string, string> = {};
  let metaBytes = 0;
  for (const [name, value] of Object.entries(h)) {
    if (!name.startsWith("x-amz-meta-")) continue;
    const key = name.slice("x-amz-meta-".length);
    userMetadata[key] = value;
    metaBytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (metaBytes > USER_METADATA_MAX) {
    throw new S3Error("MetadataTooLarge", undefined, { Size: String(metaBytes), MaxSizeAllowed: String(USER_METADATA_MAX) });
  }
  const storageClass = h["x-amz-storage-class"] ?? "STANDARD";
  if (!(STORAGE_CLASSES as readonly string[]).includes(storageClass)) throw new S3Error("InvalidStorageClass", undefined, { StorageClassRequested: storageClass });
  return { headers, userMetadata, storageClass };
}

/** Adds the headers describing a version on GET/HEAD (without Content-Length / Content-Range) to `out`. */
export function addVersionHeaders(out: Record<string, string>, v: ObjectVersion, versionedBucket: boolean, checksumMode: boolean): void {
  out["etag"] = v.etag;
  out["last-modified"] = httpDate(v.lastModified);
  out["accept-ranges"] = "bytes";
  for (const name in v.headers) out[name] = v.headers[name]!;
  for (const name in v.userMetadata) out[`x-amz-meta-${name}`] = v.userMetadata[name]!;
  if (v.storageClass !== "STANDARD") out["x-amz-storage-class"] = v.storageClass;
  if (versionedBucket) out["x-amz-version-id"] = v.versionId;
  if (v.tags.length > 0) out["x-amz-tagging-count"] = String(v.tags.length);
  if (checksumMode && v.checksum !== undefined) {
    out[checksumHeader(v.checksum.algorithm)] = v.checksum.value;
    out["x-amz-checksum-type"] = v.checksum.type;
  }
}
