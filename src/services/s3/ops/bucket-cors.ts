import { toXml } from "../../../protocols/xml/xml-writer.js";
import type { ServiceResponse } from "../../../server/service.js";
import { readConfigBody } from "../body/config-body.js";
import { bucketCorsRules } from "../cors/evaluate.js";
import { CORS_CONFIG, corsRulesXml, encodeCorsRules, parseCorsXml } from "../cors/rules.js";
import { S3Error, s3Headers } from "../errors.js";
import type { S3Env, S3Request } from "../request.js";
import { requireBucket } from "../shapes/bucket-access.js";
import { S3_XMLNS } from "../shapes/owner.js";

/** PutBucketCors: replaces the bucket's CORS rules (validated as S3 validates them). */
export async function putBucketCors(req: S3Request, env: S3Env): Promise<ServiceResponse> {
  const bucket = requireBucket(req, env);
  const body = await readConfigBody(req, true);
  const rules = parseCorsXml(body);
  await env.objects.putBucketConfig(bucket.name, CORS_CONFIG, encodeCorsRules(rules));
  return { status: 200, headers: s3Headers(env.ctx) };
}

/** GetBucketCors: NoSuchCORSConfiguration when the bucket has none (GetBucketCors docs). */
export async function getBucketCors(req: S3Request, env: S3Env): Promise<ServiceResponse> {
  const bucket = requireBucket(req, env);
  const rules = bucketCorsRules(env.objects, bucket.name);
  if (rules === undefined) throw new S3Error("NoSuchCORSConfiguration", undefined, { BucketName: bucket.name });
  return {
    status: 200,
    headers: { ...s3Headers(env.ctx), "content-type": "application/xml" },
    body: toXml("CORSConfiguration", { CORSRule: corsRulesXml(rules) }, S3_XMLNS),
  };
}

/** DeleteBucketCors: removes the rules; 204 whether or not there were any. */
export async function deleteBucketCors(req: S3Request, env: S3Env): Promise<ServiceResponse> {
  const bucket = requireBucket(req, env);
  await env.objects.putBucketConfig(bucket.name, CORS_CONFIG, undefined);
  return { status: 204, headers: s3Headers(env.ctx) };
}
