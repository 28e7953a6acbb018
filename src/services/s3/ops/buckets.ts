import type { ServiceResponse } from "../../../server/service.js";
import { child, parseXml, text } from "../../../protocols/xml/xml-reader.js";
import { toXml } from "../../../protocols/xml/xml-writer.js";
import { BucketExistsError } from "../../../storage/objects/object-store.js";
import { readBodyText } from "../body/read-text.js";
import { S3Error, s3Headers } from "../errors.js";
import type { S3Env, S3Request } from "../request.js";
import { requireBucket } from "../shapes/bucket-access.js";
import { assertBucketName } from "../shapes/bucket-name.js";
import { isoDate } from "../shapes/http-dates.js";
import { ownerXml, S3_XMLNS } from "../shapes/owner.js";

const xml = (env: S3Env, body: string, status = 200): ServiceResponse => ({
  status,
  headers: { ...s3Headers(env.ctx), "content-type": "application/xml" },
  body,
});

/** CreateBucket, with S3's LocationConstraint rules for the region this server answers for. */
export async function createBucket(req: S3Request, env: S3Env): Promise<ServiceResponse> {
  const name = req.bucket!;
  assertBucketName(name);
  const body = await readBodyText(req.http.body, 64 * 1024);
  let constraint: string | undefined;
  if (body.trim() !== "") {
    const doc = child(parseXml(body), "CreateBucketConfiguration");
    if (doc === undefined) throw new S3Error("MalformedXML");
    constraint = text(doc, "LocationConstraint");
    if (constraint === "") constraint = undefined;
  }
  const region = env.config.region;
  // us-east-1 takes no LocationConstraint; elsewhere it must name the endpoint's region (CreateBucket docs).
  if (region === "us-east-1") {
    if (constraint !== undefined && constraint !== "us-east-1") {
      throw new S3Error("IllegalLocationConstraintException", `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`);
    }
    if (constraint === "us-east-1") throw new S3Error("InvalidLocationConstraint", undefined, { LocationConstraint: constraint });
  } else if (constraint !== region) {
    throw new S3Error(
      "IllegalLocationConstraintException",
      constraint === undefined
        ? "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to."
        : `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`,
    );
  }
  try {
    await env.objects.createBucket({
      name,
      ownerAccountId: env.ctx.principal.accountId,
      region,
      createdAt: env.ctx.clock.now(),
      versioning: "Unversioned",
    });
  } catch (err) {
    if (!(err instanceof BucketExistsError)) throw err;
    if (err.ownerAccountId !== env.ctx.principal.accountId) throw new S3Error("BucketAlreadyExists", undefined, { BucketName: name });
    // For legacy compatibility us-east-1 answers 200 to re-creating your own bucket (CreateBucket docs).
    if (region !== "us-east-1") throw new S3Error("BucketAlreadyOwnedByYou", undefined, { BucketName: name });
  }
  return { status: 200, headers: { ...s3Headers(env.ctx), location: `/${name}` } };
}

export async function headBucket(req: S3Request, env: S3Env): Promise<ServiceResponse> {
  const bucket = requireBucket(req, env);
  return { status: 200, headers: { ...s3Headers(env.ctx), "x-amz-bucket-region": bucket.region, "x-amz-access-point-alias": "false" } };
}

export async function deleteBucket(req: S3Request, env: S3Env): Promise<ServiceResponse> {
  const bucket = requireBucket(req, env);
  const result = await env.objects.deleteBucket(bucket.name);
  env.pins.release(result.released);
  return { status: 204, headers: s3Headers(env.ctx) };
}

export async function getBucketLocation(req: S3Request, env: S3Env): Promise<ServiceResponse> {
  const bucket = requireBucket(req, env);
  // us-east-1 buckets report an empty LocationConstraint (GetBucketLocation docs).
  const body = toXml("LocationConstraint", {}, S3_XMLNS).replace(
    "</LocationConstraint>",
    `${bucket.region === "us-east-1" ? "" : bucket.region}</LocationConstraint>`,
  );
  return xml(env, body);
}

/** ListBuckets with prefix, max-buckets and continuation-token paging. */
export async function listBuckets(req: S3Request, env: S3Env): Promise<ServiceResponse> {
  const prefix = req.query.get("prefix") ?? "";
  const maxText = req.query.get("max-buckets");
  let max = 10_000;
  if (maxText !== null) {
    max = Number(maxText);
    if (!/^\d+$/.test(maxText) || max < 1 || max > 10_000) {
      throw new S3Error("InvalidArgument", "Argument max-buckets must be an integer between 1 and 10000", { ArgumentName: "max-buckets", ArgumentValue: maxText });
    }
  }
  const token = req.query.get("continuation-token");
  let after: string | undefined;
  if (token !== null) {
    after = Buffer.from(token, "base64url").toString("utf8");
    if (token === "" || after === "") throw new S3Error("InvalidArgument", "The continuation token provided is incorrect", { ArgumentName: "continuation-token" });
  }
  const region = req.query.get("bucket-region");
  const page = env.objects
    .listBuckets(env.ctx.principal.accountId, prefix, after, max + 1)
    .filter((b) => region === null || b.region === region);
  const more = page.length > max;
  const shown = page.slice(0, max);
  const body = toXml(
    "ListAllMyBucketsResult",
    {
      Buckets: { Bucket: shown.map((b) => ({ Name: b.name, CreationDate: isoDate(b.createdAt), BucketRegion: b.region })) },
      Owner: ownerXml(env.ctx.principal.accountId),
      ContinuationToken: more ? Buffer.from(shown[shown.length - 1]!.name).toString("base64url") : undefined,
      Prefix: req.query.has("prefix") ? prefix : undefined,
    },
    S3_XMLNS,
  );
  return xml(env, body);
}
