// Hand-made requests for the wire-level tests of every service: signed with @smithy/signature-v4
// (the signer the AWS SDKs use) so that exactly one part of a request can be made wrong, and sent
// with node:http so the bytes on the wire are the ones chosen here.
import { createHash, createHmac } from "node:crypto";
import http from "node:http";
import { HttpRequest } from "@smithy/core/protocols";
import { SignatureV4 } from "@smithy/signature-v4";
import type { ChecksumConstructor } from "@smithy/types";
import { ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY, type RunningServer } from "./server.js";

type Bytes = string | ArrayBuffer | ArrayBufferView;
const toBuffer = (b: Exclude<Bytes, string>): Buffer => (ArrayBuffer.isView(b) ? Buffer.from(b.buffer, b.byteOffset, b.byteLength) : Buffer.from(b));

/** SHA-256 (and HMAC-SHA256 when given a secret) in the shape the smithy signer expects. */
class Sha256 {
  readonly #hash;
  constructor(secret?: Bytes) {
    const key = secret === undefined || typeof secret === "string" ? secret : toBuffer(secret);
    this.#hash = key === undefined ? createHash("sha256") : createHmac("sha256", key);
  }
  update(data: Bytes): void {
    this.#hash.update(typeof data === "string" ? data : toBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.#hash.digest();
  }
}

export const sha256Hex = (data: string | Uint8Array): string => createHash("sha256").update(data).digest("hex");
export const EMPTY_SHA256 = sha256Hex("");

export interface SignOptions {
  /** The signing name in the credential scope; "s3" unless given. */
  readonly service?: string | undefined;
  readonly accessKeyId?: string | undefined;
  readonly secretAccessKey?: string | undefined;
  readonly region?: string | undefined;
  /** The time the signer believes it is. */
  readonly signingDate?: Date | undefined;
}

/** A SigV4 signer for the test server's root key (S3 signs the path as sent; other services escape it). */
export function signer(opts: SignOptions = {}): SignatureV4 {
  const service = opts.service ?? "s3";
  return new SignatureV4({
    service,
    region: opts.region ?? REGION,
    credentials: { accessKeyId: opts.accessKeyId ?? ACCESS_KEY_ID, secretAccessKey: opts.secretAccessKey ?? SECRET_ACCESS_KEY },
    sha256: Sha256 as unknown as ChecksumConstructor,
    uriEscapePath: service !== "s3",
    applyChecksum: true,
  });
}

export interface RawRequest {
  readonly method: string;
  /** Path, already percent-encoded as it should go on the wire. */
  readonly path: string;
  /** Query parameters; an empty value is sent as a bare key (`?uploads`). */
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

/** An unsigned smithy HttpRequest for the test server. */
export function buildRequest(server: RunningServer, r: RawRequest): HttpRequest {
  return new HttpRequest({
    method: r.method,
    protocol: "http:",
    hostname: "127.0.0.1",
    port: server.port,
    path: r.path,
    query: r.query ?? {},
    headers: { host: `127.0.0.1:${server.port}`, ...(r.headers ?? {}) },
    body: typeof r.body === "string" ? Buffer.from(r.body) : r.body,
  });
}

/** Signs with the Authorization header. x-amz-content-sha256 defaults to the body's real hash. */
export async function signRequest(server: RunningServer, r: RawRequest, opts: SignOptions = {}): Promise<HttpRequest> {
  const req = buildRequest(server, r);
  if (req.headers["x-amz-content-sha256"] === undefined) req.headers["x-amz-content-sha256"] = sha256Hex(r.body ?? Buffer.alloc(0));
  const signOpts = opts.signingDate === undefined ? {} : { signingDate: opts.signingDate };
  return (await signer(opts).sign(req, signOpts)) as HttpRequest;
}

/** A presigned URL (X-Amz-* query parameters), valid for `expiresIn` seconds from `signingDate`. */
export async function presignUrl(server: RunningServer, r: RawRequest, expiresIn: number, opts: SignOptions = {}): Promise<string> {
  // Query authentication signs UNSIGNED-PAYLOAD (as S3's own presigner does; the smithy signer
  // would otherwise sign the empty body's hash).
  const req = buildRequest(server, { ...r, headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD", ...(r.headers ?? {}) } });
  const presignOpts = opts.signingDate === undefined ? { expiresIn } : { expiresIn, signingDate: opts.signingDate };
  const signed = await signer(opts).presign(req, presignOpts);
  return urlOf(signed as HttpRequest);
}

function queryString(query: HttpRequest["query"]): string {
  return Object.entries(query)
    .map(([k, v]) => (v === "" ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`))
    .join("&");
}

/** The full URL of a (presigned) request. */
export function urlOf(req: HttpRequest): string {
  const qs = queryString(req.query);
  return `${req.protocol}//${req.hostname}:${req.port}${req.path}${qs === "" ? "" : `?${qs}`}`;
}

/** Sends a request exactly as given (headers and body untouched, on a connection of its own) and reads the whole answer. */
export function send(req: HttpRequest, bodyOverride?: Buffer): Promise<RawResponse> {
  const qs = queryString(req.query);
  const body = bodyOverride ?? (req.body as Buffer | undefined);
  return new Promise((resolve, reject) => {
    const out = http.request(
      {
        method: req.method,
        host: req.hostname,
        port: req.port,
        path: `${req.path}${qs === "" ? "" : `?${qs}`}`,
        headers: { ...req.headers, ...(body !== undefined && req.headers["content-length"] === undefined ? { "content-length": String(body.length) } : {}) },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      },
    );
    // The server may answer (and close) before reading a bad body; the answer is what we test.
    out.on("error", reject);
    out.end(body);
  });
}

/** Signs a well-formed request (content-length and the real payload hash among the signed headers) and sends it. */
export async function signedRequest(server: RunningServer, r: RawRequest, opts: SignOptions = {}): Promise<RawResponse> {
  const body = r.body === undefined ? Buffer.alloc(0) : Buffer.from(r.body);
  const headers = { "x-amz-content-sha256": sha256Hex(body), "content-length": String(body.length), ...(r.headers ?? {}) };
  return send(await signRequest(server, { ...r, headers, body }, opts));
}
