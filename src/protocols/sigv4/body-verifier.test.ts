import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { test } from "node:test";
import { AuthError } from "../auth-error.js";
import { createBodyVerifier, takeWholeBody, type WholeBodyWork } from "./body-verifier.js";

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

test("a large body read whole streams through and ends once the SHA-256 thread's hash matches", async () => {
  for (let i = 0; i < 3; i++) {
    const out = await run(body, sha256(body), body.length);
    assert.ok(Buffer.concat(out).equals(body));
  }
});

test("a large body read whole whose hash does not match fails with XAmzContentSHA256Mismatch instead of ending", async () => {
  await assert.rejects(run(body, sha256(Buffer.from("other")), body.length), (err: unknown) => err instanceof AuthError && err.code === "XAmzContentSHA256Mismatch");
  // Bodies verified one after the other reuse shared buffers: each is still hashed from its own bytes.
  const other = Buffer.from(body).fill(3, 1000, 2000);
  const [a, b] = await Promise.all([run(body, sha256(body), body.length), run(other, sha256(other), other.length)]);
  assert.ok(Buffer.concat(a).equals(body) && Buffer.concat(b).equals(other));
});

test("more bytes than declared are not held: the body streams on and is still checked", async () => {
  const out = await run(body, sha256(body), 100 * 1024);
  assert.ok(out.length > 1);
  assert.ok(Buffer.concat(out).equals(body));
  await assert.rejects(run(body, sha256(Buffer.from("x")), 100 * 1024), (err: unknown) => err instanceof AuthError && err.code === "XAmzContentSHA256Mismatch");
});

test("small bodies and bodies not read whole are hashed here as they stream", async () => {
  const small = body.subarray(0, 40 * 1024);
  assert.ok(Buffer.concat(await run(small, sha256(small), small.length)).equals(small));
  assert.ok(Buffer.concat(await run(body, sha256(body), undefined)).equals(body));
  await assert.rejects(run(small, sha256(body), small.length), (err: unknown) => err instanceof AuthError && err.code === "XAmzContentSHA256Mismatch");
});

/** Takes `body` whole through a verifier expecting `expectedHex`, with `work` hashing the copy itself. */
async function takeWholeHashedByWork(expectedHex: string, work: WholeBodyWork<{ hex: string | undefined }>): Promise<{ bytes: Buffer; result: { hex: string | undefined } | undefined }> {
  const verifier = createBodyVerifier({ type: "sha256", expectedHex }, {}, { wholeBodyBytes: body.length });
  const whole = takeWholeBody(verifier, work, (r) => r.hex);
  assert.ok(whole !== undefined);
  Readable.from([body.subarray(0, 100_000), body.subarray(100_000)]).pipe(verifier);
  const w = await whole;
  const bytes = Buffer.from(w.bytes);
  w.release();
  return { bytes, result: w.result };
}

test("taken whole with work that hashes the copy, the work's hash is the one checked before its answer counts", async () => {
  const hashing: WholeBodyWork<{ hex: string | undefined }> = async (buffer, length) => ({ hex: sha256(Buffer.from(buffer, 0, length)) });
  const ok = await takeWholeHashedByWork(sha256(body), hashing);
  assert.ok(ok.bytes.equals(body));
  assert.equal(ok.result?.hex, sha256(body));
  await assert.rejects(takeWholeHashedByWork(sha256(Buffer.from("other")), hashing), (err: unknown) => err instanceof AuthError && err.code === "XAmzContentSHA256Mismatch");
  // A wrong hash from the work fails the body too: nothing else vouches for it.
  await assert.rejects(takeWholeHashedByWork(sha256(body), async () => ({ hex: sha256(Buffer.from("other")) })), (err: unknown) => err instanceof AuthError && err.code === "XAmzContentSHA256Mismatch");
});

test("taken whole with work that answers no hash or fails, the copy is hashed on the SHA-256 thread", async () => {
  const none = await takeWholeHashedByWork(sha256(body), async () => ({ hex: undefined }));
  assert.ok(none.bytes.equals(body));
  assert.deepEqual(none.result, { hex: undefined });
  const failed = await takeWholeHashedByWork(sha256(body), () => Promise.reject(new Error("job failed")));
  assert.ok(failed.bytes.equals(body));
  assert.equal(failed.result, undefined);
  await assert.rejects(takeWholeHashedByWork(sha256(Buffer.from("other")), async () => ({ hex: undefined })), (err: unknown) => err instanceof AuthError && err.code === "XAmzContentSHA256Mismatch");
});
