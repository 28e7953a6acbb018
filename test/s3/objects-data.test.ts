// S3 object bodies end to end with @aws-sdk/client-s3: lib-storage uploads, the SDK's default
// CRC32 trailer, every additional checksum, Content-MD5, Range GETs, conditional reads and
// writes, and concurrent writers to one key.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { before, describe, test } from "node:test";
import { crc32 } from "node:zlib";
import { Crc32c } from "@aws-crypto/crc32c";
import { Crc64Nvme } from "@aws-sdk/crc64-nvme";
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type ChecksumAlgorithm,
  type S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import type { RunningServer } from "../helpers/server.js";
import { sha256Hex, signedRequest } from "../helpers/signed-requests.js";
import { assertXmlError, bodyBytes, md5Base64, md5Hex, rejectsWith, s3Client, withServerAndBucket } from "./objects-support.js";

let server: RunningServer;
let s3: S3Client;
const BUCKET = "objects-data";

withServerAndBucket(BUCKET, (env) => ({ server, s3 } = env));

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};

/** The base64 checksum S3 reports, computed here with independent code. */
async function checksumOf(algorithm: ChecksumAlgorithm, data: Buffer): Promise<string> {
  switch (algorithm) {
    case "CRC32":
      return u32(crc32(data)).toString("base64");
    case "CRC32C":
      return u32(new Crc32c().update(data).digest()).toString("base64");
    case "CRC64NVME": {
      const h = new Crc64Nvme();
      h.update(data);
      return Buffer.from(await h.digest()).toString("base64");
    }
    case "SHA1":
      return createHash("sha1").update(data).digest("base64");
    case "SHA256":
      return createHash("sha256").update(data).digest("base64");
  }
  throw new Error(`no local implementation of ${algorithm}`);
}

const checksumField = (a: ChecksumAlgorithm): "ChecksumCRC32" | "ChecksumCRC32C" | "ChecksumCRC64NVME" | "ChecksumSHA1" | "ChecksumSHA256" =>
  `Checksum${a}` as "ChecksumCRC32";

describe("uploads", () => {
  test("lib-storage Upload of a 20 MiB stream below its part size: one PutObject, read back byte-identical", async () => {
    const data = randomBytes(20 * 1024 * 1024);
    const parts: Buffer[] = [];
    for (let i = 0; i < data.length; i += 1 << 20) parts.push(data.subarray(i, i + (1 << 20)));
    // lib-storage sends a body that fits in one part as a single PutObject (multipart comes later).
    const upload = new Upload({ client: s3, params: { Bucket: BUCKET, Key: "big/upload.bin", Body: Readable.from(parts) }, partSize: 32 * 1024 * 1024, queueSize: 1 });
    const out = await upload.done();
    assert.equal(out.ETag, `"${md5Hex(data)}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "big/upload.bin" }));
    assert.equal(got.ContentLength, data.length);
    const back = await bodyBytes(got.Body);
    assert.equal(sha256Hex(back), sha256Hex(data));
  });

  test("the SDK's default CRC32 trailer on a streamed PutObject is verified, stored and returned", async () => {
    const seen: Record<string, string>[] = [];
    const client = s3Client(server);
    client.middlewareStack.add(
      (next) => async (args) => {
        seen.push({ ...(args.request as { headers: Record<string, string> }).headers });
        return next(args);
      },
      { step: "finalizeRequest", name: "captureHeaders", priority: "low" },
    );
    const data = randomBytes(300 * 1024);
    const put = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "trailer.bin", Body: Readable.from([data.subarray(0, 1000), data.subarray(1000)]), ContentLength: data.length }));
    const sent = seen.at(-1)!;
    assert.equal(sent["x-amz-trailer"], "x-amz-checksum-crc32", JSON.stringify(sent));
    assert.match(sent["content-encoding"] ?? "", /aws-chunked/);
    assert.equal(put.ChecksumCRC32, await checksumOf("CRC32", data));
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: "trailer.bin", ChecksumMode: "ENABLED" }));
    assert.equal(got.ChecksumCRC32, await checksumOf("CRC32", data));
    assert.ok(got.ContentEncoding === undefined, "aws-chunked is not stored as a content coding");
    assert.ok((await bodyBytes(got.Body)).equals(data));
    client.destroy();
  });
});

describe("integrity", () => {
  const algorithms: ChecksumAlgorithm[] = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"];

  for (const algorithm of algorithms) {
    test(`${algorithm} is verified on upload and returned with x-amz-checksum-mode: ENABLED`, async () => {
      for (const size of [1234, 100 * 1024]) {
        const data = randomBytes(size);
        const key = `sum/${algorithm}/${size}`;
        const expected = await checksumOf(algorithm, data);
        const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: data, ChecksumAlgorithm: algorithm }));
        assert.equal(put[checksumField(algorithm)], expected);
        const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: "ENABLED" }));
        assert.equal(head[checksumField(algorithm)], expected);
        assert.equal(head.ChecksumType, "FULL_OBJECT");
        const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: "ENABLED" }));
        assert.equal(got[checksumField(algorithm)], expected);
        assert.ok((await bodyBytes(got.Body)).equals(data));
        // Without checksum mode the checksum is not sent.
        const plain = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
        assert.equal(plain[checksumField(algorithm)], undefined);
      }
    });

    test(`a wrong ${algorithm} answers BadDigest and stores nothing`, async () => {
      const key = `sum-bad/${algorithm}`;
      const wrong = await checksumOf(algorithm, Buffer.from("something else"));
      await rejectsWith(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: Buffer.from("the real body"), [checksumField(algorithm)]: wrong })), "BadDigest", 400);
      await rejectsWith(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })), "NotFound", 404);
    });
  }

  test("Content-MD5: a good one is accepted, a wrong one is BadDigest, a malformed one InvalidDigest", async () => {
    const body = Buffer.from("md5 checked body");
    const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "md5/good", Body: body, ContentMD5: md5Base64(body) }));
    assert.equal(put.ETag, `"${md5Hex(body)}"`);
    await rejectsWith(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "md5/bad", Body: body, ContentMD5: md5Base64("other") })), "BadDigest", 400);
    await rejectsWith(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "md5/bad" })), "NotFound", 404);
    await rejectsWith(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "md5/invalid", Body: body, ContentMD5: "bm90LW1kNQ==" })), "InvalidDigest", 400);
  });
});

describe("ranges", () => {
  const small = Buffer.from("0123456789abcdefghij");
  const large = randomBytes(200 * 1024);

  before(async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "range/small", Body: small }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "range/large", Body: large }));
  });

  const cases: Array<[string, number, number]> = [
    ["bytes=0-4", 0, 4],
    ["bytes=5-", 5, 19],
    ["bytes=-3", 17, 19],
    ["bytes=-100", 0, 19],
    ["bytes=15-100", 15, 19],
    ["bytes=19-19", 19, 19],
  ];
  for (const [range, start, end] of cases) {
    test(`${range} answers 206 with bytes ${start}-${end}`, async () => {
      const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "range/small", Range: range }));
      assert.equal(got.$metadata.httpStatusCode, 206);
      assert.equal(got.ContentRange, `bytes ${start}-${end}/20`);
      assert.equal(got.ContentLength, end - start + 1);
      assert.deepEqual(await bodyBytes(got.Body), small.subarray(start, end + 1));
    });
  }

  test("ranges of a file-backed object, and HEAD with a range", async () => {
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "range/large", Range: "bytes=65530-140000" }));
    assert.equal(got.$metadata.httpStatusCode, 206);
    assert.ok((await bodyBytes(got.Body)).equals(large.subarray(65530, 140001)));
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "range/large", Range: "bytes=-10" }));
    assert.equal(head.$metadata.httpStatusCode, 206);
    assert.equal(head.ContentLength, 10);
    assert.equal(head.ContentRange, `bytes ${large.length - 10}-${large.length - 1}/${large.length}`);
  });

  test("a range past the end answers 416 InvalidRange with Content-Range bytes */size", async () => {
    for (const range of ["bytes=20-", "bytes=20-30", "bytes=-0"]) {
      const res = await signedRequest(server, { method: "GET", path: "/objects-data/range/small", headers: { range } });
      const fields = assertXmlError(res, 416, "InvalidRange");
      assert.equal(res.headers["content-range"], "bytes */20");
      assert.equal(fields["ActualObjectSize"], "20");
      assert.equal(fields["RangeRequested"], range);
    }
    await rejectsWith(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "range/small", Range: "bytes=100-200" })), "InvalidRange", 416);
  });

  test("a Range that does not parse is ignored: the whole object, 200", async () => {
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "range/small", Range: "bytes=abc" }));
    assert.equal(got.$metadata.httpStatusCode, 200);
    assert.deepEqual(await bodyBytes(got.Body), small);
  });
});

describe("conditional requests", () => {
  let etag = "";
  let lastModified = new Date(0);
  const KEY = "cond/object";
  const past = new Date("2001-01-01T00:00:00Z");
  const future = new Date(Date.now() + 3600_000);

  before(async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: "conditional" }));
    etag = put.ETag!;
    lastModified = (await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: KEY }))).LastModified!;
  });

  const get = (extra: Record<string, unknown>) => s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY, ...extra }));
  const head = (extra: Record<string, unknown>) => s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: KEY, ...extra }));

  test("If-Match: a matching ETag (or *) reads, another answers 412", async () => {
    assert.equal((await get({ IfMatch: etag })).$metadata.httpStatusCode, 200);
    assert.equal((await get({ IfMatch: "*" })).$metadata.httpStatusCode, 200);
    assert.equal((await get({ IfMatch: `"nope", ${etag}` })).$metadata.httpStatusCode, 200);
    await rejectsWith(get({ IfMatch: '"0123"' }), "PreconditionFailed", 412);
    await rejectsWith(head({ IfMatch: '"0123"' }), "", 412);
  });

  test("If-None-Match: a matching ETag answers 304, another reads", async () => {
    await rejectsWith(get({ IfNoneMatch: etag }), "", 304);
    await rejectsWith(head({ IfNoneMatch: etag }), "", 304);
    assert.equal((await get({ IfNoneMatch: '"0123"' })).$metadata.httpStatusCode, 200);
  });

  test("If-Modified-Since: 304 when not modified since, 200 otherwise", async () => {
    await rejectsWith(get({ IfModifiedSince: lastModified }), "", 304);
    await rejectsWith(get({ IfModifiedSince: future }), "", 304);
    assert.equal((await get({ IfModifiedSince: past })).$metadata.httpStatusCode, 200);
  });

  test("If-Unmodified-Since: 412 when modified since, 200 otherwise", async () => {
    await rejectsWith(get({ IfUnmodifiedSince: past }), "PreconditionFailed", 412);
    assert.equal((await get({ IfUnmodifiedSince: lastModified })).$metadata.httpStatusCode, 200);
    assert.equal((await get({ IfUnmodifiedSince: future })).$metadata.httpStatusCode, 200);
  });

  test("S3's precedence: If-Match over If-Unmodified-Since, If-None-Match over If-Modified-Since", async () => {
    // If-Match true and If-Unmodified-Since false: 200 (GetObject docs).
    assert.equal((await get({ IfMatch: etag, IfUnmodifiedSince: past })).$metadata.httpStatusCode, 200);
    // If-None-Match false and If-Modified-Since true: 304.
    await rejectsWith(get({ IfNoneMatch: etag, IfModifiedSince: past }), "", 304);
    // If-None-Match true and If-Modified-Since false: 200.
    assert.equal((await get({ IfNoneMatch: '"0123"', IfModifiedSince: future })).$metadata.httpStatusCode, 200);
    // A failed If-Match wins over a matching If-None-Match: 412.
    await rejectsWith(get({ IfMatch: '"0123"', IfNoneMatch: etag }), "PreconditionFailed", 412);
  });

  test("conditional writes: If-None-Match: * refuses an existing key; If-Match needs the current ETag", async () => {
    await rejectsWith(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: "x", IfNoneMatch: "*" })), "PreconditionFailed", 412);
    const created = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "cond/new", Body: "first", IfNoneMatch: "*" }));
    await rejectsWith(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "cond/new", Body: "second", IfNoneMatch: "*" })), "PreconditionFailed", 412);
    await rejectsWith(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "cond/new", Body: "second", IfMatch: '"00000000000000000000000000000000"' })), "PreconditionFailed", 412);
    const replaced = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "cond/new", Body: "second", IfMatch: created.ETag }));
    assert.equal(replaced.ETag, `"${md5Hex("second")}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "cond/new" }));
    assert.equal((await bodyBytes(got.Body)).toString(), "second");
    // If-Match on a key that does not exist: 404 NoSuchKey (S3 User Guide, "Conditional writes").
    await rejectsWith(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "cond/absent", Body: "x", IfMatch: created.ETag })), "NoSuchKey", 404);
  });
});

describe("concurrency", () => {
  const countBlobs = (): number => {
    const dir = join(server.dataDir, "blobs");
    let n = 0;
    for (const shard of readdirSync(dir)) if (/^[0-9a-f]{2}$/.test(shard)) n += readdirSync(join(dir, shard)).length;
    return n;
  };

  test("concurrent writers to one key: readers always see one whole version, the last commit stays, no file leaks", async () => {
    const KEY = "race/key";
    const before = countBlobs();
    // Bodies above and below the inline threshold, each recognisable by its MD5.
    const bodies = Array.from({ length: 16 }, (_, i) => randomBytes(i % 2 === 0 ? 150 * 1024 + i : 8 * 1024 + i));
    const byMd5 = new Map(bodies.map((b) => [md5Hex(b), b]));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: bodies[0]! }));
    let writing = true;
    let reads = 0;
    const reader = async (): Promise<void> => {
      while (writing) {
        const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY }));
        const body = await bodyBytes(got.Body);
        const md5 = md5Hex(body);
        assert.ok(byMd5.has(md5), `read ${body.length} bytes that no writer wrote`);
        assert.equal(got.ETag, `"${md5}"`, "the ETag belongs to the body served with it");
        assert.equal(got.ContentLength, body.length);
        reads++;
      }
    };
    const writers = async (): Promise<void> => {
      await Promise.all(bodies.map((b) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: b }))));
      writing = false;
    };
    await Promise.all([writers(), reader(), reader(), reader()]);
    assert.ok(reads > 0);
    const final = await bodyBytes((await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY }))).Body);
    assert.ok(byMd5.has(md5Hex(final)));
    // One more write after the race wins outright.
    const last = randomBytes(100 * 1024);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: last }));
    assert.ok((await bodyBytes((await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY }))).Body)).equals(last));
    // Every overwritten file is freed: only the last body's file remains (deletes run after commit).
    const deadline = Date.now() + 5000;
    while (countBlobs() !== before + 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(countBlobs(), before + 1);
  });
});
