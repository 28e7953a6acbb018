import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { AuthError } from "../protocols/auth-error.js";
import { readableOf, readWholeBody } from "./whole-body.js";

const hex = (b: Buffer): string => createHash("sha256").update(b).digest("hex");

function requestOf(...chunks: string[]): PassThrough {
  const req = new PassThrough();
  for (const c of chunks) req.write(c);
  req.end();
  return req;
}

test("a body in several chunks comes back whole and its sha256 is checked", async () => {
  const body = Buffer.from('{"ShardIterator":"abc","Limit":10}');
  const got = await readWholeBody(requestOf('{"ShardIterator":', '"abc","Limit":10}'), { type: "sha256", expectedHex: hex(body).toUpperCase() });
  assert.deepEqual(got, body);
});

test("a sha256 mismatch fails as the body verifier does", async () => {
  const err = await readWholeBody(requestOf("abc"), { type: "sha256", expectedHex: hex(Buffer.from("abd")) }).catch((e: unknown) => e);
  assert.ok(err instanceof AuthError);
  assert.equal(err.code, "XAmzContentSHA256Mismatch");
});

test("a signature over the body gets the body's hash, and its refusal is the read's error", async () => {
  const seen: string[] = [];
  await readWholeBody(requestOf("{}"), { type: "signature-after-body", verify: (h) => void seen.push(h) });
  assert.deepEqual(seen, [hex(Buffer.from("{}"))]);
  const refused = new AuthError("SignatureDoesNotMatch", "no");
  const err = await readWholeBody(requestOf("{}"), {
    type: "signature-after-body",
    verify: () => {
      throw refused;
    },
  }).catch((e: unknown) => e);
  assert.equal(err, refused);
});

test("an empty body is an empty buffer; a request closed before its end is a premature close", async () => {
  assert.equal((await readWholeBody(requestOf(), { type: "none" })).length, 0);
  const req = new PassThrough();
  req.write("ab");
  const read = readWholeBody(req, { type: "none" });
  req.destroy();
  await assert.rejects(read, { code: "ERR_STREAM_PREMATURE_CLOSE" });
});

test("readableOf streams the whole body, or fails with its error", async () => {
  const chunks: Buffer[] = [];
  for await (const c of readableOf(Promise.resolve(Buffer.from("xyz")))) chunks.push(c as Buffer);
  assert.equal(Buffer.concat(chunks).toString(), "xyz");
  const failed = readableOf(Promise.reject(new Error("boom")));
  await assert.rejects(async () => {
    for await (const _c of failed) assert.fail("no data expected");
  }, /boom/);
});
