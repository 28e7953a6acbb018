import { createHash } from "node:crypto";
import { children, parseXml, text, type XmlValue } from "../../../protocols/xml/xml-reader.js";
import { toXml } from "../../../protocols/xml/xml-writer.js";
import type { ServiceResponse } from "../../../server/service.js";
import type { ObjectVersion, PartRef, StoredChecksum } from "../../../storage/objects/object-store.js";
import { NoSuchUploadError, PartChangedError, type PartRecord, type UploadRecord } from "../../../storage/objects/upload-store.js";
import { readBodyText } from "../body/read-text.js";
import { CHECKSUM_ALGORITHMS, checksumHeader, type ChecksumAlgorithm } from "../checksums.js";
import { S3Error, s3Headers } from "../errors.js";
import { multipartEtag, objectChecksum } from "../multipart/object-checksum.js";
import { bareEtag, MAX_PART_NUMBER, MIN_PART_SIZE, noSuchUpload, parsePartNumber, uploadIdOf } from "../multipart/params.js";
import type { S3Env, S3Request } from "../request.js";
import { requireBucket, requireKey } from "../shapes/bucket-access.js";
import { S3_XMLNS } from "../shapes/owner.js";
import { newVersionId } from "../shapes/version-ids.js";
import { writePreconditions } from "./put-object.js";

/** How long a completed upload's answer is remembered for retried Completes (S3 names no figure). */
export const COMPLETION_MEMORY_MS = 24 * 60 * 60 * 1000;

/** One <Part> of the request: the number, the ETag and any checksums the client sent. */
interface RequestedPart {
  readonly partNumber: number;
  readonly etag: string;
  readonly checksums: ReadonlyMap<ChecksumAlgorithm, string>;
}

/** Parses the CompleteMultipartUpload document (MalformedXML when it has no parts). */
function parseParts(body: string): RequestedPart[] {
  if (body.trim() === "") throw new S3Error("MalformedXML");
  const root = parseXml(body)["CompleteMultipartUpload"];
  if (root === undefined || typeof root !== "object" || Array.isArray(root)) throw new S3Error("MalformedXML");
  const parts = children(root, "Part").map((p: XmlValue) => {
    const number = text(p, "PartNumber");
    const etag = text(p, "ETag");
    if (number === undefined || etag === undefined) throw new S3Error("MalformedXML");
    const checksums = new Map<ChecksumAlgorithm, string>();
    for (const a of CHECKSUM_ALGORITHMS) {
      const v = text(p, `Checksum${a}`);
      if (v !== undefined) checksums.set(a, v.trim());
    }
    return { partNumber: parsePartNumber(number.trim()), etag: bareEtag(etag), checksums };
  });
  if (parts.length === 0) throw new S3Error("MalformedXML");
  return parts;
}

/** Identifies a parts list, so a retried Complete can be told from a different one. */
const partsDigest = (parts: readonly RequestedPart[]): string =>
  createHash("sha256")
    .update(parts.map((p) => `${p.partNumber}:${p.etag}`).join("\n"))
    .digest("base64url");

const invalidPart = (uploadId: string, p: RequestedPart): S3Error =>
  new S3Error("InvalidPart", undefined, { UploadId: uploadId, PartNumber: String(p.partNumber), ETag: p.etag });

/**
 * Checks the requested list against the stored parts, with S3's errors: InvalidPartOrder (not
 * strictly ascending), InvalidPart (missing, wrong ETag, wrong checksum), EntityTooSmall (a part
 * before the last under 5 MiB), and the per-part checksums a COMPOSITE upload requires.
 */
function matchParts(upload: UploadRecord, requested: readonly RequestedPart[], stored: ReadonlyMap<number, PartRecord>): PartRecord[] {
  const out: PartRecord[] = [];
  let previous = 0;
  for (const p of requested) {
    if (p.partNumber <= previous) throw new S3Error("InvalidPartOrder", undefined, { UploadId: upload.uploadId });
    previous = p.partNumber;
  }
  requested.forEach((p, i) => {
    const part = stored.get(p.partNumber);
    if (part === undefined || bareEtag(part.etag) !== p.etag) throw invalidPart(upload.uploadId, p);
    for (const [algorithm, value] of p.checksums) {
      if (part.checksum === undefined || part.checksum.algorithm !== algorithm || part.checksum.value !== value) throw invalidPart(upload.uploadId, p);
    }
    const c = upload.checksum;
    if (c !== undefined && c.type === "COMPOSITE" && !p.checksums.has(c.algorithm)) {
      throw new S3Error(
        "InvalidRequest",
        `The upload was created using a ${c.algorithm.toLowerCase()} checksum. The complete request must include the checksum for each part. It was missing for part ${p.partNumber} in the request.`,
      );
    }
    if (i < requested.length - 1 && part.size < MIN_PART_SIZE) {
      throw new S3Error("EntityTooSmall", undefined, {
        ProposedSize: String(part.size),
        MinSizeAllowed: String(MIN_PART_SIZE),
        PartNumber: String(p.partNumber),
        ETag: p.etag,
      });
    }
    out.push(part);
  });
  return out;
}

/** Checks the whole-object checksum, checksum type and size a client may state on the Complete request. */
function checkStatedTotals(h: Readonly<Record<string, string>>, upload: UploadRecord, checksum: StoredChecksum | undefined, size: number): void {
  const type = h["x-amz-checksum-type"]?.toUpperCase();
  if (type !== undefined && type !== upload.checksum?.type) {
    throw new S3Error(
      "InvalidRequest",
      upload.checksum === undefined
        ? "The upload was created without a checksum. The complete request must not specify a checksum type."
        : `The upload was created using the ${upload.checksum.type} checksum mode. The complete request must use the same checksum mode.`,
    );
  }
  const stated = h["x-amz-mp-object-size"];
  if (stated !== undefined && (!/^\d+$/.test(stated) || Number(stated) !== size)) {
    throw new S3Error("InvalidRequest", `The provided 'x-amz-mp-object-size' header value ${stated} does not match what was computed: ${size}`);
  }
  for (const a of CHECKSUM_ALGORITHMS) {
    const sent = h[checksumHeader(a)];
    if (sent === undefined) continue;
    const strip = (v: string): string => v.replace(/-\d+$/, "");
    if (checksum === undefined || checksum.algorithm !== a || strip(sent) !== strip(checksum.value)) {
      throw new S3Error("BadDigest", `The ${a.toLowerCase()} you specified did not match the calculated checksum.`);
    }
  }
}

function answer(env: S3Env, req: S3Request, versioned: boolean, done: { key: string; bucket: string; etag: string; versionId: string; checksum: StoredChecksum | undefined }): ServiceResponse {
  const headers: Record<string, string> = { ...s3Headers(env.ctx), "content-type": "application/xml" };
  if (versioned) headers["x-amz-version-id"] = done.versionId;
  const host = req.http.headers["host"] ?? req.http.hostname;
  const path = done.key.split("/").map(encodeURIComponent).join("/");
  const body: Record<string, string> = {
    Location: `http://${host}/${encodeURIComponent(done.bucket)}/${path}`,
    Bucket: done.bucket,
    Key: done.key,
    ETag: done.etag,
  };
  if (done.checksum !== undefined) {
    body[`Checksum${done.checksum.algorithm}`] = done.checksum.value;
    body["ChecksumType"] = done.checksum.type;
  }
  return { status: 200, headers, body: toXml("CompleteMultipartUploadResult", body, S3_XMLNS) };
}

/**
 * CompleteMultipartUpload: validates the parts list, then in one commit makes the parts the new
 * version's data (no byte is copied, so 5 GiB completes as fast as 5 KiB) and drops the upload.
 * A retried Complete of a finished upload with the same list answers the same result, as S3 does.
 */
export async function completeMultipartUpload(req: S3Request, env: S3Env): Promise<ServiceResponse> {
  const bucket = requireBucket(req, env);
  const key = requireKey(req);
  const uploadId = uploadIdOf(req);
  const h = req.http.headers;
  const precondition = writePreconditions(h);
  const requested = parseParts(await readBodyText(req.http.body, 8 * 1024 * 1024));
  const digest = partsDigest(requested);
  const versioned = bucket.versioning !== "Unversioned";
  const replay = (): ServiceResponse => {
    const done = env.objects.getCompletedUpload(bucket.name, key, uploadId);
    if (done === undefined || done.partsDigest !== digest) throw noSuchUpload(uploadId);
    return answer(env, req, versioned, done);
  };

  const upload = uploadId === "" ? undefined : env.objects.getUpload(bucket.name, key, uploadId);
  if (upload === undefined) return replay();
  const stored = new Map(env.objects.listParts(bucket.name, key, uploadId, 0, MAX_PART_NUMBER).map((p) => [p.partNumber, p]));
  const parts = matchParts(upload, requested, stored);

  const size = parts.reduce((sum, p) => sum + p.size, 0);
  const etag = await multipartEtag(parts.map((p) => p.etag));
  let checksum: StoredChecksum | undefined;
  const c = upload.checksum;
  if (c !== undefined) {
    const sums = parts.map((p) => ({ checksum: p.checksum?.algorithm === c.algorithm ? p.checksum.value : undefined, size: p.size }));
    if (sums.every((s): s is { checksum: string; size: number } => s.checksum !== undefined)) {
      checksum = { algorithm: c.algorithm, type: c.type, value: await objectChecksum(c, sums) };
    }
  }
  checkStatedTotals(h, upload, checksum, size);

  const data: PartRef[] = parts.map((p) => ({
    blobId: p.blobId,
    size: p.size,
    partNumber: p.partNumber,
    etag: p.etag,
    checksum: c !== undefined && p.checksum?.algorithm === c.algorithm ? p.checksum.value : undefined,
  }));
  const now = env.ctx.clock.now();
  const version: ObjectVersion = {
    bucket: bucket.name,
    key,
    versionId: bucket.versioning === "Enabled" ? newVersionId() : "null",
    isDeleteMarker: false,
    size,
    etag,
    lastModified: now,
    storageClass: upload.storageClass,
    ownerAccountId: upload.ownerAccountId,
    headers: upload.headers,
    userMetadata: upload.userMetadata,
    checksum,
    tags: upload.tags,
    data: { kind: "parts", parts: data },
  };
  try {
    const result = await env.objects.completeUpload({ uploadId, version, partsDigest: digest, precondition, forgetBefore: now - COMPLETION_MEMORY_MS });
    env.pins.release(result.released);
  } catch (err) {
    // A concurrent Complete of the same upload may have won: answer as it did.
    if (err instanceof NoSuchUploadError) return replay();
    if (err instanceof PartChangedError) {
      const p = requested.find((r) => r.partNumber === err.partNumber);
      throw p === undefined ? noSuchUpload(uploadId) : invalidPart(uploadId, p);
    }
    if (err instanceof S3Error && err.code === "NoSuchKey") throw new S3Error("NoSuchKey", undefined, { Key: key });
    throw err;
  }
  return answer(env, req, versioned, { key, bucket: bucket.name, etag, versionId: version.versionId, checksum });
}
