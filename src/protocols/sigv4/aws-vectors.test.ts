// The worked examples of the S3 SigV4 documentation, used as test vectors:
// "Signature Calculations for the Authorization Header: Transferring Payload in a Single Chunk",
// "Authenticating Requests: Using Query Parameters", "Signature Calculation: Transfer Payload in
// Multiple Chunks" and "Signature calculations for trailing headers".
import { test } from "node:test";
import assert from "node:assert/strict";
import { authenticate, createBodyVerifier } from "./index.js";
import { AKID, expectAuthError, runThrough, secrets, seededSizes, splitInto } from "./test-support.js";
import type { HttpRequestParts } from "./types.js";

const NOW = Date.UTC(2013, 4, 24, 0, 0, 0);
const EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const cred = `Credential=${AKID}/20130524/us-east-1/s3/aws4_request`;

function req(method: string, rawPath: string, rawQuery: string, headers: Record<string, string>): HttpRequestParts {
  return { method, rawPath, rawQuery, headers };
}

test("GET Object example (range header) verifies", () => {
  const r = authenticate(
    req("GET", "/test.txt", "", {
      host: "examplebucket.s3.amazonaws.com",
      range: "bytes=0-9",
      "x-amz-content-sha256": EMPTY,
      "x-amz-date": "20130524T000000Z",
      authorization: `AWS4-HMAC-SHA256 ${cred},SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41`,
    }),
    secrets,
    NOW,
  );
  assert.deepEqual(
    { kind: r.kind, accessKeyId: r.accessKeyId, region: r.region, service: r.service, payload: r.payload },
    { kind: "sigv4", accessKeyId: AKID, region: "us-east-1", service: "s3", payload: { type: "sha256", expectedHex: EMPTY } },
  );
});

test("PUT Object example: '$' sent raw is signed as %24, Date header signed too", () => {
  const hash = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072";
  const headers = {
    host: "examplebucket.s3.amazonaws.com",
    date: "Fri, 24 May 2013 00:00:00 GMT",
    "x-amz-date": "20130524T000000Z",
    "x-amz-storage-class": "REDUCED_REDUNDANCY",
    "x-amz-content-sha256": hash,
    authorization: `AWS4-HMAC-SHA256 ${cred},SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd`,
  };
  for (const path of ["/test$file.text", "/test%24file.text"]) {
    const r = authenticate(req("PUT", path, "", headers), secrets, NOW);
    assert.deepEqual(r.payload, { type: "sha256", expectedHex: hash });
  }
});

test("GET Bucket lifecycle example: valueless sub-resource signs as 'lifecycle='", () => {
  const r = authenticate(
    req("GET", "/", "lifecycle", {
      host: "examplebucket.s3.amazonaws.com",
      "x-amz-date": "20130524T000000Z",
      "x-amz-content-sha256": EMPTY,
      authorization: `AWS4-HMAC-SHA256 ${cred},SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543`,
    }),
    secrets,
    NOW,
  );
  assert.equal(r.kind, "sigv4");
});

test("GET Bucket (list objects) example: query sorted by name", () => {
  const r = authenticate(
    req("GET", "/", "max-keys=2&prefix=J", {
      host: "examplebucket.s3.amazonaws.com",
      "x-amz-date": "20130524T000000Z",
      "x-amz-content-sha256": EMPTY,
      authorization: `AWS4-HMAC-SHA256 ${cred},SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7`,
    }),
    secrets,
    NOW,
  );
  assert.equal(r.kind, "sigv4");
});

const presignedQuery =
  "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

test("presigned GET example verifies within its 86400 s and expires after", () => {
  const r = authenticate(req("GET", "/test.txt", presignedQuery, { host: "examplebucket.s3.amazonaws.com" }), secrets, NOW + 3600_000);
  assert.equal(r.kind, "sigv4-presigned");
  assert.deepEqual(r.payload, { type: "none" });
  const err = expectAuthError(
    () => authenticate(req("GET", "/test.txt", presignedQuery, { host: "examplebucket.s3.amazonaws.com" }), secrets, NOW + 86_401_000),
    "AccessDenied",
  );
  assert.equal(err.message, "Request has expired");
  assert.deepEqual(err.extra, { "X-Amz-Expires": "86400", Expires: "2013-05-25T00:00:00Z", ServerTime: "2013-05-25T00:00:01Z" });
});

// --- chunked upload example: 66560 bytes of 'a' in a 64 KiB chunk, a 1 KiB chunk, a 0 chunk ---

const seedHeaders = {
  host: "s3.amazonaws.com",
  "x-amz-date": "20130524T000000Z",
  "x-amz-storage-class": "REDUCED_REDUNDANCY",
  "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
  "content-encoding": "aws-chunked",
  "x-amz-decoded-content-length": "66560",
  "content-length": "66824",
  authorization: `AWS4-HMAC-SHA256 ${cred},SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9`,
};

function docsChunkedBody(): Buffer {
  return Buffer.concat([
    Buffer.from("10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n"),
    Buffer.alloc(65536, "a"),
    Buffer.from("\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n"),
    Buffer.alloc(1024, "a"),
    Buffer.from("\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n"),
  ]);
}

test("chunked upload example: seed signature, then every chunk, in awkward read sizes", async () => {
  const r = authenticate(req("PUT", "/examplebucket/chunkObject.txt", "", seedHeaders), secrets, NOW);
  assert.equal(r.payload.type, "streaming-signed");
  const body = docsChunkedBody();
  assert.equal(body.length, 66824);
  const splits: Array<readonly number[]> = [[body.length], [1], [7, 3, 1024, 1], seededSizes(42, 500, 300), seededSizes(7, 50, 9000)];
  for (const sizes of splits) {
    const trailers: Record<string, string> = {};
    const { data, error } = await runThrough(createBodyVerifier(r.payload, trailers), splitInto(body, sizes));
    assert.equal(error, undefined, `split ${sizes.slice(0, 4).join(",")}`);
    assert.equal(data.length, 66560);
    assert.ok(data.every((b) => b === 0x61));
    assert.deepEqual(trailers, {});
  }
});

test("chunked upload example: a flipped byte, a wrong signature, a dropped final chunk all fail", async () => {
  const r = authenticate(req("PUT", "/examplebucket/chunkObject.txt", "", seedHeaders), secrets, NOW);
  const flipped = docsChunkedBody();
  flipped[200] = 0x62;
  const bad = await runThrough(createBodyVerifier(r.payload, {}), [flipped]);
  assert.equal((bad.error as { code?: string }).code, "SignatureDoesNotMatch");

  const wrongSig = Buffer.from(docsChunkedBody().toString("latin1").replace("0055627c", "0055627d"), "latin1");
  assert.equal(((await runThrough(createBodyVerifier(r.payload, {}), [wrongSig])).error as { code?: string }).code, "SignatureDoesNotMatch");

  const noFinal = docsChunkedBody().subarray(0, 66824 - 88);
  assert.equal(((await runThrough(createBodyVerifier(r.payload, {}), [noFinal])).error as { code?: string }).code, "IncompleteBody");
});

test("trailer example: chunks and the trailer signature over x-amz-checksum-crc32c", async () => {
  const headers = {
    host: "s3.amazonaws.com",
    "x-amz-date": "20130524T000000Z",
    "x-amz-storage-class": "REDUCED_REDUNDANCY",
    "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
    "content-encoding": "aws-chunked",
    "x-amz-decoded-content-length": "66560",
    "x-amz-trailer": "x-amz-checksum-crc32c",
    authorization: `AWS4-HMAC-SHA256 ${cred},SignedHeaders=content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer,Signature=106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e`,
  };
  const r = authenticate(req("PUT", "/examplebucket/chunkObject.txt", "", headers), secrets, NOW);
  assert.deepEqual(r.payload.type === "streaming-signed" && r.payload.trailer, true);
  const body = (trailerValue: string): Buffer =>
    Buffer.concat([
      Buffer.from("10000;chunk-signature=b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2\r\n"),
      Buffer.alloc(65536, "a"),
      Buffer.from("\r\n400;chunk-signature=1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7\r\n"),
      Buffer.alloc(1024, "a"),
      Buffer.from("\r\n0;chunk-signature=2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\n"),
      Buffer.from(`x-amz-checksum-crc32c:${trailerValue}\r\n`),
      Buffer.from("x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n\r\n"),
    ]);
  assert.equal(body("sOO8/Q==").length, 66946);
  for (const sizes of [[1], seededSizes(3, 400, 500), [66946]]) {
    const trailers: Record<string, string> = {};
    const { data, error } = await runThrough(createBodyVerifier(r.payload, trailers), splitInto(body("sOO8/Q=="), sizes));
    assert.equal(error, undefined);
    assert.equal(data.length, 66560);
    assert.deepEqual(trailers, { "x-amz-checksum-crc32c": "sOO8/Q==" });
  }
  const tampered: Record<string, string> = {};
  const { error } = await runThrough(createBodyVerifier(r.payload, tampered), [body("AAAAAA==")]);
  assert.equal((error as { code?: string }).code, "SignatureDoesNotMatch");
  assert.deepEqual(tampered, {});
});
