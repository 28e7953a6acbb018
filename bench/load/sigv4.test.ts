import assert from "node:assert/strict";
import { createHash, createHmac, type BinaryLike, type Hash, type Hmac } from "node:crypto";
import { test } from "node:test";
import { SignatureV4 } from "@smithy/signature-v4";
import { parseListPage } from "./s3-client.js";
import { canonicalQuery, encodeKeyPath, sha256Hex, SigV4Signer, UNSIGNED_PAYLOAD } from "./sigv4.js";

type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytes(data: SourceData): BinaryLike {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** node:crypto as the smithy signer's hash constructor. */
class NodeSha256 {
  private hash: Hash | Hmac;
  private readonly secret: BinaryLike | undefined;
  constructor(secret?: SourceData) {
    this.secret = secret === undefined ? undefined : bytes(secret);
    this.hash = this.secret === undefined ? createHash("sha256") : createHmac("sha256", this.secret);
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.secret === undefined ? createHash("sha256") : createHmac("sha256", this.secret);
  }
}

const creds = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "us-east-1" };
const when = Date.UTC(2026, 10, 21, 12, 34, 56);

async function smithyAuthorization(service: string, method: string, path: string, query: Record<string, string>, headers: Record<string, string>): Promise<string> {
  const signer = new SignatureV4({ credentials: creds, region: creds.region, service, sha256: NodeSha256, uriEscapePath: service !== "s3", applyChecksum: false });
  const signed = await signer.sign({ method, protocol: "http:", hostname: "127.0.0.1", port: 9000, path, query, headers: { ...headers } }, { signingDate: new Date(when) });
  return signed.headers["authorization"] ?? "";
}

test("the lean signer matches the SDK's signer for an S3 PUT with a checksum header", async () => {
  const key = "dir/a key+with(odd)*chars~.txt";
  const path = `/bucket/${encodeKeyPath(key)}`;
  const body = Buffer.from("hello");
  const headers: Record<string, string> = { host: "127.0.0.1:9000", "content-length": "5", "x-amz-checksum-crc32": "NhCmhg==" };
  const mine = new SigV4Signer(creds, "s3", () => when).sign({ method: "PUT", path, headers: { ...headers }, payloadHash: sha256Hex(body) });
  // The S3 client encodes the key itself and signs that path as is (uriEscapePath: false).
  const theirs = await smithyAuthorization("s3", "PUT", path, {}, {
    ...headers,
    "x-amz-content-sha256": sha256Hex(body),
    "x-amz-date": "20261121T123456Z",
  });
  assert.equal(mine["authorization"], theirs);
});

test("the lean signer matches the SDK's signer with query parameters and UNSIGNED-PAYLOAD", async () => {
  const query: [string, string][] = [
    ["uploadId", "a/b+c=="],
    ["partNumber", "3"],
    ["list-type", "2"],
  ];
  const headers: Record<string, string> = { host: "127.0.0.1:9000" };
  const mine = new SigV4Signer(creds, "s3", () => when).sign({ method: "GET", path: "/bucket", query, headers: { ...headers }, payloadHash: UNSIGNED_PAYLOAD });
  const theirs = await smithyAuthorization("s3", "GET", "/bucket", Object.fromEntries(query), {
    ...headers,
    "x-amz-content-sha256": UNSIGNED_PAYLOAD,
    "x-amz-date": "20261121T123456Z",
  });
  assert.equal(mine["authorization"], theirs);
  assert.equal(canonicalQuery(query), "list-type=2&partNumber=3&uploadId=a%2Fb%2Bc%3D%3D");
});

test("the lean signer matches the SDK's signer for a Kinesis JSON call", async () => {
  const body = JSON.stringify({ StreamName: "s", ShardCount: 4 });
  const headers: Record<string, string> = {
    host: "127.0.0.1:9000",
    "content-type": "application/x-amz-json-1.1",
    "x-amz-target": "Kinesis_20131202.CreateStream",
  };
  const mine = new SigV4Signer(creds, "kinesis", () => when).sign({ method: "POST", path: "/", headers: { ...headers }, payloadHash: sha256Hex(body) });
  const theirs = await smithyAuthorization("kinesis", "POST", "/", {}, {
    ...headers,
    "x-amz-content-sha256": sha256Hex(body),
    "x-amz-date": "20261121T123456Z",
  });
  assert.equal(mine["authorization"], theirs);
});

test("parseListPage counts keys and prefixes and unescapes the continuation token", () => {
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>b</Name><IsTruncated>true</IsTruncated>' +
    "<Contents><Key>a</Key></Contents><Contents><Key>b</Key></Contents>" +
    "<CommonPrefixes><Prefix>p/</Prefix></CommonPrefixes><NextContinuationToken>x&amp;y</NextContinuationToken></ListBucketResult>";
  assert.deepEqual(parseListPage(Buffer.from(xml)), { keys: 2, commonPrefixes: 1, truncated: true, nextToken: "x&y" });
  const last = Buffer.from("<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>\u00e9</Key></Contents></ListBucketResult>");
  assert.deepEqual(parseListPage(last), { keys: 1, commonPrefixes: 0, truncated: false, nextToken: undefined });
});
