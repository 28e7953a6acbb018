// CopyObject and DeleteObjects end to end: the JS SDK for what clients do, and hand-signed requests
// for what no SDK sends (malformed XML, missing integrity headers, more than 1,000 keys).
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { startServer, type RunningServer } from "../helpers/server.js";
import { signedRequest } from "../helpers/signed-requests.js";
import { assertXmlError, bodyBytes, md5Base64, md5Hex, parseXmlBody, rejectsWith, s3Client } from "./objects-support.js";

let server: RunningServer;
let s3: S3Client;
const BUCKET = "copy-delete";
const OTHER = "copy-delete-other";
const VERSIONED = "copy-delete-versioned";

before(async () => {
  server = await startServer();
  s3 = s3Client(server);
  for (const b of [BUCKET, OTHER, VERSIONED]) await s3.send(new CreateBucketCommand({ Bucket: b }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: VERSIONED, VersioningConfiguration: { Status: "Enabled" } }));
});
after(async () => {
  s3?.destroy();
  await server?.dispose();
});

const read = async (bucket: string, key: string): Promise<Buffer> => bodyBytes((await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body);
const copySource = (bucket: string, key: string): string => `${bucket}/${encodeURIComponent(key)}`;

describe("CopyObject", () => {
  test("COPY keeps the source's bytes, metadata, content headers, tags and checksum; the class resets to STANDARD", async () => {
    const body = Buffer.from("copy me");
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: "src/plain",
        Body: body,
        ContentType: "text/x-source",
        CacheControl: "no-cache",
        Metadata: { origin: "source" },
        Tagging: "a=1&b=2",
        StorageClass: "STANDARD_IA",
        ChecksumAlgorithm: "SHA256",
      }),
    );
    const out = await s3.send(new CopyObjectCommand({ Bucket: OTHER, Key: "dst/plain", CopySource: copySource(BUCKET, "src/plain"), Metadata: { ignored: "yes" } }));
    assert.equal(out.CopyObjectResult?.ETag, `"${md5Hex(body)}"`);
    assert.ok(out.CopyObjectResult?.LastModified instanceof Date);
    assert.equal(out.CopyObjectResult?.ChecksumSHA256, createHash("sha256").update(body).digest("base64"));
    assert.equal(out.VersionId, undefined);
    const got = await s3.send(new GetObjectCommand({ Bucket: OTHER, Key: "dst/plain", ChecksumMode: "ENABLED" }));
    assert.deepEqual(await bodyBytes(got.Body), body);
    assert.equal(got.ContentType, "text/x-source");
    assert.equal(got.CacheControl, "no-cache");
    assert.deepEqual(got.Metadata, { origin: "source" });
    assert.equal(got.TagCount, 2);
    assert.equal(got.ChecksumSHA256, createHash("sha256").update(body).digest("base64"));
    // Without x-amz-storage-class the copy is STANDARD (CopyObject docs).
    assert.equal(got.StorageClass, undefined);
  });

  test("REPLACE takes content headers, metadata and class from the request; the tagging directive works apart", async () => {
    const out = await s3.send(
      new CopyObjectCommand({
        Bucket: BUCKET,
        Key: "dst/replaced",
        CopySource: `/${copySource(BUCKET, "src/plain")}`,
        MetadataDirective: "REPLACE",
        ContentType: "application/x-replaced",
        ContentLanguage: "en",
        Metadata: { fresh: "value" },
        StorageClass: "ONEZONE_IA",
        TaggingDirective: "REPLACE",
        Tagging: "only=one",
      }),
    );
    assert.ok(out.CopyObjectResult?.ETag);
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "dst/replaced" }));
    assert.equal((await bodyBytes(got.Body)).toString(), "copy me");
    assert.equal(got.ContentType, "application/x-replaced");
    assert.equal(got.ContentLanguage, "en");
    assert.equal(got.CacheControl, undefined);
    assert.deepEqual(got.Metadata, { fresh: "value" });
    assert.equal(got.StorageClass, "ONEZONE_IA");
    assert.equal(got.TagCount, 1);
    // REPLACE tagging without x-amz-tagging leaves no tags; COPY metadata keeps the source's.
    await s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: "dst/untagged", CopySource: copySource(BUCKET, "src/plain"), TaggingDirective: "REPLACE" }));
    const untagged = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "dst/untagged" }));
    assert.equal(untagged.TagCount, undefined);
    assert.deepEqual(untagged.Metadata, { origin: "source" });
    await bodyBytes(untagged.Body);
  });

  test("a file-backed source and an awkward key copy byte-identical, and the copy outlives its source", async () => {
    const data = randomBytes(300 * 1024);
    const key = "src/ünï cödé+100%?#//x";
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: data }));
    await s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: "dst/big copy", CopySource: copySource(BUCKET, key) }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: "overwritten" }));
    assert.ok((await read(BUCKET, "dst/big copy")).equals(data));
  });

  test("x-amz-checksum-algorithm recomputes the copy's checksum in the algorithm asked for", async () => {
    const data = randomBytes(90 * 1024);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "src/crc", Body: data, ChecksumAlgorithm: "CRC32" }));
    const out = await s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: "dst/sha1", CopySource: copySource(BUCKET, "src/crc"), ChecksumAlgorithm: "SHA1" }));
    const sha1 = createHash("sha1").update(data).digest("base64");
    assert.equal(out.CopyObjectResult?.ChecksumSHA1, sha1);
    assert.equal(out.CopyObjectResult?.ChecksumCRC32, undefined);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "dst/sha1", ChecksumMode: "ENABLED" }));
    assert.equal(head.ChecksumSHA1, sha1);
    assert.equal(head.ETag, `"${md5Hex(data)}"`);
  });

  test("copy-source conditions answer 412 as S3 evaluates them", async () => {
    const src = copySource(BUCKET, "src/plain");
    const etag = (await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "src/plain" }))).ETag!;
    const past = new Date("2001-01-01T00:00:00Z");
    const future = new Date(Date.now() + 3600_000);
    const copy = (extra: Record<string, unknown>) => s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: "dst/cond", CopySource: src, ...extra }));
    await copy({ CopySourceIfMatch: etag });
    await rejectsWith(copy({ CopySourceIfMatch: '"0123"' }), "PreconditionFailed", 412);
    await rejectsWith(copy({ CopySourceIfNoneMatch: etag }), "PreconditionFailed", 412);
    await copy({ CopySourceIfNoneMatch: '"0123"' });
    await rejectsWith(copy({ CopySourceIfModifiedSince: future }), "PreconditionFailed", 412);
    await copy({ CopySourceIfModifiedSince: past });
    await rejectsWith(copy({ CopySourceIfUnmodifiedSince: past }), "PreconditionFailed", 412);
    await copy({ CopySourceIfUnmodifiedSince: future });
    // If-Match true with If-Unmodified-Since false copies; If-None-Match false with If-Modified-Since true fails (CopyObject docs).
    await copy({ CopySourceIfMatch: etag, CopySourceIfUnmodifiedSince: past });
    await rejectsWith(copy({ CopySourceIfNoneMatch: etag, CopySourceIfModifiedSince: past }), "PreconditionFailed", 412);
  });

  test("copying an object onto itself needs a change", async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "self", Body: "me", Metadata: { v: "1" } }));
    const err = await rejectsWith(s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: "self", CopySource: copySource(BUCKET, "self") })), "InvalidRequest", 400);
    assert.match(err.message, /^This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes\.$/);
    await s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: "self", CopySource: copySource(BUCKET, "self"), MetadataDirective: "REPLACE", Metadata: { v: "2" } }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "self" }));
    assert.deepEqual(head.Metadata, { v: "2" });
    await s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: "self", CopySource: copySource(BUCKET, "self"), StorageClass: "GLACIER_IR" }));
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "self" }))).StorageClass, "GLACIER_IR");
    assert.equal((await read(BUCKET, "self")).toString(), "me");
  });

  test("missing sources answer NoSuchBucket, NoSuchKey and NoSuchVersion; bad headers InvalidArgument", async () => {
    const e1 = await rejectsWith(s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: "x", CopySource: "no-such-source-bucket/k" })), "NoSuchBucket", 404);
    assert.equal((e1 as unknown as Record<string, unknown>)["BucketName"], "no-such-source-bucket");
    const e2 = await rejectsWith(s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: "x", CopySource: copySource(BUCKET, "absent key") })), "NoSuchKey", 404);
    assert.equal((e2 as unknown as Record<string, unknown>)["Key"], "absent key");
    await rejectsWith(s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: "x", CopySource: `${copySource(BUCKET, "src/plain")}?versionId=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA` })), "NoSuchVersion", 404);
    await rejectsWith(s3.send(new CopyObjectCommand({ Bucket: "no-such-dest-bucket", Key: "x", CopySource: copySource(BUCKET, "src/plain") })), "NoSuchBucket", 404);
    await rejectsWith(s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: "x", CopySource: "just-a-bucket" })), "InvalidArgument", 400);
    await rejectsWith(s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: "x", CopySource: copySource(BUCKET, "src/plain"), MetadataDirective: "MERGE" as "COPY" })), "InvalidArgument", 400);
    await rejectsWith(s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: "x", CopySource: copySource(BUCKET, "src/plain"), StorageClass: "COLD" as "STANDARD" })), "InvalidStorageClass", 400);
    await rejectsWith(s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: "k".repeat(1025), CopySource: copySource(BUCKET, "src/plain") })), "KeyTooLongError", 400);
  });

  test("an archived source must be restored first: InvalidObjectState", async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "src/glacier", Body: "cold", StorageClass: "GLACIER" }));
    await rejectsWith(s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: "dst/glacier", CopySource: copySource(BUCKET, "src/glacier") })), "InvalidObjectState", 403);
  });

  test("versioned buckets: copy a given version, report both version ids, restore an old version in place", async () => {
    const v1 = await s3.send(new PutObjectCommand({ Bucket: VERSIONED, Key: "doc", Body: "version one" }));
    const v2 = await s3.send(new PutObjectCommand({ Bucket: VERSIONED, Key: "doc", Body: "version two" }));
    assert.ok(v1.VersionId && v2.VersionId && v1.VersionId !== v2.VersionId);
    const out = await s3.send(new CopyObjectCommand({ Bucket: VERSIONED, Key: "doc-copy", CopySource: `${VERSIONED}/doc?versionId=${v1.VersionId}` }));
    assert.equal(out.CopySourceVersionId, v1.VersionId);
    assert.ok(out.VersionId !== undefined && out.VersionId !== v1.VersionId);
    assert.equal((await read(VERSIONED, "doc-copy")).toString(), "version one");
    const latest = await s3.send(new CopyObjectCommand({ Bucket: OTHER, Key: "from-versioned", CopySource: `${VERSIONED}/doc` }));
    assert.equal(latest.CopySourceVersionId, v2.VersionId);
    // Copying an older version onto its own key restores it (S3 User Guide, "Restoring previous versions").
    const restored = await s3.send(new CopyObjectCommand({ Bucket: VERSIONED, Key: "doc", CopySource: `${VERSIONED}/doc?versionId=${v1.VersionId}` }));
    assert.equal((await read(VERSIONED, "doc")).toString(), "version one");
    assert.ok(restored.VersionId !== v1.VersionId && restored.VersionId !== v2.VersionId);
  });
});

/** Sends a DeleteObjects body by hand, with a correct Content-MD5 unless headers say otherwise. */
const rawDelete = (bucket: string, xml: string, headers: Record<string, string> = { "content-md5": md5Base64(xml) }) =>
  signedRequest(server, { method: "POST", path: `/${bucket}`, query: { delete: "" }, headers: { "content-type": "application/xml", ...headers }, body: xml });

const deleteXml = (objects: Array<{ key: string; versionId?: string }>, quiet = false): string =>
  `<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${quiet ? "<Quiet>true</Quiet>" : ""}${objects
    .map((o) => `<Object><Key>${o.key.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")}</Key>${o.versionId === undefined ? "" : `<VersionId>${o.versionId}</VersionId>`}</Object>`)
    .join("")}</Delete>`;

describe("DeleteObjects", () => {
  test("deletes existing and missing keys alike, awkward keys included, and reports each", async () => {
    const keys = ["del/a", "del/b & <c>", "del/ü ?#%+", "del/missing"];
    for (const k of keys.slice(0, 3)) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: k, Body: k }));
    const out = await s3.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: keys.map((Key) => ({ Key })) } }));
    assert.deepEqual(out.Deleted?.map((d) => d.Key).sort(), [...keys].sort());
    assert.equal(out.Errors, undefined);
    for (const k of keys) await rejectsWith(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: k })), "NotFound", 404);
  });

  test("quiet mode lists only errors; versionId=null is accepted; a bad version id is a per-key error", async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "quiet/1", Body: "1" }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "quiet/2", Body: "2" }));
    const out = await s3.send(
      new DeleteObjectsCommand({
        Bucket: BUCKET,
        Delete: { Quiet: true, Objects: [{ Key: "quiet/1" }, { Key: "quiet/2", VersionId: "null" }, { Key: "quiet/3", VersionId: "not a version!" }] },
      }),
    );
    assert.equal(out.Deleted, undefined);
    assert.deepEqual(out.Errors, [{ Key: "quiet/3", VersionId: "not a version!", Code: "NoSuchVersion", Message: "The specified version does not exist." }]);
    await rejectsWith(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "quiet/2" })), "NotFound", 404);
    const verbose = await s3.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: "quiet/2", VersionId: "null" }] } }));
    assert.deepEqual(verbose.Deleted, [{ Key: "quiet/2", VersionId: "null" }]);
  });

  test("versioned buckets: delete markers are created and removed, versions removed by id", async () => {
    const v1 = await s3.send(new PutObjectCommand({ Bucket: VERSIONED, Key: "vdel", Body: "one" }));
    const marked = await s3.send(new DeleteObjectsCommand({ Bucket: VERSIONED, Delete: { Objects: [{ Key: "vdel" }] } }));
    const marker = marked.Deleted?.[0];
    assert.equal(marker?.DeleteMarker, true);
    assert.ok(marker?.DeleteMarkerVersionId);
    assert.equal(marker?.VersionId, undefined);
    await rejectsWith(s3.send(new GetObjectCommand({ Bucket: VERSIONED, Key: "vdel" })), "NoSuchKey", 404);
    const unmarked = await s3.send(new DeleteObjectsCommand({ Bucket: VERSIONED, Delete: { Objects: [{ Key: "vdel", VersionId: marker.DeleteMarkerVersionId }] } }));
    assert.deepEqual(unmarked.Deleted, [{ Key: "vdel", VersionId: marker.DeleteMarkerVersionId, DeleteMarker: true, DeleteMarkerVersionId: marker.DeleteMarkerVersionId }]);
    assert.equal((await read(VERSIONED, "vdel")).toString(), "one");
    const gone = await s3.send(new DeleteObjectsCommand({ Bucket: VERSIONED, Delete: { Objects: [{ Key: "vdel", VersionId: v1.VersionId }] } }));
    assert.deepEqual(gone.Deleted, [{ Key: "vdel", VersionId: v1.VersionId }]);
    await rejectsWith(s3.send(new GetObjectCommand({ Bucket: VERSIONED, Key: "vdel", VersionId: v1.VersionId })), "NoSuchVersion", 404);
  });

  test("malformed or schema-breaking XML answers MalformedXML", async () => {
    const bad = [
      "this is not xml",
      "<Delete><Object><Key>a</Key></Object>",
      "<Other><Object><Key>a</Key></Object></Other>",
      "<Delete></Delete>",
      "<Delete><Object></Object></Delete>",
      "<Delete><Object><Key></Key></Object></Delete>",
      "<Delete><Quiet>maybe</Quiet><Object><Key>a</Key></Object></Delete>",
    ];
    for (const xml of bad) assertXmlError(await rawDelete(BUCKET, xml), 400, "MalformedXML");
  });

  test("1,000 keys are fine; 1,001 answer MalformedXML", async () => {
    const thousand = Array.from({ length: 1000 }, (_, i) => ({ key: `bulk/${i}` }));
    const ok = await rawDelete(BUCKET, deleteXml(thousand, true));
    assert.equal(ok.status, 200, ok.body.toString());
    assert.equal(parseXmlBody(ok.body)["DeleteResult"], "");
    assertXmlError(await rawDelete(BUCKET, deleteXml([...thousand, { key: "bulk/1000" }])), 400, "MalformedXML");
  });

  test("an integrity header is required and checked: Content-MD5 or x-amz-checksum-*", async () => {
    const xml = deleteXml([{ key: "integrity/a" }]);
    const missing = assertXmlError(await rawDelete(BUCKET, xml, {}), 400, "InvalidRequest");
    assert.equal(missing["Message"], "Missing required header for this request: Content-MD5");
    assertXmlError(await rawDelete(BUCKET, xml, { "content-md5": md5Base64("other") }), 400, "BadDigest");
    const sha256 = (s: string): string => createHash("sha256").update(s).digest("base64");
    const good = await rawDelete(BUCKET, xml, { "x-amz-checksum-sha256": sha256(xml) });
    assert.equal(good.status, 200, good.body.toString());
    const deleted = (parseXmlBody(good.body)["DeleteResult"] as Record<string, Record<string, string>>)["Deleted"];
    assert.equal(deleted?.["Key"], "integrity/a");
    assertXmlError(await rawDelete(BUCKET, xml, { "x-amz-checksum-sha256": sha256("other") }), 400, "BadDigest");
  });

  test("a missing bucket answers NoSuchBucket", async () => {
    await rejectsWith(s3.send(new DeleteObjectsCommand({ Bucket: "no-such-delete-bucket", Delete: { Objects: [{ Key: "a" }] } })), "NoSuchBucket", 404);
  });
});
