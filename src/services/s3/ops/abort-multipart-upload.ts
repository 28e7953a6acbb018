import type { ServiceResponse } from "../../../server/service.js";
import { NoSuchUploadError } from "../../../storage/objects/upload-store.js";
import { s3Headers } from "../errors.js";
import { noSuchUpload, uploadIdOf } from "../multipart/params.js";
import type { S3Env, S3Request } from "../request.js";
import { requireBucket, requireKey } from "../shapes/bucket-access.js";

/** AbortMultipartUpload: drops the upload and frees its parts (once no reader streams them). */
export async function abortMultipartUpload(req: S3Request, env: S3Env): Promise<ServiceResponse> {
  const bucket = requireBucket(req, env);
  const key = requireKey(req);
  const uploadId = uploadIdOf(req);
  try {
    const result = await env.objects.abortUpload(bucket.name, key, uploadId);
    env.pins.release(result.released);
  } catch (err) {
    if (err instanceof NoSuchUploadError) throw noSuchUpload(uploadId);
    throw err;
  }
  return { status: 204, headers: s3Headers(env.ctx) };
}
