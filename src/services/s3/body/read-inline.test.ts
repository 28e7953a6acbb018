import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { describe, test } from "node:test";
import { S3Error } from "../errors.js";
import { ingestInline, ingestWhole } from "./read-inline.js";

const bytes = Buffer.from("a small body stored inline in the metadata row");
const md5 = createHash("md5").update(bytes).digest("hex");

describe("ingestWhole (a body the server read whole)", () => {
  test("gives what ingestInline gives for the same bytes", async () => {
    for (const checksum of [undefined, "CRC32", "SHA256", "CRC32C"] as const) {
      const streamed = await ingestInline(Readable.from([bytes.subarray(0, 5), bytes.subarray(5)]), bytes.length, checksum, new AbortController().signal);
      const whole = await ingestWhole(Promise.resolve(bytes), bytes.length, checksum, new AbortController().signal);
      assert.deepEqual(whole, streamed);
      assert.equal(whole.md5Hex, md5);
    }
  });

  test("a short body is IncompleteBody, a longer one InvalidRequest (as ingestInline)", async () => {
    await assert.rejects(ingestWhole(Promise.resolve(bytes), bytes.length + 1, undefined, new AbortController().signal), (e: unknown) => e instanceof S3Error && e.code === "IncompleteBody");
    await assert.rejects(ingestWhole(Promise.resolve(bytes), bytes.length - 1, undefined, new AbortController().signal), (e: unknown) => e instanceof S3Error && e.code === "InvalidRequest");
  });

  test("the read's own error (a payload hash mismatch, a premature close) comes through", async () => {
    const err = new Error("XAmzContentSHA256Mismatch");
    await assert.rejects(ingestWhole(Promise.reject(err), bytes.length, undefined, new AbortController().signal), (e: unknown) => e === err);
  });

  test("an abort, before or while the body is read, fails with an AbortError", async () => {
    const before = new AbortController();
    before.abort(new Error("gone"));
    await assert.rejects(ingestWhole(new Promise<Buffer>(() => undefined), bytes.length, undefined, before.signal), { name: "AbortError" });
    const during = new AbortController();
    const pending = ingestWhole(new Promise<Buffer>(() => undefined), bytes.length, undefined, during.signal);
    during.abort(new Error("gone"));
    await assert.rejects(pending, { name: "AbortError" });
  });
});
