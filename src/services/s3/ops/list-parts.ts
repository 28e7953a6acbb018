import { toXml, type XmlNode } from "../../../protocols/xml/xml-writer.js";
import type { ServiceResponse } from "../../../server/service.js";
import { NoSuchUploadError } from "../../../storage/objects/upload-store.js";
import { S3Error, s3Headers } from "../errors.js";
import { noSuchUpload, parseMaxEntries, requireUpload, uploadIdOf } from "../multipart/params.js";
import type { S3Env, S3Request } from "../request.js";
import { requireBucket, requireKey } from "../shapes/bucket-access.js";
import { isoDate } from "../shapes/http-dates.js";
import { ownerXml, S3_XMLNS } from "../shapes/owner.js";

/** part-number-marker: absent or empty means from the start; otherwise a non-negative integer. */
function parsePartNumberMarker(query: URLSearchParams): number {
  const raw = query.get("part-number-marker");
  if (raw === null || raw === "") return 0;
  const n = /^\d{1,10}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n > 2_147_483_647) {
    throw new S3Error("InvalidArgument", "Provided part-number-marker not an integer or within integer range", {
      ArgumentName: "part-number-marker",
      ArgumentValue: raw,
    });
  }
  return n;
}

/** ListParts: an upload's parts in part-number order, paged by part-number-marker / max-parts. */
export async function listParts(req: S3Request, env: S3Env): Promise<ServiceResponse> {
  const bucket = requireBucket(req, env);
  const key = requireKey(req);
  const uploadId = uploadIdOf(req);
  const marker = parsePartNumberMarker(req.query);
  const max = parseMaxEntries(req.query, "max-parts");
  const upload = requireUpload(env, bucket.name, key, uploadId);
  let parts;
  try {
    parts = env.objects.listParts(bucket.name, key, uploadId, marker, max.served + 1);
  } catch (err) {
    if (err instanceof NoSuchUploadError) throw noSuchUpload(uploadId);
    throw err;
  }
  const truncated = parts.length > max.served;
  const shown = parts.slice(0, max.served);
  const owner = ownerXml(upload.ownerAccountId);
  const body: { [name: string]: XmlNode } = {
    Bucket: bucket.name,
    Key: key,
    UploadId: uploadId,
    PartNumberMarker: marker,
    NextPartNumberMarker: shown.length > 0 ? shown[shown.length - 1]!.partNumber : undefined,
    MaxParts: max.asked,
    IsTruncated: truncated,
    Part: shown.map((p) => ({
      PartNumber: p.partNumber,
      LastModified: isoDate(p.lastModified),
      ETag: p.etag,
      Size: p.size,
      ...(p.checksum !== undefined ? { [`Checksum${p.checksum.algorithm}`]: p.checksum.value } : {}),
    })),
    Initiator: owner,
    Owner: owner,
    StorageClass: upload.storageClass,
    ChecksumAlgorithm: upload.checksum?.algorithm,
    ChecksumType: upload.checksum?.type,
  };
  return { status: 200, headers: { ...s3Headers(env.ctx), "content-type": "application/xml" }, body: toXml("ListPartsResult", body, S3_XMLNS) };
}
