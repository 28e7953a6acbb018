import type { BucketRecord } from "../../../storage/objects/object-store.js";
import { S3Error } from "../errors.js";
import type { S3Env, S3Request } from "../request.js";

/**
 * The bucket a request names, or NoSuchBucket. A bucket owned by another account answers
 * AccessDenied, as S3 does when no policy grants access.
 */
export function requireBucket(req: S3Request, env: S3Env): BucketRecord {
  const name = req.bucket;
  if (name === undefined) throw new S3Error("NoSuchBucket");
  const bucket = env.objects.getBucket(name);
  if (bucket === undefined) throw new S3Error("NoSuchBucket", undefined, { BucketName: name });
  if (bucket.ownerAccountId !== env.ctx.principal.accountId) throw new S3Error("AccessDenied");
  return bucket;
}

/** The key a request names (the router only sends object operations here). */
export function requireKey(req: S3Request): string {
  if (req.key === undefined) throw new S3Error("InvalidRequest", "Missing key");
  return req.key;
}
