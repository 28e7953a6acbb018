import { toXml } from "../../../protocols/xml/xml-writer.js";
import type { ServiceResponse } from "../../../server/service.js";
import { s3Headers } from "../errors.js";
import { newUploadId } from "../multipart/params.js";
import { parseUploadChecksum } from "../multipart/object-checksum.js";
import type { S3Env, S3Request } from "../request.js";
import { parseNewObject } from "../shapes/new-object.js";
import { S3_XMLNS } from "../shapes/owner.js";

/**
 * CreateMultipartUpload: records the upload with everything the object will carry (content
 * headers, metadata, tags, storage class, checksum algorithm and type).
 */
export async function createMultipartUpload(req: S3Request, env: S3Env): Promise<ServiceResponse> {
  const { bucket, key, write, tags } = parseNewObject(req, env);
  const checksum = parseUploadChecksum(req.http.headers);
  const now = env.ctx.clock.now();
  const uploadId = newUploadId(now);
  await env.objects.createUpload({
    bucket: bucket.name,
    key,
    uploadId,
    initiated: now,
    ownerAccountId: env.ctx.principal.accountId,
    storageClass: write.storageClass,
    headers: write.headers,
    userMetadata: write.userMetadata,
    tags,
    checksum,
  });
  const headers: Record<string, string> = { ...s3Headers(env.ctx), "content-type": "application/xml" };
  if (checksum !== undefined) {
    headers["x-amz-checksum-algorithm"] = checksum.algorithm;
    headers["x-amz-checksum-type"] = checksum.type;
  }
  return {
    status: 200,
    headers,
    body: toXml("InitiateMultipartUploadResult", { Bucket: bucket.name, Key: key, UploadId: uploadId }, S3_XMLNS),
  };
}
