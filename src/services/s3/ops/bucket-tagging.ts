import { toXml } from "../../../protocols/xml/xml-writer.js";
import type { ServiceResponse } from "../../../server/service.js";
import { readConfigBody } from "../body/config-body.js";
import { S3Error, s3Headers } from "../errors.js";
import type { S3Env, S3Request } from "../request.js";
import { requireBucket } from "../shapes/bucket-access.js";
import { S3_XMLNS } from "../shapes/owner.js";
import { decodeTagSet, encodeTagSet, parseTaggingXml, tagSetXml } from "../shapes/tagging.js";

/** The bucket configuration kind bucket tags are stored under. */
export const TAGGING_CONFIG = "tagging";

/** PutBucketTagging: replaces the bucket's tag set (at most 50 tags); 204 as S3 answers it. */
export async function putBucketTagging(req: S3Request, env: S3Env): Promise<ServiceResponse> {
  const bucket = requireBucket(req, env);
  const body = await readConfigBody(req, true);
  const tags = parseTaggingXml(body, "bucket");
  await env.objects.putBucketConfig(bucket.name, TAGGING_CONFIG, tags.length === 0 ? undefined : encodeTagSet(tags));
  return { status: 204, headers: s3Headers(env.ctx) };
}

/** GetBucketTagging: NoSuchTagSet when the bucket has no tags (GetBucketTagging docs). */
export async function getBucketTagging(req: S3Request, env: S3Env): Promise<ServiceResponse> {
  const bucket = requireBucket(req, env);
  const doc = env.objects.getBucketConfig(bucket.name, TAGGING_CONFIG);
  const tags = doc === undefined ? [] : decodeTagSet(doc);
  if (tags.length === 0) throw new S3Error("NoSuchTagSet", undefined, { BucketName: bucket.name });
  return {
    status: 200,
    headers: { ...s3Headers(env.ctx), "content-type": "application/xml" },
    body: toXml("Tagging", { TagSet: tagSetXml(tags) }, S3_XMLNS),
  };
}

/** DeleteBucketTagging: removes the tag set; 204 whether or not there was one. */
export async function deleteBucketTagging(req: S3Request, env: S3Env): Promise<ServiceResponse> {
  const bucket = requireBucket(req, env);
  await env.objects.putBucketConfig(bucket.name, TAGGING_CONFIG, undefined);
  return { status: 204, headers: s3Headers(env.ctx) };
}
