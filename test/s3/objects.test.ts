// S3 objects end to end with @aws-sdk/client-s3: keys of every awkward shape, metadata, content
// headers and response-* overrides, storage classes, and the error answers for missing or invalid
// buckets and keys.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  type StorageClass,
} from "@aws-sdk/client-s3";
import type { RunningServer } from "../helpers/server.js";
import { signedRequest } from "../helpers/signed-requests.js";
import { assertXmlError, bodyBytes, rejectsWith, withServerAndBucket } from "./objects-support.js";

let server: RunningServer;
let s3: S3Client;
const BUCKET = "objects-basics";

withServerAndBucket(BUCKET, (env) => ({ server, s3 } = env));

// Keys S3 stores exactly as given (S3 User Guide, "Naming Amazon S3 objects").
const AWKWARD_KEYS = [
  "dir/sub/file.txt",
  "a//b",
  "//lead",
  "../up",
  "a/../b",
  "./dot/./x",
  "..",
  "with space",
  "  spaced  ",
  "trailing/",
  "ünïcödé/日本語/🙂",
  "100%",
  "%41%2F",
  "a+b c+d",
  "what?x=1&y=2",
  "hash#tag",
  "all %2F+?#&=;:@$,!'()*[]{}~`^|\\\"<>",
  "é".repeat(512),
];

describe("keys", () => {
  const bucket = "objects-keys";

  test("awkward keys round-trip byte-identical and are listed exactly", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    for (const [i, key] of AWKWARD_KEYS.entries()) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `body ${i} of ${key}` }));
    }
    for (const [i, key] of AWKWARD_KEYS.entries()) {
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      assert.equal((await bodyBytes(got.Body)).toString("utf8"), `body ${i} of ${key}`, `GET ${JSON.stringify(key)}`);
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      assert.equal(head.ContentLength, Buffer.byteLength(`body ${i} of ${key}`));
    }
    const listed: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 5, ContinuationToken: token }));
      for (const o of page.Contents ?? []) listed.push(o.Key!);
      token = page.NextContinuationToken;
    } while (token !== undefined);
    // S3 lists keys in the order of their UTF-8 bytes.
    const expected = [...AWKWARD_KEYS].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    assert.deepEqual(listed, expected);
  });

  test("a key of 1,024 bytes is fine; 1,025 answers KeyTooLongError", async () => {
    const ok = "k".repeat(1024);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: ok, Body: "x" }));
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: ok }))).ContentLength, 1);
    const err = await rejectsWith(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "k".repeat(1025), Body: "x" })), "KeyTooLongError", 400);
    assert.match(err.message, /too long/);
    await rejectsWith(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "é".repeat(513), Body: "x" })), "KeyTooLongError", 400);
  });
});

describe("metadata and content headers", () => {
  test("user metadata round-trips with lower-cased names", async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "meta", Body: "m", Metadata: { color: "blue", "Mixed-Case": "Value With Spaces" } }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "meta" }));
    assert.deepEqual(head.Metadata, { color: "blue", "mixed-case": "Value With Spaces" });
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "meta" }));
    assert.deepEqual(got.Metadata, { color: "blue", "mixed-case": "Value With Spaces" });
    await bodyBytes(got.Body);
  });

  test("user metadata may total 2 KB; more answers MetadataTooLarge", async () => {
    // Names and values count in UTF-8 bytes, without the x-amz-meta- prefix.
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "meta-2k", Body: "m", Metadata: { k: "v".repeat(2047) } }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "meta-2k" }));
    assert.equal(head.Metadata?.["k"]?.length, 2047);
    await rejectsWith(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "meta-2k1", Body: "m", Metadata: { k: "v".repeat(2048) } })), "MetadataTooLarge", 400);
    await rejectsWith(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "meta-many", Body: "m", Metadata: { a: "x".repeat(1100), b: "y".repeat(1100) } })), "MetadataTooLarge", 400);
    await rejectsWith(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "meta-2k1" })), "NotFound", 404);
  });

  test("Content-Type/-Encoding/-Disposition/-Language, Cache-Control and Expires round-trip", async () => {
    const expires = new Date("2031-02-03T04:05:06Z");
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: "headers",
        Body: "payload",
        ContentType: "text/plain; charset=utf-8",
        ContentEncoding: "identity",
        ContentDisposition: 'attachment; filename="report.txt"',
        ContentLanguage: "de-DE",
        CacheControl: "max-age=60, must-revalidate",
        Expires: expires,
      }),
    );
    for (const out of [
      await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "headers" })),
      await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "headers" })),
    ]) {
      assert.equal(out.ContentType, "text/plain; charset=utf-8");
      assert.equal(out.ContentEncoding, "identity");
      assert.equal(out.ContentDisposition, 'attachment; filename="report.txt"');
      assert.equal(out.ContentLanguage, "de-DE");
      assert.equal(out.CacheControl, "max-age=60, must-revalidate");
      assert.equal(out.ExpiresString ?? out.Expires?.toUTCString(), expires.toUTCString());
      assert.equal(out.ContentLength, 7);
    }
    // Without a Content-Type S3 stores binary/octet-stream.
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "no-type", Body: Buffer.from("x") }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "no-type" }));
    assert.ok(head.ContentType === "binary/octet-stream" || head.ContentType === "application/octet-stream", head.ContentType);
  });

  test("response-* query parameters override the stored headers on GET", async () => {
    const got = await s3.send(
      new GetObjectCommand({
        Bucket: BUCKET,
        Key: "headers",
        ResponseContentType: "application/json",
        ResponseContentLanguage: "fr",
        ResponseExpires: new Date("2040-01-01T00:00:00Z"),
        ResponseCacheControl: "no-store",
        ResponseContentDisposition: "inline",
        ResponseContentEncoding: "identity",
      }),
    );
    assert.equal(got.ContentType, "application/json");
    assert.equal(got.ContentLanguage, "fr");
    assert.equal(got.CacheControl, "no-store");
    assert.equal(got.ContentDisposition, "inline");
    assert.equal(got.ContentEncoding, "identity");
    assert.equal(got.ExpiresString ?? got.Expires?.toUTCString(), new Date("2040-01-01T00:00:00Z").toUTCString());
    assert.equal((await bodyBytes(got.Body)).toString(), "payload");
  });
});

describe("storage classes", () => {
  const classes: StorageClass[] = ["STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"];

  test("every S3 class is accepted, stored and returned", async () => {
    for (const sc of classes) {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `class/${sc}`, Body: sc, StorageClass: sc }));
      const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `class/${sc}` }));
      // S3 leaves x-amz-storage-class out for STANDARD.
      assert.equal(head.StorageClass ?? "STANDARD", sc);
    }
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "class/" }));
    assert.deepEqual(
      Object.fromEntries((listed.Contents ?? []).map((o) => [o.Key!.slice("class/".length), o.StorageClass])),
      Object.fromEntries(classes.map((c) => [c, c])),
    );
  });

  test("readable classes serve GET; archived ones answer InvalidObjectState until restored", async () => {
    for (const sc of ["STANDARD_IA", "GLACIER_IR", "INTELLIGENT_TIERING"]) {
      const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `class/${sc}` }));
      assert.equal((await bodyBytes(got.Body)).toString(), sc);
    }
    for (const sc of ["GLACIER", "DEEP_ARCHIVE"]) {
      const err = await rejectsWith(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `class/${sc}` })), "InvalidObjectState", 403);
      assert.equal((err as unknown as Record<string, unknown>)["StorageClass"], sc);
    }
  });

  test("an unknown class answers InvalidStorageClass", async () => {
    await rejectsWith(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "class/bad", Body: "x", StorageClass: "FROZEN" as StorageClass })), "InvalidStorageClass", 400);
  });
});

describe("missing and invalid names", () => {
  test("a missing bucket answers NoSuchBucket with its name", async () => {
    const err = await rejectsWith(s3.send(new GetObjectCommand({ Bucket: "no-such-bucket-here", Key: "k" })), "NoSuchBucket", 404);
    assert.equal((err as unknown as Record<string, unknown>)["BucketName"], "no-such-bucket-here");
    await rejectsWith(s3.send(new PutObjectCommand({ Bucket: "no-such-bucket-here", Key: "k", Body: "x" })), "NoSuchBucket", 404);
    await rejectsWith(s3.send(new ListObjectsV2Command({ Bucket: "no-such-bucket-here" })), "NoSuchBucket", 404);
    await rejectsWith(s3.send(new HeadBucketCommand({ Bucket: "no-such-bucket-here" })), "NotFound", 404);
  });

  test("a missing key answers NoSuchKey with the key; HEAD answers a bare 404", async () => {
    const err = await rejectsWith(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "missing/ü key" })), "NoSuchKey", 404);
    assert.equal((err as unknown as Record<string, unknown>)["Key"], "missing/ü key");
    await rejectsWith(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "missing" })), "NotFound", 404);
    // Deleting what is not there succeeds.
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: "missing" }));
  });

  test("invalid bucket names answer InvalidBucketName", async () => {
    const bad = ["ab", "x".repeat(64), "UpperCase", "under_score", "-leading", "trailing-", "two..dots", "192.168.5.4", "xn--punycode", "sthree-bucket", "name-s3alias", "name--ol-s3"];
    for (const name of bad) {
      // Sent by hand: some of these names never leave the SDK.
      const res = await signedRequest(server, { method: "PUT", path: `/${encodeURIComponent(name)}` });
      const fields = assertXmlError(res, 400, "InvalidBucketName");
      assert.equal(fields["BucketName"], name);
    }
    const names = (await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name) ?? [];
    for (const name of bad) assert.ok(!names.includes(name), name);
  });
});

describe("buckets", () => {
  test("create, BucketNotEmpty, delete, and head after delete", async () => {
    const name = "objects-lifecycle";
    await s3.send(new CreateBucketCommand({ Bucket: name }));
    await s3.send(new HeadBucketCommand({ Bucket: name }));
    await s3.send(new PutObjectCommand({ Bucket: name, Key: "k", Body: "x" }));
    const err = await rejectsWith(s3.send(new DeleteBucketCommand({ Bucket: name })), "BucketNotEmpty", 409);
    assert.equal((err as unknown as Record<string, unknown>)["BucketName"], name);
    await s3.send(new DeleteObjectCommand({ Bucket: name, Key: "k" }));
    await s3.send(new DeleteBucketCommand({ Bucket: name }));
    await rejectsWith(s3.send(new HeadBucketCommand({ Bucket: name })), "NotFound", 404);
    await rejectsWith(s3.send(new DeleteBucketCommand({ Bucket: name })), "NoSuchBucket", 404);
  });

  test("ListBuckets pages with max-buckets and continuation tokens, and filters by prefix", async () => {
    const made = Array.from({ length: 7 }, (_, i) => `paging-${String(i).padStart(2, "0")}`);
    for (const name of made) await s3.send(new CreateBucketCommand({ Bucket: name }));
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await s3.send(new ListBucketsCommand({ MaxBuckets: 3, Prefix: "paging-", ContinuationToken: token }));
      assert.ok((page.Buckets ?? []).length <= 3);
      for (const b of page.Buckets ?? []) seen.push(b.Name!);
      token = page.ContinuationToken;
      pages++;
    } while (token !== undefined);
    assert.deepEqual(seen, made);
    assert.equal(pages, 3);
    const all = (await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name!) ?? [];
    for (const name of [...made, BUCKET]) assert.ok(all.includes(name), name);
    assert.deepEqual(all, [...all].sort());
  });
});
