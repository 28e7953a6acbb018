import type { ChecksumType } from "../../../storage/objects/upload-store.js";
import { createHasher, parseAlgorithm, type ChecksumAlgorithm } from "../checksums.js";
import { S3Error } from "../errors.js";
import { crcOfParts, isCombinable } from "./crc-combine.js";

/** The checksum a multipart upload was created with. */
export interface UploadChecksum {
  readonly algorithm: ChecksumAlgorithm;
  readonly type: ChecksumType;
}

/**
 * CreateMultipartUpload's x-amz-checksum-algorithm and x-amz-checksum-type. COMPOSITE is the
 * default except for CRC64NVME, which is FULL_OBJECT only; SHA checksums cannot be FULL_OBJECT
 * (S3 User Guide, "Checking object integrity": "Using full object checksums for multipart upload").
 */
export function parseUploadChecksum(h: Readonly<Record<string, string>>): UploadChecksum | undefined {
  const rawAlgorithm = h["x-amz-checksum-algorithm"];
  const rawType = h["x-amz-checksum-type"];
  const algorithm = parseAlgorithm(rawAlgorithm);
  if (rawAlgorithm !== undefined && algorithm === undefined) {
    throw new S3Error("InvalidRequest", "Value for x-amz-checksum-algorithm header is invalid.");
  }
  let type: ChecksumType | undefined;
  if (rawType !== undefined) {
    const upper = rawType.toUpperCase();
    if (upper !== "COMPOSITE" && upper !== "FULL_OBJECT") throw new S3Error("InvalidRequest", "Value for x-amz-checksum-type header is invalid.");
    type = upper;
  }
  if (algorithm === undefined) {
    if (type !== undefined) {
      throw new S3Error("InvalidRequest", "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.");
    }
    return undefined;
  }
  const chosen: ChecksumType = type ?? (algorithm === "CRC64NVME" ? "FULL_OBJECT" : "COMPOSITE");
  if (chosen === "FULL_OBJECT" && !isCombinable(algorithm)) {
    throw new S3Error("InvalidRequest", `The FULL_OBJECT checksum type cannot be used with the ${algorithm.toLowerCase()} checksum algorithm.`);
  }
  if (chosen === "COMPOSITE" && algorithm === "CRC64NVME") {
    throw new S3Error("InvalidRequest", "The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.");
  }
  return { algorithm, type: chosen };
}

/**
 * The object's checksum from its parts' checksums (base64) and sizes, in order: a COMPOSITE
 * checksum is the algorithm over the concatenated binary part checksums, suffixed "-N"; a
 * FULL_OBJECT CRC is the CRC of all the bytes, combined from the part CRCs.
 */
export async function objectChecksum(c: UploadChecksum, parts: ReadonlyArray<{ readonly checksum: string; readonly size: number }>): Promise<string> {
  if (c.type === "FULL_OBJECT") {
    if (!isCombinable(c.algorithm)) throw new Error(`${c.algorithm} cannot be a full-object checksum`);
    return crcOfParts(
      c.algorithm,
      parts.map((p) => ({ crc: Buffer.from(p.checksum, "base64"), size: p.size })),
    ).toString("base64");
  }
  const h = createHasher(c.algorithm);
  for (const p of parts) h.update(Buffer.from(p.checksum, "base64"));
  return `${(await h.digest()).toString("base64")}-${parts.length}`;
}

/** The multipart ETag: MD5 of the concatenated binary part MD5s, then "-N" (quoted). */
export async function multipartEtag(partEtags: readonly string[]): Promise<string> {
  const h = createHasher("MD5");
  for (const etag of partEtags) h.update(Buffer.from(etag.replace(/"/g, ""), "hex"));
  return `"${(await h.digest()).toString("hex")}-${partEtags.length}"`;
}
