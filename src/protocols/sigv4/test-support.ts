// Helpers shared by the signature tests: sign requests with the signer the AWS SDK for
// JavaScript v3 uses (@smithy/signature-v4) and turn them into what the server hands us.
import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import assert from "node:assert/strict";
import { Readable, type Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { SignatureV4 } from "@smithy/signature-v4";
import { AuthError, type AuthErrorCode } from "../auth-error.js";
import type { HttpRequestParts, Secrets } from "./types.js";

export const AKID = "AKIAIOSFODNN7EXAMPLE";
export const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
export const secrets: Secrets = {
  lookup: (id) => (id === AKID ? { secretAccessKey: SECRET } : undefined),
};

/** node:crypto behind the Checksum interface @smithy/signature-v4 expects. */
export class NodeSha256 {
  readonly #secret: string | ArrayBuffer | ArrayBufferView | undefined;
  #hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#secret = secret;
    this.#hash = this.#fresh();
  }
  #fresh(): Hash | Hmac {
    if (this.#secret === undefined) return createHash("sha256");
    const key = typeof this.#secret === "string" ? this.#secret : ArrayBuffer.isView(this.#secret) ? this.#secret : new Uint8Array(this.#secret);
    return createHmac("sha256", key as string | NodeJS.ArrayBufferView);
  }
  update(data: string | Uint8Array): void {
    this.#hash.update(data);
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.#hash.digest()));
  }
  reset(): void {
    this.#hash = this.#fresh();
  }
}

/** The escaping @smithy/util-uri-escape applies (RFC 3986), used to build query strings. */
export function escapeUri(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** What a signed request looks like before it goes on the wire. */
export interface SdkRequest {
  /** HTTP method. */
  method: string;
  /** Host name; also sent (and signed) as the Host header. */
  hostname: string;
  /** Path as the SDK serializes it (already percent-encoded once). */
  path: string;
  /** Decoded query parameters (null: a parameter without '='). */
  query?: Record<string, string | string[] | null>;
  /** Extra headers to send and sign. */
  headers?: Record<string, string>;
  /** Body; its hash is signed when given as a string or bytes. */
  body?: string | Uint8Array;
}

function wireQuery(query: Record<string, string | string[] | null>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === null) parts.push(escapeUri(key));
    else for (const v of Array.isArray(value) ? value : [value]) parts.push(`${escapeUri(key)}=${escapeUri(v)}`);
  }
  return parts.join("&");
}

function toParts(signed: { method: string; path: string; query?: Record<string, unknown>; headers: Record<string, string> }): HttpRequestParts {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = value;
  return {
    method: signed.method,
    rawPath: signed.path,
    rawQuery: wireQuery((signed.query ?? {}) as Record<string, string | string[] | null>),
    headers,
  };
}

function signer(service: string, region: string, secret = SECRET, uriEscapePath = !service.startsWith("s3")): SignatureV4 {
  return new SignatureV4({
    service,
    region,
    credentials: { accessKeyId: AKID, secretAccessKey: secret },
    sha256: NodeSha256,
    uriEscapePath,
    applyChecksum: service.startsWith("s3"),
  });
}

/** Signs `req` with the Authorization header as the AWS SDK does and returns the wire view. */
export async function sdkSign(
  req: SdkRequest,
  opts: { service?: string; region?: string; at: number; secret?: string; uriEscapePath?: boolean },
): Promise<HttpRequestParts> {
  const request = {
    method: req.method,
    protocol: "https:",
    hostname: req.hostname,
    path: req.path,
    query: req.query ?? {},
    headers: { host: req.hostname, ...req.headers },
    body: req.body,
  };
  const signed = await signer(opts.service ?? "s3", opts.region ?? "us-east-1", opts.secret, opts.uriEscapePath).sign(request, { signingDate: new Date(opts.at) });
  return toParts(signed);
}

/** Presigns `req` the way @aws-sdk/s3-request-presigner does (UNSIGNED-PAYLOAD, hoisted x-amz-*). */
export async function sdkPresign(req: SdkRequest, opts: { service?: string; region?: string; at: number; expiresIn: number }): Promise<HttpRequestParts> {
  const headers: Record<string, string> = { host: req.hostname, ...req.headers };
  if ((opts.service ?? "s3") === "s3") headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD";
  const request = { method: req.method, protocol: "https:", hostname: req.hostname, path: req.path, query: req.query ?? {}, headers };
  const signed = await signer(opts.service ?? "s3", opts.region ?? "us-east-1").presign(request, {
    signingDate: new Date(opts.at),
    expiresIn: opts.expiresIn,
    unsignableHeaders: new Set(["content-type"]),
  });
  return toParts(signed);
}

/** Runs `fn` and asserts it throws an AuthError with `code`; returns the error. */
export function expectAuthError(fn: () => unknown, code: AuthErrorCode): AuthError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AuthError, `expected AuthError ${code}, got ${String(err)}`);
    assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`);
    return err;
  }
  assert.fail(`expected AuthError ${code}, nothing was thrown`);
}

/** Feeds `pieces` through `transform`; resolves with the output or the error it failed with. */
export async function runThrough(transform: Transform, pieces: Iterable<Buffer>): Promise<{ data: Buffer; error: unknown }> {
  const out: Buffer[] = [];
  transform.on("data", (chunk: Buffer) => out.push(chunk));
  try {
    await pipeline(Readable.from(pieces, { objectMode: false }), transform);
    return { data: Buffer.concat(out), error: undefined };
  } catch (error) {
    return { data: Buffer.concat(out), error };
  }
}

/** Splits `buf` into pieces of the given sizes, cycling through them. */
export function* splitInto(buf: Buffer, sizes: readonly number[]): Generator<Buffer> {
  let pos = 0;
  let i = 0;
  while (pos < buf.length) {
    const size = Math.max(1, sizes[i++ % sizes.length]!);
    yield buf.subarray(pos, pos + size);
    pos += size;
  }
}

/** A deterministic pseudo-random sequence (for reproducible "random" splits). */
export function seededSizes(seed: number, count: number, max: number): number[] {
  let x = seed >>> 0 || 1;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out.push(1 + (x % max));
  }
  return out;
}

/** Material to sign aws-chunked bodies by hand, as the SigV4 streaming docs describe. */
export interface ChunkSigner {
  /** Derived SigV4 signing key. */
  signingKey: Buffer;
  /** The request's signature, which the first chunk chains from. */
  seedSignature: string;
  /** ISO 8601 basic request timestamp. */
  amzDate: string;
  /** date/region/service/aws4_request */
  scope: string;
}

function hmacHex(key: Buffer, data: string): string {
  return createHmac("sha256", key).update(data).digest("hex");
}

/**
 * Frames `data` as aws-chunked in `chunkSize` pieces: signed when `signer` is given, with the
 * trailing headers (and, when signed, x-amz-trailer-signature) when `trailers` is given.
 */
export function buildChunkedBody(data: Buffer, chunkSize: number, signer?: ChunkSigner, trailers?: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  let previous = signer?.seedSignature ?? "";
  const emptyHash = createHash("sha256").digest("hex");
  const chunk = (piece: Buffer): void => {
    let header = piece.length.toString(16);
    if (signer !== undefined) {
      const hash = createHash("sha256").update(piece).digest("hex");
      previous = hmacHex(signer.signingKey, `AWS4-HMAC-SHA256-PAYLOAD\n${signer.amzDate}\n${signer.scope}\n${previous}\n${emptyHash}\n${hash}`);
      header += `;chunk-signature=${previous}`;
    }
    parts.push(Buffer.from(`${header}\r\n`), piece);
    if (piece.length > 0) parts.push(Buffer.from("\r\n"));
  };
  for (let pos = 0; pos < data.length; pos += chunkSize) chunk(data.subarray(pos, pos + chunkSize));
  chunk(Buffer.alloc(0));
  if (trailers !== undefined) {
    let canonical = "";
    for (const [name, value] of Object.entries(trailers)) {
      canonical += `${name}:${value}\n`;
      parts.push(Buffer.from(`${name}:${value}\r\n`));
    }
    if (signer !== undefined) {
      const hash = createHash("sha256").update(canonical).digest("hex");
      const signature = hmacHex(signer.signingKey, `AWS4-HMAC-SHA256-TRAILER\n${signer.amzDate}\n${signer.scope}\n${previous}\n${hash}`);
      parts.push(Buffer.from(`x-amz-trailer-signature:${signature}\r\n`));
    }
  }
  parts.push(Buffer.from("\r\n"));
  return Buffer.concat(parts);
}
