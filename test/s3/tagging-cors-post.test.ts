// Object and bucket tagging, bucket CORS and GetObjectAttributes through @aws-sdk/client-s3; CORS
// preflights and actual cross-origin requests checked with fetch as a browser sends them; and
// browser-based POST uploads built by @aws-sdk/s3-presigned-post and posted with fetch + FormData.
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { after, before, describe, test } from "node:test";
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCorsCommand,
  DeleteBucketTaggingCommand,
  DeleteObjectCommand,
  DeleteObjectTaggingCommand,
  GetBucketCorsCommand,
  GetBucketTaggingCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutBucketCorsCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  UploadPartCommand,
  type ObjectAttributes,
  type CORSRule,
  type S3Client,
  type Tag,
} from "@aws-sdk/client-s3";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { ACCESS_KEY_ID, SECRET_ACCESS_KEY, startServer, type RunningServer } from "../helpers/server.js";
import { signedRequest } from "../helpers/signed-requests.js";
import { assertXmlError, bodyBytes, parseXmlBody, rejectsWith, s3Client } from "./objects-support.js";

let server: RunningServer;
let s3: S3Client;
const BUCKET = "tcp-main";
const VBUCKET = "tcp-versioned";

before(async () => {
  server = await startServer();
  s3 = s3Client(server);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await s3.send(new CreateBucketCommand({ Bucket: VBUCKET }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: VBUCKET, VersioningConfiguration: { Status: "Enabled" } }));
});
after(async () => {
  s3?.destroy();
  await server?.dispose();
});

const md5b64 = (s: string): string => createHash("md5").update(s).digest("base64");
const tags = (n: number, prefix = "k"): Tag[] => Array.from({ length: n }, (_, i) => ({ Key: `${prefix}${i}`, Value: `v${i}` }));
const tagSet = async (Bucket: string, Key: string, VersionId?: string): Promise<Array<[string, string]>> =>
  ((await s3.send(new GetObjectTaggingCommand({ Bucket, Key, VersionId }))).TagSet ?? []).map((t) => [t.Key!, t.Value!]);

describe("object tagging", () => {
  test("x-amz-tagging on PUT, x-amz-tagging-count on GET/HEAD, Put/Get/DeleteObjectTagging", async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "t/a", Body: "a", Tagging: "team=ml&stage=raw%20data" }));
    assert.deepEqual(await tagSet(BUCKET, "t/a"), [["team", "ml"], ["stage", "raw data"]]);
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "t/a" }))).TagCount, 2);
    assert.equal((await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "t/a" }))).TagCount, 2);

    const put = await s3.send(new PutObjectTaggingCommand({ Bucket: BUCKET, Key: "t/a", Tagging: { TagSet: tags(10) } }));
    assert.equal(put.VersionId, undefined, "an unversioned bucket names no version");
    assert.equal((await tagSet(BUCKET, "t/a")).length, 10);
    await s3.send(new DeleteObjectTaggingCommand({ Bucket: BUCKET, Key: "t/a" }));
    assert.deepEqual(await tagSet(BUCKET, "t/a"), []);
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "t/a" }))).TagCount, undefined);
  });

  test("S3's limits and refusals", async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "t/limits", Body: "x" }));
    const put = (TagSet: Tag[]) => s3.send(new PutObjectTaggingCommand({ Bucket: BUCKET, Key: "t/limits", Tagging: { TagSet } }));
    const tooMany = await rejectsWith(put(tags(11)), "BadRequest", 400);
    assert.equal(tooMany.message, "Object tags cannot be greater than 10");
    assert.equal((await rejectsWith(put([{ Key: "k".repeat(129), Value: "v" }]), "InvalidTag", 400)).message, "The TagKey you have provided is invalid");
    assert.equal((await rejectsWith(put([{ Key: "k", Value: "v".repeat(257) }]), "InvalidTag", 400)).message, "The TagValue you have provided is invalid");
    await put([{ Key: "k".repeat(128), Value: "v".repeat(256) }]);
    assert.equal(
      (await rejectsWith(put([{ Key: "dup", Value: "1" }, { Key: "dup", Value: "2" }]), "InvalidTag", 400)).message,
      "Cannot provide multiple Tags with the same key",
    );
    assert.equal((await rejectsWith(put([{ Key: "aws:owner", Value: "me" }]), "InvalidTag", 400)).message, "Your TagKey cannot be prefixed with aws:");
    await rejectsWith(put([{ Key: "no*stars", Value: "v" }]), "InvalidTag", 400);
    const header = tags(11).map((t) => `${t.Key}=${t.Value}`).join("&");
    await rejectsWith(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "t/limits2", Body: "x", Tagging: header })), "BadRequest", 400);
    await rejectsWith(s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: "t/absent" })), "NoSuchKey", 404);

    const doc = "<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>";
    for (const body of [doc, "<Tagging><TagSet>", "", "<Other/>"]) {
      const res = await signedRequest(server, {
        method: "PUT",
        path: `/${BUCKET}/t/limits`,
        query: { tagging: "" },
        headers: { "content-md5": md5b64(body) },
        body,
      });
      assertXmlError(res, 400, "MalformedXML");
    }
    // The model requires an integrity header on PutObjectTagging.
    const bare = await signedRequest(server, { method: "PUT", path: `/${BUCKET}/t/limits`, query: { tagging: "" }, body: "<Tagging><TagSet/></Tagging>" });
    assertXmlError(bare, 400, "InvalidRequest");
  });

  test("per version: each version keeps its own tags; x-amz-version-id names the version", async () => {
    const v1 = await s3.send(new PutObjectCommand({ Bucket: VBUCKET, Key: "tv", Body: "1", Tagging: "gen=1" }));
    const v2 = await s3.send(new PutObjectCommand({ Bucket: VBUCKET, Key: "tv", Body: "2" }));
    const put = await s3.send(new PutObjectTaggingCommand({ Bucket: VBUCKET, Key: "tv", VersionId: v1.VersionId, Tagging: { TagSet: [{ Key: "gen", Value: "old" }] } }));
    assert.equal(put.VersionId, v1.VersionId);
    assert.deepEqual(await tagSet(VBUCKET, "tv", v1.VersionId), [["gen", "old"]]);
    assert.deepEqual(await tagSet(VBUCKET, "tv"), []);
    const latest = await s3.send(new GetObjectTaggingCommand({ Bucket: VBUCKET, Key: "tv" }));
    assert.equal(latest.VersionId, v2.VersionId);
    const del = await s3.send(new DeleteObjectTaggingCommand({ Bucket: VBUCKET, Key: "tv", VersionId: v1.VersionId }));
    assert.equal(del.VersionId, v1.VersionId);
    assert.deepEqual(await tagSet(VBUCKET, "tv", v1.VersionId), []);
    await rejectsWith(s3.send(new GetObjectTaggingCommand({ Bucket: VBUCKET, Key: "tv", VersionId: "nope" })), "NoSuchVersion", 404);
  });

  test("x-amz-tagging-directive on copy: COPY keeps the source's tags, REPLACE takes the request's", async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "t/src", Body: "s", Tagging: "a=1&b=2" }));
    await s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: "t/copy", CopySource: `${BUCKET}/t/src` }));
    assert.deepEqual(await tagSet(BUCKET, "t/copy"), [["a", "1"], ["b", "2"]]);
    await s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: "t/replaced", CopySource: `${BUCKET}/t/src`, TaggingDirective: "REPLACE", Tagging: "c=3" }));
    assert.deepEqual(await tagSet(BUCKET, "t/replaced"), [["c", "3"]]);
  });
});


describe("bucket tagging", () => {
  test("NoSuchTagSet, put, get, 50-tag limit, delete", async () => {
    await rejectsWith(s3.send(new GetBucketTaggingCommand({ Bucket: BUCKET })), "NoSuchTagSet", 404);
    await s3.send(new PutBucketTaggingCommand({ Bucket: BUCKET, Tagging: { TagSet: [{ Key: "cost-center", Value: "ml" }, { Key: "env", Value: "dev" }] } }));
    const got = await s3.send(new GetBucketTaggingCommand({ Bucket: BUCKET }));
    assert.deepEqual(got.TagSet, [{ Key: "cost-center", Value: "ml" }, { Key: "env", Value: "dev" }]);
    await s3.send(new PutBucketTaggingCommand({ Bucket: BUCKET, Tagging: { TagSet: tags(50) } }));
    assert.equal((await s3.send(new GetBucketTaggingCommand({ Bucket: BUCKET }))).TagSet?.length, 50);
    await rejectsWith(s3.send(new PutBucketTaggingCommand({ Bucket: BUCKET, Tagging: { TagSet: tags(51) } })), "InvalidTag", 400);
    await rejectsWith(s3.send(new PutBucketTaggingCommand({ Bucket: BUCKET, Tagging: { TagSet: [{ Key: "aws:x", Value: "1" }] } })), "InvalidTag", 400);
    await s3.send(new DeleteBucketTaggingCommand({ Bucket: BUCKET }));
    await rejectsWith(s3.send(new GetBucketTaggingCommand({ Bucket: BUCKET })), "NoSuchTagSet", 404);
    await rejectsWith(s3.send(new GetBucketTaggingCommand({ Bucket: "tcp-no-such" })), "NoSuchBucket", 404);
  });
});

const ORIGIN = "https://app.example.com";
const RULES: CORSRule[] = [
  {
    ID: "uploads",
    AllowedOrigins: [ORIGIN, "https://*.partner.example"],
    AllowedMethods: ["PUT", "POST", "GET", "HEAD"],
    AllowedHeaders: ["content-type", "x-amz-*"],
    ExposeHeaders: ["ETag", "x-amz-version-id"],
    MaxAgeSeconds: 3000,
  },
  { AllowedOrigins: ["*"], AllowedMethods: ["GET"] },
];

describe("bucket CORS", () => {
  const CB = "tcp-cors";

  test("NoSuchCORSConfiguration, put, get back the same rules, delete", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: CB }));
    await rejectsWith(s3.send(new GetBucketCorsCommand({ Bucket: CB })), "NoSuchCORSConfiguration", 404);
    await s3.send(new PutBucketCorsCommand({ Bucket: CB, CORSConfiguration: { CORSRules: RULES } }));
    const got = await s3.send(new GetBucketCorsCommand({ Bucket: CB }));
    assert.deepEqual(got.CORSRules, RULES);
    await s3.send(new DeleteBucketCorsCommand({ Bucket: CB }));
    await rejectsWith(s3.send(new GetBucketCorsCommand({ Bucket: CB })), "NoSuchCORSConfiguration", 404);
    await s3.send(new PutBucketCorsCommand({ Bucket: CB, CORSConfiguration: { CORSRules: RULES } }));
  });

  test("rules validated as S3 validates them", async () => {
    const put = (CORSRules: CORSRule[]) => s3.send(new PutBucketCorsCommand({ Bucket: CB, CORSConfiguration: { CORSRules } }));
    const badMethod = await rejectsWith(put([{ AllowedOrigins: ["*"], AllowedMethods: ["PATCH"] }]), "InvalidRequest", 400);
    assert.equal(badMethod.message, "Found unsupported HTTP method in CORS config. Unsupported method is PATCH");
    const twoStars = await rejectsWith(put([{ AllowedOrigins: ["https://*.*.example"], AllowedMethods: ["GET"] }]), "InvalidRequest", 400);
    assert.equal(twoStars.message, 'AllowedOrigin "https://*.*.example" can not have more than one wildcard.');
    await rejectsWith(put(Array.from({ length: 101 }, () => ({ AllowedOrigins: ["*"], AllowedMethods: ["GET"] }))), "MalformedXML", 400);
    await rejectsWith(put([{ AllowedOrigins: [], AllowedMethods: ["GET"] }]), "MalformedXML", 400);
    await put(Array.from({ length: 100 }, () => ({ AllowedOrigins: ["*"], AllowedMethods: ["GET"] })));
    await put(RULES);
  });

  test("a preflight from a real HTTP request is answered from the rules", async () => {
    await s3.send(new PutObjectCommand({ Bucket: CB, Key: "doc.txt", Body: "hello", ContentType: "text/plain" }));
    const options = (path: string, headers: Record<string, string>) => fetch(`${server.endpoint}${path}`, { method: "OPTIONS", headers });

    const ok = await options(`/${CB}/uploads/new.bin`, { origin: ORIGIN, "access-control-request-method": "PUT", "access-control-request-headers": "Content-Type, X-Amz-Meta-Owner" });
    assert.equal(ok.status, 200, await ok.clone().text());
    assert.equal(ok.headers.get("access-control-allow-origin"), ORIGIN);
    assert.equal(ok.headers.get("access-control-allow-methods"), "PUT, POST, GET, HEAD");
    assert.equal(ok.headers.get("access-control-allow-headers"), "content-type, x-amz-meta-owner");
    assert.equal(ok.headers.get("access-control-expose-headers"), "ETag, x-amz-version-id");
    assert.equal(ok.headers.get("access-control-max-age"), "3000");
    assert.equal(ok.headers.get("access-control-allow-credentials"), "true");
    assert.match(ok.headers.get("vary") ?? "", /Origin/);

    const wild = await options(`/${CB}/doc.txt`, { origin: "https://eu.partner.example", "access-control-request-method": "POST" });
    assert.equal(wild.headers.get("access-control-allow-origin"), "https://eu.partner.example");
    const anyone = await options(`/${CB}/doc.txt`, { origin: "https://elsewhere.test", "access-control-request-method": "GET" });
    assert.equal(anyone.status, 200);
    assert.equal(anyone.headers.get("access-control-allow-origin"), "*");
    assert.equal(anyone.headers.get("access-control-allow-credentials"), null);

    const refused = await options(`/${CB}/doc.txt`, { origin: "https://elsewhere.test", "access-control-request-method": "PUT" });
    const denied = assertXmlError({ status: refused.status, headers: {}, body: Buffer.from(await refused.arrayBuffer()) }, 403, "AccessForbidden");
    assert.match(denied["Message"]!, /^CORSResponse: This CORS request is not allowed/);
    assert.equal(denied["Method"], "PUT");
    assert.equal(denied["ResourceType"], "OBJECT");
    assert.equal(refused.headers.get("access-control-allow-origin"), null);
    const badHeader = await options(`/${CB}/doc.txt`, { origin: ORIGIN, "access-control-request-method": "PUT", "access-control-request-headers": "authorization" });
    assert.equal(badHeader.status, 403);

    const noMethod = await options(`/${CB}/doc.txt`, { origin: ORIGIN });
    assert.equal(noMethod.status, 400);
    assert.match(await noMethod.text(), /Invalid Access-Control-Request-Method: null/);
    const noOrigin = await options(`/${CB}/doc.txt`, { "access-control-request-method": "GET" });
    assert.equal(noOrigin.status, 400);
    const notEnabled = await options(`/${BUCKET}/x`, { origin: ORIGIN, "access-control-request-method": "GET" });
    assert.equal(notEnabled.status, 403);
    assert.match(await notEnabled.text(), /CORS is not enabled for this bucket/);
  });

  test("actual cross-origin requests (presigned GET and PUT) carry the matching rule's headers, errors too", async () => {
    const getUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket: CB, Key: "doc.txt" }), { expiresIn: 300 });
    const got = await fetch(getUrl, { headers: { origin: ORIGIN } });
    assert.equal(got.status, 200);
    assert.equal(await got.text(), "hello");
    assert.equal(got.headers.get("access-control-allow-origin"), ORIGIN);
    assert.equal(got.headers.get("access-control-expose-headers"), "ETag, x-amz-version-id");
    const plain = await fetch(getUrl);
    assert.equal(plain.headers.get("access-control-allow-origin"), null);
    await plain.arrayBuffer();

    const putUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket: CB, Key: "from-browser.txt", ContentType: "text/plain" }), { expiresIn: 300 });
    const put = await fetch(putUrl, { method: "PUT", body: "uploaded by a page", headers: { origin: ORIGIN, "content-type": "text/plain" } });
    assert.equal(put.status, 200, await put.clone().text());
    assert.equal(put.headers.get("access-control-allow-origin"), ORIGIN);
    assert.equal((await bodyBytes((await s3.send(new GetObjectCommand({ Bucket: CB, Key: "from-browser.txt" }))).Body)).toString(), "uploaded by a page");

    const missingUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket: CB, Key: "missing" }), { expiresIn: 300 });
    const missing = await fetch(missingUrl, { headers: { origin: ORIGIN } });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get("access-control-allow-origin"), ORIGIN);
    await missing.arrayBuffer();

    // CORS grants no access: an unsigned GET from an allowed origin is still refused.
    const anonymous = await fetch(`${server.endpoint}/${CB}/doc.txt`, { headers: { origin: ORIGIN } });
    assert.equal(anonymous.status, 403);
    assert.match(await anonymous.text(), /<Code>AccessDenied<\/Code>/);
  });
});

/** Posts a presigned POST's fields and a file (last, as S3 requires) the way a browser form does. */
async function postForm(url: string, fields: Record<string, string>, file: Blob | string, filename = "upload.bin"): Promise<Response> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append("file", typeof file === "string" ? new Blob([file]) : file, filename);
  return fetch(url, { method: "POST", body: form, redirect: "manual" });
}

async function errorOf(res: Response): Promise<Record<string, string>> {
  const body = Buffer.from(await res.arrayBuffer());
  const doc = parseXmlBody(body)["Error"] as Record<string, string> | undefined;
  assert.ok(doc !== undefined, `an <Error>: ${res.status} ${body.toString()}`);
  return doc;
}

describe("browser-based POST uploads", () => {
  const PB = "tcp-post";
  before(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: PB }));
  });

  test("a SigV4 POST policy with conditions: 201 PostResponse, metadata, content type and tags stored", async () => {
    const { url, fields } = await createPresignedPost(s3, {
      Bucket: PB,
      Key: "user/eric/${filename}",
      Conditions: [["content-length-range", 1, 1024 * 1024], ["starts-with", "$Content-Type", "image/"], ["starts-with", "$x-amz-meta-owner", ""]],
      Fields: {
        success_action_status: "201",
        "Content-Type": "image/png",
        "x-amz-meta-owner": "eric",
        tagging: "<Tagging><TagSet><Tag><Key>source</Key><Value>browser</Value></Tag></TagSet></Tagging>",
      },
      Expires: 300,
    });
    const png = Buffer.alloc(5000, 7);
    const res = await postForm(url, fields, new Blob([png], { type: "image/png" }), "photo.png");
    assert.equal(res.status, 201, await res.clone().text());
    const doc = parseXmlBody(Buffer.from(await res.arrayBuffer()))["PostResponse"] as Record<string, string>;
    assert.equal(doc["Bucket"], PB);
    assert.equal(doc["Key"], "user/eric/photo.png");
    assert.equal(doc["ETag"], `"${createHash("md5").update(png).digest("hex")}"`);
    assert.equal(res.headers.get("etag"), doc["ETag"]);

    const got = await s3.send(new GetObjectCommand({ Bucket: PB, Key: "user/eric/photo.png" }));
    assert.deepEqual(await bodyBytes(got.Body), png);
    assert.equal(got.ContentType, "image/png");
    assert.deepEqual(got.Metadata, { owner: "eric" });
    assert.deepEqual(await tagSet(PB, "user/eric/photo.png"), [["source", "browser"]]);
  });

  test("success_action_status 200 and 204, success_action_redirect 303 with bucket, key and etag", async () => {
    for (const [status, want] of [["200", 200], ["204", 204], [undefined, 204]] as const) {
      const Fields: Record<string, string> = status === undefined ? {} : { success_action_status: status };
      const { url, fields } = await createPresignedPost(s3, { Bucket: PB, Key: `status/${want}-${status ?? "none"}`, Fields, Expires: 300 });
      const res = await postForm(url, fields, "x");
      assert.equal(res.status, want, await res.clone().text());
      assert.equal(await res.text(), "");
    }
    const redirect = "https://app.example.com/done?from=upload";
    const { url, fields } = await createPresignedPost(s3, { Bucket: PB, Key: "redirected", Fields: { success_action_redirect: redirect }, Expires: 300 });
    const res = await postForm(url, fields, "bytes");
    assert.equal(res.status, 303);
    const location = new URL(res.headers.get("location")!);
    assert.equal(`${location.origin}${location.pathname}`, "https://app.example.com/done");
    assert.equal(location.searchParams.get("from"), "upload");
    assert.equal(location.searchParams.get("bucket"), PB);
    assert.equal(location.searchParams.get("key"), "redirected");
    assert.equal(location.searchParams.get("etag"), `"${createHash("md5").update("bytes").digest("hex")}"`);
  });

  test("a large file streams into storage", async () => {
    const { url, fields } = await createPresignedPost(s3, { Bucket: PB, Key: "big.bin", Conditions: [["content-length-range", 0, 64 * 1024 * 1024]], Expires: 300 });
    const big = Buffer.alloc(12 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32BE(i, i);
    const res = await postForm(url, fields, new Blob([big]));
    assert.equal(res.status, 204, await res.clone().text());
    const head = await s3.send(new HeadObjectCommand({ Bucket: PB, Key: "big.bin" }));
    assert.equal(head.ContentLength, big.length);
    assert.equal(head.ETag, `"${createHash("md5").update(big).digest("hex")}"`);
  });

  test("expired and violated policies, extra fields, bad signatures and sizes are refused as S3 refuses them", async () => {
    const expired = await createPresignedPost(s3, { Bucket: PB, Key: "late", Expires: -60 });
    const e1 = await postForm(expired.url, expired.fields, "x");
    assert.equal(e1.status, 403);
    assert.deepEqual(
      [(await errorOf(e1))["Code"], (await errorOf(await postForm(expired.url, expired.fields, "x")))["Message"]],
      ["AccessDenied", "Invalid according to Policy: Policy expired."],
    );

    const signed = await createPresignedPost(s3, { Bucket: PB, Key: "only/this", Conditions: [["content-length-range", 2, 10]], Expires: 300 });
    const wrongKey = await postForm(signed.url, { ...signed.fields, key: "other" }, "xyz");
    assert.equal(wrongKey.status, 403);
    const k = await errorOf(wrongKey);
    assert.equal(k["Code"], "AccessDenied");
    assert.equal(k["Message"], 'Invalid according to Policy: Policy Condition failed: ["eq", "$key", "only/this"]');

    const extra = await postForm(signed.url, { ...signed.fields, "x-amz-meta-sneaky": "1" }, "xyz");
    assert.equal(extra.status, 403);
    assert.equal((await errorOf(extra))["Message"], "Invalid according to Policy: Extra input fields: x-amz-meta-sneaky");
    // x-ignore-* fields need no condition.
    const ignored = await postForm(signed.url, { ...signed.fields, "x-ignore-note": "anything" }, "xyz");
    assert.equal(ignored.status, 204, await ignored.clone().text());

    const large = await postForm(signed.url, signed.fields, "x".repeat(11));
    assert.equal(large.status, 400);
    assert.equal((await errorOf(large))["Code"], "EntityTooLarge");
    const small = await postForm(signed.url, signed.fields, "x");
    assert.equal(small.status, 400);
    const s = await errorOf(small);
    assert.deepEqual([s["Code"], s["ProposedSize"], s["MinSizeAllowed"]], ["EntityTooSmall", "1", "2"]);

    const forged = await postForm(signed.url, { ...signed.fields, "X-Amz-Signature": "0".repeat(64) }, "xyz");
    assert.equal(forged.status, 403);
    const f = await errorOf(forged);
    assert.equal(f["Code"], "SignatureDoesNotMatch");
    assert.equal(f["StringToSign"], signed.fields["Policy"]);

    const noKey = { ...signed.fields };
    delete noKey["key"];
    const missing = await postForm(signed.url, noKey, "xyz");
    assert.equal(missing.status, 400);
    assert.equal((await errorOf(missing))["ArgumentName"], "key");

    const noBucket = await postForm(signed.url.replace(PB, "tcp-no-such-bucket"), signed.fields, "xyz");
    assert.deepEqual([noBucket.status, (await errorOf(noBucket))["Code"]], [404, "NoSuchBucket"]);

    await rejectsWith(s3.send(new HeadObjectCommand({ Bucket: PB, Key: "other" })), "NotFound", 404);
    await rejectsWith(s3.send(new HeadObjectCommand({ Bucket: PB, Key: "late" })), "NotFound", 404);
  });

  test("SigV2 POST (AWSAccessKeyId, base64 HMAC-SHA1 of the policy)", async () => {
    const policy = Buffer.from(
      JSON.stringify({ expiration: new Date(Date.now() + 300_000).toISOString(), conditions: [{ bucket: PB }, ["starts-with", "$key", "v2/"]] }),
    ).toString("base64");
    const signature = createHmac("sha1", SECRET_ACCESS_KEY).update(policy).digest("base64");
    const fields = { key: "v2/${filename}", AWSAccessKeyId: ACCESS_KEY_ID, policy, signature };
    const res = await postForm(`${server.endpoint}/${PB}`, fields, "sigv2 body", "f.txt");
    assert.equal(res.status, 204, await res.clone().text());
    assert.equal((await bodyBytes((await s3.send(new GetObjectCommand({ Bucket: PB, Key: "v2/f.txt" }))).Body)).toString(), "sigv2 body");
    const bad = await postForm(`${server.endpoint}/${PB}`, { ...fields, signature: "AAAA" }, "x");
    assert.equal(bad.status, 403);
    assert.equal((await errorOf(bad))["Code"], "SignatureDoesNotMatch");
  });

  test("anonymous requests other than form uploads stay denied", async () => {
    const form = new FormData();
    form.append("key", "anon");
    form.append("file", new Blob(["x"]), "x");
    const noPolicy = await fetch(`${server.endpoint}/${PB}`, { method: "POST", body: form });
    assert.equal(noPolicy.status, 403);
    assert.equal((await errorOf(noPolicy))["Code"], "AccessDenied");
    const notForm = await fetch(`${server.endpoint}/${PB}`, { method: "POST", body: "key=x", headers: { "content-type": "application/x-www-form-urlencoded" } });
    assert.equal((await errorOf(notForm))["Code"], "AccessDenied");
    // A form body on a sub-resource is no browser upload. (Sent whole with a Content-Length: the
    // server answers before reading a body it refuses.)
    const multipart = { "content-type": "multipart/form-data; boundary=b" };
    const formText = '--b\r\nContent-Disposition: form-data; name="key"\r\n\r\nanon\r\n--b--\r\n';
    const deleteObjects = await fetch(`${server.endpoint}/${PB}?delete`, { method: "POST", body: formText, headers: multipart });
    assert.equal((await errorOf(deleteObjects))["Code"], "AccessDenied");
    const put = await fetch(`${server.endpoint}/${PB}/anon`, { method: "PUT", body: "x" });
    assert.equal((await errorOf(put))["Code"], "AccessDenied");
  });
});

describe("GetObjectAttributes", () => {
  const ALL: ObjectAttributes[] = ["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"];

  test("a single-part object: unquoted ETag, checksum, size, storage class, no ObjectParts", async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "attr/one", Body: "attributes", ChecksumAlgorithm: "CRC32", StorageClass: "STANDARD_IA" }));
    const a = await s3.send(new GetObjectAttributesCommand({ Bucket: BUCKET, Key: "attr/one", ObjectAttributes: ALL }));
    assert.equal(a.ETag, put.ETag!.replaceAll('"', ""));
    assert.equal(a.Checksum?.ChecksumCRC32, put.ChecksumCRC32);
    assert.equal(a.Checksum?.ChecksumType, "FULL_OBJECT");
    assert.equal(a.ObjectSize, 10);
    assert.equal(a.StorageClass, "STANDARD_IA");
    assert.equal(a.ObjectParts, undefined);
    assert.ok(a.LastModified instanceof Date);
    const some = await s3.send(new GetObjectAttributesCommand({ Bucket: BUCKET, Key: "attr/one", ObjectAttributes: ["ObjectSize"] }));
    assert.deepEqual([some.ETag, some.ObjectSize, some.StorageClass], [undefined, 10, undefined]);
    const bogus = await rejectsWith(
      s3.send(new GetObjectAttributesCommand({ Bucket: BUCKET, Key: "attr/one", ObjectAttributes: ["Size" as ObjectAttributes] })),
      "InvalidArgument",
      400,
    );
    assert.equal(bogus.message, "Invalid attribute name specified.");
    await rejectsWith(s3.send(new GetObjectAttributesCommand({ Bucket: BUCKET, Key: "attr/none", ObjectAttributes: ALL })), "NoSuchKey", 404);
  });

  test("a multipart object: parts with their checksums, paged by max-parts and part-number-marker; its tags", async () => {
    const Key = "attr/multi";
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key, ChecksumAlgorithm: "CRC32", Tagging: "src=mpu" }));
    const sizes = [5 * 1024 * 1024, 1234];
    const parts = [];
    for (const [i, size] of sizes.entries()) {
      const up = await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key, UploadId, PartNumber: i + 1, Body: Buffer.alloc(size, i + 1), ChecksumAlgorithm: "CRC32" }));
      parts.push({ PartNumber: i + 1, ETag: up.ETag!, ChecksumCRC32: up.ChecksumCRC32! });
    }
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key, UploadId, MultipartUpload: { Parts: parts } }));
    // x-amz-tagging on CreateMultipartUpload tags the completed object.
    assert.deepEqual(await tagSet(BUCKET, Key), [["src", "mpu"]]);
    const a = await s3.send(new GetObjectAttributesCommand({ Bucket: BUCKET, Key, ObjectAttributes: ALL }));
    assert.equal(a.ETag, done.ETag!.replaceAll('"', ""));
    assert.match(a.ETag!, /-2$/);
    assert.equal(a.ObjectSize, sizes[0]! + sizes[1]!);
    assert.equal(a.ObjectParts?.TotalPartsCount, 2);
    assert.deepEqual(
      a.ObjectParts?.Parts?.map((p) => [p.PartNumber, p.Size, p.ChecksumCRC32]),
      parts.map((p, i) => [p.PartNumber, sizes[i], p.ChecksumCRC32]),
    );
    const first = await s3.send(new GetObjectAttributesCommand({ Bucket: BUCKET, Key, ObjectAttributes: ["ObjectParts"], MaxParts: 1 }));
    assert.equal(first.ObjectParts?.IsTruncated, true);
    assert.equal(first.ObjectParts?.NextPartNumberMarker, "1");
    assert.deepEqual(first.ObjectParts?.Parts?.map((p) => p.PartNumber), [1]);
    const second = await s3.send(new GetObjectAttributesCommand({ Bucket: BUCKET, Key, ObjectAttributes: ["ObjectParts"], PartNumberMarker: "1" }));
    assert.equal(second.ObjectParts?.IsTruncated, false);
    assert.deepEqual(second.ObjectParts?.Parts?.map((p) => p.PartNumber), [2]);
  });

  test("versions: by VersionId, and a latest delete marker is 404", async () => {
    const v1 = await s3.send(new PutObjectCommand({ Bucket: VBUCKET, Key: "attr", Body: "one" }));
    await s3.send(new PutObjectCommand({ Bucket: VBUCKET, Key: "attr", Body: "three" }));
    const a = await s3.send(new GetObjectAttributesCommand({ Bucket: VBUCKET, Key: "attr", VersionId: v1.VersionId, ObjectAttributes: ["ObjectSize"] }));
    assert.deepEqual([a.VersionId, a.ObjectSize], [v1.VersionId, 3]);
    await s3.send(new DeleteObjectCommand({ Bucket: VBUCKET, Key: "attr" }));
    await rejectsWith(s3.send(new GetObjectAttributesCommand({ Bucket: VBUCKET, Key: "attr", ObjectAttributes: ["ObjectSize"] })), "NoSuchKey", 404);
  });
});
