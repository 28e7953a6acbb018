import { toXml } from "../../../protocols/xml/xml-writer.js";
import type { ServiceResponse } from "../../../server/service.js";
import type { BucketRecord } from "../../../storage/objects/object-store.js";
import { readConfigBody } from "../body/config-body.js";
import { S3Error, s3Headers } from "../errors.js";
import type { S3Env, S3Request } from "../request.js";
import { requireBucket, requireKey } from "../shapes/bucket-access.js";
import { S3_XMLNS } from "../shapes/owner.js";
import { parseTaggingXml, tagSetXml, type TagSet } from "../shapes/tagging.js";
import { resolveVersion } from "./get-object.js";

/** x-amz-version-id names the version in a bucket that has ever had versioning (as on GET). */
const versionIdHeader = (bucket: BucketRecord, versionId: string): Record<string, string> =>
  bucket.versioning === "Unversioned" ? {} : { "x-amz-version-id": versionId };

/**
 * Replaces the tags of the version a request addresses (the latest, or ?versionId). A latest
 * delete marker is 404 NoSuchKey and a marker named by version id 405 MethodNotAllowed, as for
 * GET (resolveVersion). Answers with x-amz-version-id of the version whose tags changed.
 */
async function setObjectTags(req: S3Request, env: S3Env, tags: TagSet, status: number): Promise<ServiceResponse> {
  const bucket = requireBucket(req, env);
  const key = requireKey(req);
  const v = resolveVersion(req, env, key, bucket.versioning !== "Unversioned");
  const found = await env.objects.setTags(bucket.name, key, v.versionId, tags);
  // A concurrent delete of that very version between the read and the commit.
  if (!found) {
    if (req.query.has("versionId")) throw new S3Error("NoSuchVersion", undefined, { Key: key, VersionId: v.versionId });
    throw new S3Error("NoSuchKey", undefined, { Key: key });
  }
  return { status, headers: { ...s3Headers(env.ctx), ...versionIdHeader(bucket, v.versionId) } };
}

/** PutObjectTagging: replaces the whole tag set (at most 10 tags) of one version. */
export async function putObjectTagging(req: S3Request, env: S3Env): Promise<ServiceResponse> {
  requireBucket(req, env);
  const body = await readConfigBody(req, true);
  const tags = parseTaggingXml(body, "object");
  return setObjectTags(req, env, tags, 200);
}

/** DeleteObjectTagging: removes every tag of one version; 204 (DeleteObjectTagging docs). */
export async function deleteObjectTagging(req: S3Request, env: S3Env): Promise<ServiceResponse> {
  return setObjectTags(req, env, [], 204);
}

/** GetObjectTagging: the tag set of one version (an empty TagSet when it has none). */
export async function getObjectTagging(req: S3Request, env: S3Env): Promise<ServiceResponse> {
  const bucket = requireBucket(req, env);
  const key = requireKey(req);
  const v = resolveVersion(req, env, key, bucket.versioning !== "Unversioned");
  return {
    status: 200,
    headers: { ...s3Headers(env.ctx), "content-type": "application/xml", ...versionIdHeader(bucket, v.versionId) },
    body: toXml("Tagging", { TagSet: tagSetXml(v.tags) }, S3_XMLNS),
  };
}
