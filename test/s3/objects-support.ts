// Shared pieces of the S3 object end-to-end tests: a JS SDK client for the test server, error
// assertions, and hand-made requests signed with @smithy/signature-v4 (the SDK's own signer) so a
// test can send bytes no SDK would (malformed XML, missing headers).
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import http from "node:http";
import { S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { HttpRequest } from "@smithy/core/protocols";
import { SignatureV4 } from "@smithy/signature-v4";
import { XMLParser } from "fast-xml-parser";
import { ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY, clientConfig, type RunningServer } from "../helpers/server.js";

export const md5Hex = (b: Uint8Array | string): string => createHash("md5").update(b).digest("hex");
export const md5Base64 = (b: Uint8Array | string): string => createHash("md5").update(b).digest("base64");
export const sha256Hex = (b: Uint8Array | string): string => createHash("sha256").update(b).digest("hex");

/** A path-style client (the test server has no wildcard DNS). */
export function s3Client(server: RunningServer): S3Client {
  return new S3Client({ ...clientConfig(server), forcePathStyle: true });
}

/** Reads a GetObject body whole. */
export async function bodyBytes(body: unknown): Promise<Buffer> {
  const b = body as { transformToByteArray(): Promise<Uint8Array> } | undefined;
  assert.ok(b !== undefined, "response has a body");
  return Buffer.from(await b.transformToByteArray());
}

/** Asserts a JS SDK call fails with this S3 code and HTTP status; returns the error for more checks. */
export async function rejectsWith(promise: Promise<unknown>, code: string, status: number): Promise<S3ServiceException> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof S3ServiceException, `expected an S3 error, got ${String(err)}`);
    assert.equal(err.$metadata.httpStatusCode, status, `status of ${err.name}: ${err.message}`);
    // HEAD answers have no body, so the SDK can only name the error after its status.
    if (code !== "") assert.equal(err.name, code, err.message);
    return err;
  }
  assert.fail(`expected ${code} (${status}), but the call succeeded`);
}

/** SHA-256 and HMAC-SHA256 in the shape the smithy signer wants. */
class Sha256 {
  readonly #hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    const key = secret === undefined || typeof secret === "string" ? secret : ArrayBuffer.isView(secret) ? Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength) : Buffer.from(secret);
    this.#hash = key === undefined ? createHash("sha256") : createHmac("sha256", key);
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#hash.update(typeof data === "string" ? data : ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.#hash.digest();
  }
}

export interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface RawRequest {
  readonly method: string;
  /** The path as it goes on the wire (already percent-encoded). */
  readonly path: string;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string;
}

/** Signs a request (SigV4, Authorization header, real payload hash) and sends it with node:http. */
export async function signedRequest(server: RunningServer, r: RawRequest): Promise<RawResponse> {
  const body = r.body === undefined ? Buffer.alloc(0) : Buffer.from(r.body);
  const signer = new SignatureV4({
    service: "s3",
    region: REGION,
    credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY },
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: true,
  });
  const unsigned = new HttpRequest({
    method: r.method,
    protocol: "http:",
    hostname: "127.0.0.1",
    port: server.port,
    path: r.path,
    query: r.query ?? {},
    headers: { host: `127.0.0.1:${server.port}`, "x-amz-content-sha256": sha256Hex(body), "content-length": String(body.length), ...(r.headers ?? {}) },
    body,
  });
  const signed = (await signer.sign(unsigned)) as HttpRequest;
  const qs = new URLSearchParams(signed.query as Record<string, string>).toString().replace(/=(?=&|$)/g, "");
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port: server.port, method: r.method, path: qs === "" ? r.path : `${r.path}?${qs}`, headers: signed.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const xml = new XMLParser({ parseTagValue: false, ignoreAttributes: true });

/** Parses an XML answer into plain objects. */
export const parseXmlBody = (body: Buffer): Record<string, unknown> => xml.parse(body.toString("utf8")) as Record<string, unknown>;

/** Asserts a raw answer is an S3 <Error> with this status and code; returns its fields. */
export function assertXmlError(res: RawResponse, status: number, code: string): Record<string, string> {
  assert.equal(res.status, status, res.body.toString());
  const doc = parseXmlBody(res.body)["Error"] as Record<string, string> | undefined;
  assert.ok(doc !== undefined, `an <Error> document: ${res.body.toString()}`);
  assert.equal(doc["Code"], code, res.body.toString());
  return doc;
}
