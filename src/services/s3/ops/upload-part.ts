import type { ServiceResponse } from "../../../server/service.js";
import type { UploadRecord } from "../../../storage/objects/upload-store.js";
import { parseChecksumRequest, verifyChecksums } from "../body/checksum-request.js";
import { declaredLength } from "../body/declared-length.js";
import { ingestBody, type Ingested } from "../body/ingest.js";
import { checksumHeader, type ChecksumAlgorithm } from "../checksums.js";
import { S3Error, s3Headers } from "../errors.js";
import { MAX_PART_SIZE, parsePartNumber, requireUpload, uploadIdOf } from "../multipart/params.js";
import type { S3Env, S3Request } from "../request.js";
import { requireBucket, requireKey } from "../shapes/bucket-access.js";

/**
 * The algorithm a part's checksum is computed with: the upload's, or (for an upload created
 * without one) whatever the part request carries. A part sent with another algorithm than the
 * upload's is refused, as S3 refuses it.
 */
export function partAlgorithm(upload: UploadRecord, sent: ChecksumAlgorithm | undefined): ChecksumAlgorithm | undefined {
  const wanted = upload.checksum?.algorithm;
  if (wanted !== undefined && sent !== undefined && sent !== wanted) {
    throw new S3Error(
      "InvalidRequest",
      `Checksum Type mismatch occurred, expected checksum Type: ${wanted.toLowerCase()}, actual checksum Type: ${sent.toLowerCase()}`,
    );
  }
  return wanted ?? sent;
}

/** Records a freshly written part blob; frees it if the upload went away meanwhile. Returns the response headers. */
export async function recordPart(
  env: S3Env,
  bucket: string,
  key: string,
  upload: UploadRecord,
  partNumber: number,
  body: Ingested,
  algorithm: ChecksumAlgorithm | undefined,
): Promise<{ etag: string; lastModified: number; checksumHeaders: Record<string, string> }> {
  if (body.data.kind !== "blob") throw new Error("a part must be stored as a blob");
  const etag = `"${body.md5Hex}"`;
  const lastModified = env.ctx.clock.now();
  const checksum = algorithm !== undefined && body.checksumValue !== undefined ? { algorithm, value: body.checksumValue } : undefined;
  try {
    const result = await env.objects.putPart(bucket, key, upload.uploadId, {
      partNumber,
      blobId: body.data.blobId,
      size: body.size,
      etag,
      lastModified,
      checksum,
    });
    env.pins.release(result.released);
  } catch (err) {
    env.pins.release([body.data]);
    throw err;
  }
  const checksumHeaders: Record<string, string> = {};
  if (checksum !== undefined) checksumHeaders[checksumHeader(checksum.algorithm)] = checksum.value;
  return { etag, lastModified, checksumHeaders };
}

/** UploadPart: streams one part (up to 5 GiB) into its own blob, verifying MD5 and checksums. */
export async function uploadPart(req: S3Request, env: S3Env): Promise<ServiceResponse> {
  const bucket = requireBucket(req, env);
  const key = requireKey(req);
  const partNumber = parsePartNumber(req.query.get("partNumber"));
  const upload = requireUpload(env, bucket.name, key, uploadIdOf(req));
  const h = req.http.headers;
  const expectedLength = declaredLength(h, MAX_PART_SIZE);
  const sums = parseChecksumRequest(h);
  const algorithm = partAlgorithm(upload, sums.algorithm);

  const body = await ingestBody(req.http.body, env.blobs, {
    expectedLength,
    checksum: algorithm,
    signal: env.ctx.signal,
    alwaysBlob: true,
    releaseChunks: true,
    // A part is read back only after CompleteMultipartUpload, often much later: writing it around
    // the page cache spares ~1.5-2.5 s of kernel CPU per GiB here (copies into new cache pages).
    direct: true,
  });
  try {
    verifyChecksums(sums, req.http.trailers, body.md5Hex, body.checksumValue);
  } catch (err) {
    env.pins.release([body.data]);
    throw err;
  }
  const part = await recordPart(env, bucket.name, key, upload, partNumber, body, algorithm);
  return { status: 200, headers: { ...s3Headers(env.ctx), etag: part.etag, ...part.checksumHeaders } };
}
