import { toXml } from "../../../protocols/xml/xml-writer.js";
import type { ServiceResponse } from "../../../server/service.js";
import { readData } from "../body/data-stream.js";
import { ingestBody } from "../body/ingest.js";
import { S3Error, s3Headers } from "../errors.js";
import { parsePartNumber, requireUpload, uploadIdOf } from "../multipart/params.js";
import type { S3Env, S3Request } from "../request.js";
import { requireBucket, requireKey } from "../shapes/bucket-access.js";
import { checkCopySourceConditions, MAX_COPY_SOURCE, parseCopySource, requireRestoredSource, resolveCopySource } from "../shapes/copy-source.js";
import { isoDate } from "../shapes/http-dates.js";
import { S3_XMLNS } from "../shapes/owner.js";
import type { ByteRange } from "../shapes/range.js";
import { recordPart } from "./upload-part.js";

const RANGE_HEADER = "x-amz-copy-source-range";

/**
 * x-amz-copy-source-range: exactly `bytes=first-last` (S3 refuses other forms with
 * InvalidArgument, unlike GET's Range), inside the source (InvalidArgument naming its size).
 */
export function parseCopySourceRange(raw: string | undefined, size: number): ByteRange | undefined {
  if (raw === undefined) return undefined;
  const m = /^bytes=(\d{1,16})-(\d{1,16})$/.exec(raw.trim());
  if (m === null) {
    throw new S3Error(
      "InvalidArgument",
      "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
      { ArgumentName: RANGE_HEADER, ArgumentValue: raw },
    );
  }
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (start > end || end >= size) {
    throw new S3Error("InvalidArgument", `Range specified is not valid for source object of size: ${size}`, { ArgumentName: RANGE_HEADER, ArgumentValue: raw });
  }
  return { start, end };
}

/** UploadPartCopy: a part made of (a byte range of) an existing object, read server-side. */
export async function uploadPartCopy(req: S3Request, env: S3Env): Promise<ServiceResponse> {
  const bucket = requireBucket(req, env);
  const key = requireKey(req);
  const partNumber = parsePartNumber(req.query.get("partNumber"));
  const upload = requireUpload(env, bucket.name, key, uploadIdOf(req));
  const h = req.http.headers;
  const source = parseCopySource(h["x-amz-copy-source"] ?? "");
  const src = resolveCopySource(env, source);
  // Pin in this tick: the source's blobs must outlive a concurrent overwrite until they are read.
  const unpin = env.pins.pinData(src.data);
  let body;
  try {
    checkCopySourceConditions(h, src);
    requireRestoredSource(src);
    const range = parseCopySourceRange(h[RANGE_HEADER], src.size);
    const start = range?.start ?? 0;
    const end = range?.end ?? src.size - 1;
    const length = end - start + 1;
    // A part copies at most 5 GiB (UploadPartCopy docs: larger sources are copied in ranges).
    if (length > MAX_COPY_SOURCE) {
      throw new S3Error("InvalidRequest", `The specified copy source is larger than the maximum allowable size for a copy source: ${MAX_COPY_SOURCE}`);
    }
    const algorithm = upload.checksum?.algorithm;
    body = await ingestBody(readData(env.blobs, src.data, start, end), env.blobs, {
      expectedLength: length,
      checksum: algorithm,
      signal: env.ctx.signal,
      alwaysBlob: true,
    });
  } finally {
    unpin();
  }
  const part = await recordPart(env, bucket.name, key, upload, partNumber, body, upload.checksum?.algorithm);

  const headers: Record<string, string> = { ...s3Headers(env.ctx), "content-type": "application/xml" };
  const sourceBucket = env.objects.getBucket(source.bucket);
  if (source.versionId !== undefined || (sourceBucket !== undefined && sourceBucket.versioning !== "Unversioned")) {
    headers["x-amz-copy-source-version-id"] = src.versionId;
  }
  const result: Record<string, string> = { ETag: part.etag, LastModified: isoDate(part.lastModified) };
  const checksum = upload.checksum;
  if (checksum !== undefined) {
    const value = Object.values(part.checksumHeaders)[0];
    if (value !== undefined) result[`Checksum${checksum.algorithm}`] = value;
  }
  return { status: 200, headers, body: toXml("CopyPartResult", result, S3_XMLNS) };
}
