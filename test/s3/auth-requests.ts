// S3's side of the authentication tests: complete checks of S3 <Error> answers, and the
// aws-chunked bodies (signed chunks, signed and unsigned trailers) no SDK will send wrong. The
// signing and sending of hand-made requests is test/helpers/signed-requests.ts.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { XMLParser } from "fast-xml-parser";
import { EMPTY_SHA256, sha256Hex, type RawResponse } from "../helpers/signed-requests.js";

const xml = new XMLParser({ parseTagValue: false, trimValues: false });

/** The fields of an S3 <Error> document. */
export function parseError(body: Buffer | string): Record<string, string> {
  const doc = xml.parse(body.toString()) as { Error?: Record<string, string> };
  assert.ok(doc.Error !== undefined, `not an S3 error document: ${body.toString()}`);
  return doc.Error;
}

export interface ExpectedError {
  readonly status: number;
  readonly code: string;
  /** Exact message, or a pattern it must match. */
  readonly message: string | RegExp;
  /** The Resource element, when S3 sends one. */
  readonly resource?: string;
  /** Further elements that must be present with these values (a RegExp to match, or true for "present"). */
  readonly fields?: Record<string, string | RegExp | true>;
}

/**
 * Checks an S3 error answer completely: status, XML Code/Message/Resource/RequestId/HostId and
 * the extras, and that RequestId / HostId are the x-amz-request-id / x-amz-id-2 headers.
 */
export function assertS3Error(res: RawResponse, expected: ExpectedError): Record<string, string> {
  const text = res.body.toString();
  assert.equal(res.status, expected.status, `status for ${expected.code}: ${text}`);
  assert.match(String(res.headers["content-type"]), /^application\/xml/);
  const e = parseError(text);
  assert.equal(e["Code"], expected.code, text);
  if (typeof expected.message === "string") assert.equal(e["Message"], expected.message, text);
  else assert.match(e["Message"] ?? "", expected.message, text);
  if (expected.resource !== undefined) assert.equal(e["Resource"], expected.resource, text);
  const requestId = res.headers["x-amz-request-id"];
  const hostId = res.headers["x-amz-id-2"];
  assert.ok(typeof requestId === "string" && /^[0-9A-F]{16}$/.test(requestId), `x-amz-request-id: ${String(requestId)}`);
  assert.ok(typeof hostId === "string" && hostId.length > 0, "x-amz-id-2 header");
  assert.equal(e["RequestId"], requestId);
  assert.equal(e["HostId"], hostId);
  for (const [name, want] of Object.entries(expected.fields ?? {})) {
    const got = e[name];
    assert.ok(got !== undefined, `<${name}> missing from ${text}`);
    if (want === true) continue;
    if (typeof want === "string") assert.equal(got, want, `<${name}>`);
    else assert.match(got, want, `<${name}>`);
  }
  return e;
}

/** The SigV4 signing key (for chunk signatures the smithy signer does not compute). */
export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const kDate = createHmac("sha256", `AWS4${secret}`).update(date).digest();
  const kRegion = createHmac("sha256", kDate).update(region).digest();
  const kService = createHmac("sha256", kRegion).update(service).digest();
  return createHmac("sha256", kService).update("aws4_request").digest();
}

/**
 * An aws-chunked body with STREAMING-AWS4-HMAC-SHA256-PAYLOAD chunk signatures chained from
 * `seedSignature` ("Signature Calculations for the Authorization Header: Transferring Payload in
 * Multiple Chunks"). `corrupt` names a chunk whose signature is made wrong.
 */
export function signedChunkedBody(
  payload: Buffer,
  chunkSize: number,
  seed: { signature: string; amzDate: string; key: Buffer; scope: string },
  corrupt?: number,
): Buffer {
  const parts: Buffer[] = [];
  let previous = seed.signature;
  const chunks: Buffer[] = [];
  for (let off = 0; off < payload.length; off += chunkSize) chunks.push(payload.subarray(off, off + chunkSize));
  chunks.push(Buffer.alloc(0));
  chunks.forEach((chunk, i) => {
    const toSign = ["AWS4-HMAC-SHA256-PAYLOAD", seed.amzDate, seed.scope, previous, EMPTY_SHA256, sha256Hex(chunk)].join("\n");
    let sig = createHmac("sha256", seed.key).update(toSign).digest("hex");
    if (i === corrupt) sig = (sig[0] === "0" ? "1" : "0") + sig.slice(1);
    previous = sig;
    parts.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${sig}\r\n`), chunk, Buffer.from("\r\n"));
  });
  return Buffer.concat(parts);
}

/** The length of signedChunkedBody's output for a payload of `size` bytes. */
export function chunkedLength(size: number, chunkSize: number): number {
  let total = 0;
  const frame = (n: number): number => n.toString(16).length + ";chunk-signature=".length + 64 + 2 + n + 2;
  for (let off = 0; off < size; off += chunkSize) total += frame(Math.min(chunkSize, size - off));
  return total + frame(0);
}

/**
 * The end of a STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER body: the signed final chunk, the
 * trailing headers and their x-amz-trailer-signature ("sigv4-streaming-trailers").
 * `corruptTrailerSignature` makes only that last signature wrong.
 */
export function signedTrailerBody(
  payload: Buffer,
  seed: { signature: string; amzDate: string; key: Buffer; scope: string },
  trailer: Record<string, string>,
  corruptTrailerSignature = false,
): Buffer {
  const sign = (toSign: string): string => createHmac("sha256", seed.key).update(toSign).digest("hex");
  const parts: Buffer[] = [];
  let previous = seed.signature;
  for (const chunk of [payload, Buffer.alloc(0)]) {
    previous = sign(["AWS4-HMAC-SHA256-PAYLOAD", seed.amzDate, seed.scope, previous, EMPTY_SHA256, sha256Hex(chunk)].join("\n"));
    parts.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${previous}\r\n`), chunk);
    if (chunk.length > 0) parts.push(Buffer.from("\r\n"));
  }
  const canonical = Object.entries(trailer)
    .map(([k, v]) => `${k}:${v}\n`)
    .join("");
  let sig = sign(["AWS4-HMAC-SHA256-TRAILER", seed.amzDate, seed.scope, previous, sha256Hex(canonical)].join("\n"));
  if (corruptTrailerSignature) sig = (sig[0] === "0" ? "1" : "0") + sig.slice(1);
  parts.push(Buffer.from(`${canonical.replace(/\n/g, "\r\n")}x-amz-trailer-signature:${sig}\r\n\r\n`));
  return Buffer.concat(parts);
}

/** An unsigned aws-chunked body with trailing headers (STREAMING-UNSIGNED-PAYLOAD-TRAILER). */
export function unsignedTrailerBody(payload: Buffer, trailer: Record<string, string>): Buffer {
  const lines = Object.entries(trailer)
    .map(([k, v]) => `${k}:${v}\r\n`)
    .join("");
  return Buffer.concat([Buffer.from(`${payload.length.toString(16)}\r\n`), payload, Buffer.from(`\r\n0\r\n${lines}\r\n`)]);
}
