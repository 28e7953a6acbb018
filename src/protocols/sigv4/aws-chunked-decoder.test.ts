// aws-chunked bodies built by hand per the SigV4 streaming docs, fed in awkward pieces.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { authenticate, createBodyVerifier } from "./index.js";
import { SECRET, buildChunkedBody, runThrough, sdkSign, secrets, seededSizes, splitInto, type ChunkSigner } from "./test-support.js";
import type { PayloadCheck } from "./types.js";

const AT = Date.UTC(2026, 10, 21, 12, 0, 0);
const T = { timeout: 20_000 };

function independentSigner(seedSignature: string): ChunkSigner {
  const h = (key: string | Buffer, data: string): Buffer => createHmac("sha256", key).update(data).digest();
  return {
    signingKey: h(h(h(h(`AWS4${SECRET}`, "20261121"), "us-east-1"), "s3"), "aws4_request"),
    seedSignature,
    amzDate: "20261121T120000Z",
    scope: "20261121/us-east-1/s3/aws4_request",
  };
}

async function signedUpload(decodedLength: number, mode = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", extra: Record<string, string> = {}) {
  const r = await sdkSign(
    {
      method: "PUT",
      hostname: "s3.localhost",
      path: "/bucket/key",
      headers: { "x-amz-content-sha256": mode, "content-encoding": "aws-chunked", "x-amz-decoded-content-length": String(decodedLength), ...extra },
    },
    { at: AT },
  );
  const { payload } = authenticate(r, secrets, AT);
  assert.equal(payload.type, "streaming-signed");
  const seed = /Signature=([0-9a-f]{64})/.exec(r.headers["authorization"]!)![1]!;
  return { payload, signer: independentSigner(seed) };
}

function data(n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + 7) & 0xff;
  return out;
}

const codeOf = (error: unknown): string | undefined => (error as { code?: string } | undefined)?.code;

test("signed chunks of any size, split every way", T, async () => {
  for (const [size, chunkSize] of [[0, 8192], [1, 8192], [8192, 8192], [100_000, 8192], [70_000, 65536]] as const) {
    const { payload, signer } = await signedUpload(size);
    const payloadBytes = data(size);
    const body = buildChunkedBody(payloadBytes, chunkSize, signer);
    for (const sizes of [[1], [2, 3, 5, 7], seededSizes(size + 1, 300, 200), seededSizes(size + 9, 30, 70_000)]) {
      const { data: out, error } = await runThrough(createBodyVerifier(payload, {}), splitInto(body, sizes));
      assert.equal(error, undefined, `${size}/${chunkSize} split ${sizes.slice(0, 3).join(",")}`);
      assert.ok(out.equals(payloadBytes));
    }
  }
});

test("signed chunks with a signed trailer", T, async () => {
  const { payload, signer } = await signedUpload(20_000, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", { "x-amz-trailer": "x-amz-checksum-crc32" });
  const body = buildChunkedBody(data(20_000), 8192, signer, { "x-amz-checksum-crc32": "AAAAAA==" });
  for (const sizes of [[1], seededSizes(5, 200, 400)]) {
    const trailers: Record<string, string> = {};
    const { data: out, error } = await runThrough(createBodyVerifier(payload, trailers), splitInto(body, sizes));
    assert.equal(error, undefined);
    assert.equal(out.length, 20_000);
    assert.deepEqual(trailers, { "x-amz-checksum-crc32": "AAAAAA==" });
  }
  const unsignedTrailer = buildChunkedBody(data(20_000), 8192, signer).toString("latin1").replace(/\r\n$/, "x-amz-checksum-crc32:AAAAAA==\r\n\r\n");
  const { error } = await runThrough(createBodyVerifier(payload, {}), [Buffer.from(unsignedTrailer, "latin1")]);
  assert.equal(codeOf(error), "SignatureDoesNotMatch");
});

test("reordered, replayed or unsigned chunks fail", T, async () => {
  const { payload, signer } = await signedUpload(16_384);
  const body = buildChunkedBody(data(16_384), 8192, signer).toString("latin1");
  const firstEnd = body.indexOf("\r\n", body.indexOf("\r\n") + 2) + 2;
  const secondEnd = body.indexOf("\r\n", body.indexOf("\r\n", firstEnd) + 2) + 2;
  const swapped = body.slice(firstEnd, secondEnd) + body.slice(0, firstEnd) + body.slice(secondEnd);
  assert.equal(codeOf((await runThrough(createBodyVerifier(payload, {}), [Buffer.from(swapped, "latin1")])).error), "SignatureDoesNotMatch");
  const stripped = body.replace(/;chunk-signature=[0-9a-f]{64}/, "");
  assert.equal(codeOf((await runThrough(createBodyVerifier(payload, {}), [Buffer.from(stripped, "latin1")])).error), "SignatureDoesNotMatch");
  const other = await signedUpload(16_384, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", { "x-amz-meta-other": "request" });
  const foreign = buildChunkedBody(data(16_384), 8192, other.signer);
  assert.equal(codeOf((await runThrough(createBodyVerifier(payload, {}), [foreign])).error), "SignatureDoesNotMatch");
});

const unsignedCheck = (decodedLength: number | undefined): PayloadCheck => ({ type: "streaming-unsigned-trailer", decodedLength });

test("unsigned chunks with a trailer (STREAMING-UNSIGNED-PAYLOAD-TRAILER), as the SDKs frame them", T, async () => {
  const payloadBytes = data(50_000);
  const body = buildChunkedBody(payloadBytes, 16_384, undefined, { "x-amz-checksum-crc64nvme": "k0yf3BQmS6I=" });
  for (const sizes of [[1], [4096], seededSizes(11, 500, 300)]) {
    const trailers: Record<string, string> = {};
    const { data: out, error } = await runThrough(createBodyVerifier(unsignedCheck(50_000), trailers), splitInto(body, sizes));
    assert.equal(error, undefined);
    assert.ok(out.equals(payloadBytes));
    assert.deepEqual(trailers, { "x-amz-checksum-crc64nvme": "k0yf3BQmS6I=" });
  }
  // Chunk extensions are ignored when unsigned; no trailer at all is fine too.
  const plain = Buffer.from("3;ext=1\r\nabc\r\n0\r\n\r\n");
  assert.equal((await runThrough(createBodyVerifier(unsignedCheck(3), {}), [plain])).data.toString(), "abc");
});

test("x-amz-decoded-content-length must match", T, async () => {
  const body = buildChunkedBody(data(1000), 300);
  assert.equal(codeOf((await runThrough(createBodyVerifier(unsignedCheck(999), {}), [body])).error), "IncompleteBody");
  assert.equal(codeOf((await runThrough(createBodyVerifier(unsignedCheck(1001), {}), [body])).error), "IncompleteBody");
  assert.equal((await runThrough(createBodyVerifier(unsignedCheck(undefined), {}), [body])).error, undefined);
});

test("torn or garbled framing never passes and never hangs", T, async () => {
  const good = buildChunkedBody(data(1000), 300, undefined, { "x-amz-checksum-crc32": "AAAAAA==" });
  const cases: Array<[string, Buffer]> = [
    ["bad hex size", Buffer.from("zz\r\nabc\r\n0\r\n\r\n")],
    ["empty size", Buffer.from("\r\nabc\r\n0\r\n\r\n")],
    ["size too large for a number", Buffer.from("fffffffffffffffff\r\n")],
    ["bare LF after size", Buffer.from("3\nabc\r\n0\r\n\r\n")],
    ["no CRLF after data", Buffer.from("3\r\nabcd\r\n0\r\n\r\n")],
    ["LF only after data", Buffer.from("3\r\nabc\n0\r\n\r\n")],
    ["header line without end", Buffer.alloc(5000, "1")],
    ["bad trailer line", Buffer.from("3\r\nabc\r\n0\r\nnot a header\r\n\r\n")],
    ["bytes after the end", Buffer.concat([good, Buffer.from("x")])],
  ];
  for (let cut = 1; cut < good.length; cut += 37) cases.push([`truncated at ${cut}`, good.subarray(0, cut)]);
  cases.push(["truncated before the last CRLF", good.subarray(0, good.length - 2)]);
  for (const [name, body] of cases) {
    for (const sizes of [[body.length], [1]]) {
      const { error } = await runThrough(createBodyVerifier(unsignedCheck(undefined), {}), splitInto(body, sizes));
      assert.equal(codeOf(error), "IncompleteBody", name);
    }
  }
  // A trailer where none is allowed (signed, no -TRAILER).
  const { payload, signer } = await signedUpload(3);
  const noTrailerAllowed = buildChunkedBody(Buffer.from("abc"), 8192, signer).toString("latin1").replace(/\r\n$/, "x-amz-checksum-crc32:AAAAAA==\r\n\r\n");
  assert.equal(codeOf((await runThrough(createBodyVerifier(payload, {}), [Buffer.from(noTrailerAllowed, "latin1")])).error), "IncompleteBody");
});

/** Generates a signed aws-chunked body of `total` bytes lazily, one chunk at a time. */
function* lazySignedBody(total: number, chunkSize: number, signer: ChunkSigner): Generator<Buffer> {
  const chunk = data(chunkSize);
  const chunkHash = createHash("sha256").update(chunk).digest("hex");
  const empty = createHash("sha256").digest("hex");
  let previous = signer.seedSignature;
  const sign = (hash: string): string =>
    createHmac("sha256", signer.signingKey).update(`AWS4-HMAC-SHA256-PAYLOAD\n${signer.amzDate}\n${signer.scope}\n${previous}\n${empty}\n${hash}`).digest("hex");
  for (let sent = 0; sent < total; sent += chunkSize) {
    previous = sign(chunkHash);
    yield Buffer.from(`${chunkSize.toString(16)};chunk-signature=${previous}\r\n`);
    yield chunk;
    yield Buffer.from("\r\n");
  }
  previous = sign(empty);
  yield Buffer.from(`0;chunk-signature=${previous}\r\n\r\n`);
}

test("a large signed body streams with bounded buffering", T, async () => {
  const total = 64 * 1024 * 1024;
  const { payload, signer } = await signedUpload(total);
  const verifier = createBodyVerifier(payload, {});
  let received = 0;
  let maxBuffered = 0;
  const started = performance.now();
  await pipeline(
    Readable.from(lazySignedBody(total, 64 * 1024, signer), { objectMode: false }),
    verifier,
    new Writable({
      highWaterMark: 64 * 1024,
      write(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        maxBuffered = Math.max(maxBuffered, verifier.readableLength + verifier.writableLength);
        // A slow consumer: back-pressure must hold the decoder, not grow its buffers.
        setImmediate(callback);
      },
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  assert.equal(received, total);
  assert.ok(maxBuffered <= 4 * 64 * 1024, `buffered ${maxBuffered} bytes`);
  assert.ok(seconds < 10, `took ${seconds}s`);
});
