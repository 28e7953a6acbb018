// What the real AWS SDK for JavaScript v3 clients send must authenticate, body included: a small
// server on 127.0.0.1 captures each request, answers minimally, and the capture is verified.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { createServer as createH2cServer, type Http2Server, type Http2ServerRequest } from "node:http2";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { S3Client, PutObjectCommand, ListObjectsV2Command, GetObjectCommand } from "@aws-sdk/client-s3";
import { KinesisClient, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { authenticate, createBodyVerifier } from "./index.js";
import { AKID, SECRET, runThrough, secrets } from "./test-support.js";
import type { HttpRequestParts } from "./types.js";

interface Captured {
  parts: HttpRequestParts;
  body: Buffer;
}

const captured: Captured[] = [];
let server: Server;
let h2c: Http2Server;
let endpoint = "";
let h2cEndpoint = "";

function respond(req: IncomingMessage | Http2ServerRequest): { status: number; headers: Record<string, string>; body: string } {
  if (req.headers["x-amz-target"] !== undefined) {
    return { status: 200, headers: { "content-type": "application/x-amz-json-1.1" }, body: JSON.stringify({ SequenceNumber: "1", ShardId: "shardId-000000000000" }) };
  }
  if (req.method === "GET" && req.url?.includes("list-type=2") === true) {
    return {
      status: 200,
      headers: { "content-type": "application/xml" },
      body: '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><IsTruncated>false</IsTruncated><KeyCount>0</KeyCount></ListBucketResult>',
    };
  }
  if (req.method === "GET") return { status: 200, headers: { "content-type": "text/plain", etag: '"x"' }, body: "hi" };
  return { status: 200, headers: { etag: '"0123456789abcdef0123456789abcdef"' }, body: "" };
}

function capture(req: IncomingMessage | Http2ServerRequest, done: (out: ReturnType<typeof respond>) => void): void {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const headers: Record<string, string> = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i]!.toLowerCase();
      const value = req.rawHeaders[i + 1]!;
      headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
    }
    captured.push({
      parts: { method: req.method ?? "GET", rawPath: q < 0 ? url : url.slice(0, q), rawQuery: q < 0 ? "" : url.slice(q + 1), headers },
      body: Buffer.concat(chunks),
    });
    done(respond(req));
  });
}

before(async () => {
  server = createServer((req, res) => capture(req, (out) => res.writeHead(out.status, out.headers).end(out.body)));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The Kinesis client speaks HTTP/2 (cleartext here): the host arrives as :authority.
  h2c = createH2cServer((req, res) => capture(req, (out) => res.writeHead(out.status, out.headers).end(out.body)));
  await new Promise<void>((resolve) => h2c.listen(0, "127.0.0.1", resolve));
  h2cEndpoint = `http://127.0.0.1:${(h2c.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await new Promise<void>((resolve) => h2c.close(() => resolve()));
});

const credentials = { accessKeyId: AKID, secretAccessKey: SECRET };

async function verifyLast(): Promise<{ kind: string; payloadType: string; body: Buffer; trailers: Record<string, string> }> {
  const last = captured.at(-1)!;
  const result = authenticate(last.parts, secrets, Date.now());
  const trailers: Record<string, string> = {};
  const { data, error } = await runThrough(createBodyVerifier(result.payload, trailers), [last.body]);
  assert.equal(error, undefined);
  return { kind: result.kind, payloadType: result.payload.type, body: data, trailers };
}

test("S3Client PutObject / GetObject / ListObjectsV2 with awkward keys authenticate", { timeout: 30_000 }, async () => {
  const s3 = new S3Client({ region: "us-east-1", endpoint, forcePathStyle: true, credentials });
  try {
    for (const key of ["plain.txt", "dir/日本 語+plus=eq&amp;%25.txt", "a//b/./c", "it's (x)!*~"]) {
      await s3.send(new PutObjectCommand({ Bucket: "bucket", Key: key, Body: "hello world" }));
      const put = await verifyLast();
      assert.equal(put.kind, "sigv4");
      assert.equal(put.body.toString(), "hello world");
      await s3.send(new GetObjectCommand({ Bucket: "bucket", Key: key, ResponseContentDisposition: 'attachment; filename="x y"' }));
      assert.equal((await verifyLast()).kind, "sigv4");
    }
    await s3.send(new ListObjectsV2Command({ Bucket: "bucket", Prefix: "a b+c/ü", Delimiter: "/", StartAfter: "~x" }));
    assert.equal((await verifyLast()).kind, "sigv4");
  } finally {
    s3.destroy();
  }
});

test("S3Client PutObject with a stream body (aws-chunked with a checksum trailer)", { timeout: 30_000 }, async () => {
  const s3 = new S3Client({ region: "us-east-1", endpoint, forcePathStyle: true, credentials });
  try {
    const payload = Buffer.alloc(200_000, "z");
    await s3.send(
      new PutObjectCommand({ Bucket: "bucket", Key: "streamed", Body: Readable.from([payload.subarray(0, 70_000), payload.subarray(70_000)]), ContentLength: payload.length, ChecksumAlgorithm: "CRC32" }),
    );
    const put = await verifyLast();
    assert.ok(put.body.equals(payload));
    assert.equal(put.payloadType, "streaming-unsigned-trailer");
    assert.deepEqual(Object.keys(put.trailers), ["x-amz-checksum-crc32"]);
  } finally {
    s3.destroy();
  }
});

test("KinesisClient PutRecord authenticates once its body is hashed", { timeout: 30_000 }, async () => {
  const kinesis = new KinesisClient({ region: "eu-west-1", endpoint: h2cEndpoint, credentials });
  try {
    await kinesis.send(new PutRecordCommand({ StreamName: "s", Data: Buffer.from("record"), PartitionKey: "pk" }));
    const last = captured.at(-1)!;
    assert.equal(last.parts.headers["host"], undefined);
    const result = authenticate(last.parts, secrets, Date.now());
    assert.equal(result.service, "kinesis");
    assert.equal(result.region, "eu-west-1");
    const { error } = await runThrough(createBodyVerifier(result.payload, {}), [last.body]);
    assert.equal(error, undefined, `payload ${result.payload.type}`);
    const tampered = Buffer.from(last.body);
    const at = tampered.length - 2;
    tampered.writeUInt8(tampered.readUInt8(at) ^ 1, at);
    const bad = await runThrough(createBodyVerifier(result.payload, {}), [tampered]);
    assert.notEqual(bad.error, undefined);
  } finally {
    kinesis.destroy();
  }
});
