// Shared pieces of the S3 object end-to-end tests: a JS SDK client for the test server and error
// assertions. Hand-made signed requests (bytes no SDK would send: malformed XML, missing headers)
// come from test/helpers/signed-requests.ts.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { CreateBucketCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { XMLParser } from "fast-xml-parser";
import { after, before } from "node:test";
import { clientConfig, startServer, type RunningServer } from "../helpers/server.js";
import type { RawResponse } from "../helpers/signed-requests.js";

export const md5Hex = (b: Uint8Array | string): string => createHash("md5").update(b).digest("hex");
export const md5Base64 = (b: Uint8Array | string): string => createHash("md5").update(b).digest("base64");

/** A path-style client (the test server has no wildcard DNS). */
export function s3Client(server: RunningServer): S3Client {
  return new S3Client({ ...clientConfig(server), forcePathStyle: true });
}

/**
 * Before the tests of the enclosing suite (or file): starts a server, makes a client and creates
 * `bucket`, handing both to `use`; after them: destroys the client and stops the server.
 */
export function withServerAndBucket(bucket: string, use: (env: { server: RunningServer; s3: S3Client }) => void): void {
  let env: { server: RunningServer; s3: S3Client } | undefined;
  before(async () => {
    const server = await startServer();
    env = { server, s3: s3Client(server) };
    use(env);
    await env.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  after(async () => {
    env?.s3.destroy();
    await env?.server.dispose();
  });
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
