import { Transform, type TransformCallback } from "node:stream";
import { uriEncode } from "../../../protocols/sigv4/uri-encode.js";
import { toXml } from "../../../protocols/xml/xml-writer.js";
import { principalFor } from "../../../server/principal.js";
import type { Principal, ServiceResponse } from "../../../server/service.js";
import type { BucketRecord, DataRef, ObjectVersion } from "../../../storage/objects/object-store.js";
import { parseChecksumRequest, verifyChecksums } from "../body/checksum-request.js";
import { ingestBody } from "../body/ingest.js";
import { S3Error, s3Headers } from "../errors.js";
import { readFormHead, type FormFile, type FormHead } from "../post/form.js";
import { checkPolicy, lengthRange, parsePolicy } from "../post/policy.js";
import { missingField, verifyPolicySignature } from "../post/signature.js";
import type { S3Env, S3Request } from "../request.js";
import { parseWriteHeaders } from "../shapes/object-headers.js";
import { assertKey } from "../shapes/object-key.js";
import { parseTaggingXml } from "../shapes/tagging.js";
import { uploadedVersion } from "../shapes/new-object.js";

/** The largest object one POST may upload (POST Object docs: 5 GB, as for PutObject). */
const MAX_POST_OBJECT = 5 * 1024 ** 3;

/** Whether a request is a browser-based upload: a POST of a multipart/form-data body. */
export const isFormPost = (req: S3Request): boolean => req.http.method === "POST" && /^multipart\/form-data\s*(;|$)/i.test(req.http.headers["content-type"] ?? "");

/** Refuses a file as soon as it grows past the policy's content-length-range maximum. */
class SizeLimit extends Transform {
  private seen = 0;
  constructor(private readonly max: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.max) done(new S3Error("EntityTooLarge", undefined, { MaxSizeAllowed: String(this.max) }));
    else done(null, chunk);
  }
}

/**
 * Who the upload is from: the signer of its policy, or (a form without a policy) whoever signed
 * the request. An anonymous upload would need a publicly writable bucket, which do not exist here.
 */
function uploader(form: FormHead, env: S3Env): Principal {
  const policy = form.fields.get("policy");
  if (policy === undefined) {
    if (env.ctx.principal.authType === "anonymous") throw new S3Error("AccessDenied");
    return env.ctx.principal;
  }
  const signer = verifyPolicySignature(form.fields, policy, env.accessKeys, env.ctx.region);
  return principalFor(signer.key.accessKeyId, signer.key.accountId, signer.key.principalArn, signer.kind);
}

/** The object's URL as S3 reports it in Location (the address the form was posted to). */
function locationOf(req: S3Request, bucket: string, key: string): string {
  const host = req.http.headers["host"] ?? req.http.headers[":authority"] ?? req.http.hostname;
  const path = req.http.rawPath.replace(/\/+$/, "");
  const bucketInPath = path !== "";
  return `http://${host}${bucketInPath ? `/${uriEncode(bucket, false)}` : ""}/${uriEncode(key, true)}`;
}

/** The answer S3 gives a successful POST: a 303 to success_action_redirect, or success_action_status. */
function answer(req: S3Request, env: S3Env, form: FormHead, bucket: BucketRecord, v: ObjectVersion): ServiceResponse {
  const location = locationOf(req, bucket.name, v.key);
  const headers: Record<string, string> = { ...s3Headers(env.ctx), etag: v.etag, location };
  if (bucket.versioning !== "Unversioned") headers["x-amz-version-id"] = v.versionId;
  const redirect = form.fields.get("success_action_redirect") ?? form.fields.get("redirect");
  if (redirect !== undefined && URL.canParse(redirect)) {
    const query = `bucket=${encodeURIComponent(bucket.name)}&key=${encodeURIComponent(v.key)}&etag=${encodeURIComponent(v.etag)}`;
    const sep = redirect.includes("?") ? "&" : "?";
    return { status: 303, headers: { ...headers, location: `${redirect}${sep}${query}` } };
  }
  // success_action_status: 200 or 201 as asked; anything else (or nothing) is 204 (POST Object docs).
  const status = form.fields.get("success_action_status");
  if (status === "201") {
    const body = toXml("PostResponse", { Location: location, Bucket: bucket.name, Key: v.key, ETag: v.etag });
    return { status: 201, headers: { ...headers, "content-type": "application/xml" }, body };
  }
  return { status: status === "200" ? 200 : 204, headers };
}

async function store(req: S3Request, env: S3Env, bucket: BucketRecord, form: FormHead, file: FormFile, key: string): Promise<ServiceResponse> {
  const fieldValues: Record<string, string> = Object.fromEntries(form.fields);
  const write = parseWriteHeaders(fieldValues);
  const tagging = form.fields.get("tagging");
  const tags = tagging === undefined || tagging === "" ? [] : parseTaggingXml(tagging, "object");
  const sums = parseChecksumRequest(fieldValues);
  const policy = form.fields.get("policy");
  const range = policy === undefined ? undefined : lengthRange(parsePolicy(policy));
  const max = Math.min(range?.max ?? MAX_POST_OBJECT, MAX_POST_OBJECT);

  const limited = file.stream.pipe(new SizeLimit(max));
  file.stream.once("error", (err) => limited.destroy(err));
  const body = await ingestBody(limited, env.blobs, { expectedLength: undefined, checksum: sums.algorithm, signal: env.ctx.signal });
  let data: DataRef | undefined = body.data;
  try {
    if (range !== undefined && body.size < range.min) {
      throw new S3Error("EntityTooSmall", undefined, { ProposedSize: String(body.size), MinSizeAllowed: String(range.min) });
    }
    verifyChecksums(sums, {}, body.md5Hex, body.checksumValue);
    const version = uploadedVersion(bucket, key, body, { write, tags, checksum: sums.algorithm, ownerAccountId: env.ctx.principal.accountId, now: env.ctx.clock.now() });
    const result = await env.objects.putVersion(version);
    data = undefined;
    env.pins.release(result.released);
    return answer(req, env, form, bucket, version);
  } finally {
    if (data !== undefined) env.pins.release([data]);
  }
}

/**
 * PostObject: a browser-based upload (S3 API Reference, "POST Object" and "Browser-Based Uploads
 * Using POST"). The form is authorized by its signed policy before any of the file is stored; the
 * file streams into storage as it arrives, never whole in memory.
 */
export async function postObject(req: S3Request, env: S3Env): Promise<ServiceResponse> {
  const contentType = req.http.headers["content-type"] ?? "";
  if (!isFormPost(req)) {
    throw new S3Error("PreconditionFailed", undefined, { Condition: "Bucket POST must be of the enclosure-type multipart/form-data" });
  }
  // The form is read (up to its file) before any refusal, so that a browser still sending it can
  // read the answer: discard() drains the rest.
  const form = await readFormHead(req.http.body, contentType);
  try {
    const name = req.bucket ?? "";
    const bucket = env.objects.getBucket(name);
    if (bucket === undefined) throw new S3Error("NoSuchBucket", undefined, { BucketName: name });
    const principal = uploader(form, env);
    if (bucket.ownerAccountId !== principal.accountId) throw new S3Error("AccessDenied");
    // The context's signal is a getter, which a spread does not copy: name it.
    const signed: S3Env = { ...env, ctx: { ...env.ctx, signal: env.ctx.signal, principal } };
    const rawKey = form.fields.get("key");
    if (rawKey === undefined) throw missingField("key");
    const file = form.file;
    if (file === undefined) {
      throw new S3Error("InvalidArgument", "POST requires exactly one file upload per request.", { ArgumentName: "file", ArgumentValue: "0" });
    }
    // ${filename} in the key stands for the name of the file the user chose (POST Object docs).
    const key = rawKey.replaceAll("${filename}", file.filename);
    if (key === "") throw missingField("key");
    assertKey(key);
    const policy = form.fields.get("policy");
    if (policy !== undefined) {
      const checked = new Map(form.fields);
      checked.set("bucket", bucket.name);
      checked.set("key", key);
      checkPolicy(parsePolicy(policy), checked, form.names, env.ctx.clock.now());
    }
    return await store(req, signed, bucket, form, file, key);
  } finally {
    await form.discard();
  }
}
