import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { test } from "node:test";
import { AuthError } from "../auth-error.js";
import { createBodyVerifier } from "./body-verifier.js";

const sha256 = (b: Buffer): string => createHash("sha256").update(b).digest("hex");

/** Feeds `body` in 16 KiB chunks through a verifier; resolves to the chunks it let through. */
async function run(body: Buffer, expectedHex: string, wholeBodyBytes: number | undefined): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for (let o = 0; o < body.length; o += 16 * 1024) chunks.push(body.subarray(o, o + 16 * 1024));
  const verifier = createBodyVerifier({ type: "sha256", expectedHex }, {}, { wholeBodyBytes });
  Readable.from(chunks).pipe(verifier);
  const out: Buffer[] = [];
  for await (const c of verifier) out.push(c as Buffer);
  return out;
}

const body = Buffer.from(Array.from({ length: 300 * 1024 }, (_v, i) => (i * 7) & 0xff));

test("a large body read whole is held back and let through as one chunk once its hash matches", async () => {
  const out = await run(body, sha256(body), body.length);
  assert.equal(out.length, 1);
  assert.ok(out[0]!.equals(body));
});

test("a held-back body whose hash does not match never comes out: the stream fails with XAmzContentSHA256Mismatch", async () => {
  const wrong = sha256(Buffer.from("other"));
  let seen = 0;
  await assert.rejects(
    (async () => {
      for (const c of await run(body, wrong, body.length)) seen += c.length;
    })(),
    (err: unknown) => err instanceof AuthError && err.code === "XAmzContentSHA256Mismatch",
  );
  assert.equal(seen, 0);
});

test("more bytes than declared are not held: the body streams on and is still checked", async () => {
  const out = await run(body, sha256(body), 100 * 1024);
  assert.ok(out.length > 1);
  assert.ok(Buffer.concat(out).equals(body));
  await assert.rejects(run(body, sha256(Buffer.from("x")), 100 * 1024), (err: unknown) => err instanceof AuthError && err.code === "XAmzContentSHA256Mismatch");
});

test("small bodies and bodies not read whole stream as they arrive", async () => {
  const small = body.subarray(0, 40 * 1024);
  assert.equal((await run(small, sha256(small), small.length)).length, 3);
  assert.equal((await run(body, sha256(body), undefined)).length, 19);
});
