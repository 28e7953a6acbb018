import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { test } from "node:test";
import { readSmallBody, withSmallBody } from "./read-body.js";

const tooLarge = (): Error => new Error("too large");
const stream = (...parts: string[]): Readable => Readable.from(parts.map((p) => Buffer.from(p)));

test("withSmallBody hands over the whole body, in a buffer reused by the next call", async () => {
  let first: Buffer | undefined;
  assert.equal(await withSmallBody(stream("hello ", "world"), 100, tooLarge, (b) => ((first = b), b.toString())), "hello world");
  let second: Buffer | undefined;
  assert.equal(await withSmallBody(stream("bye"), 100, tooLarge, (b) => ((second = b), b.toString())), "bye");
  assert.equal(first!.buffer, second!.buffer); // reused: callers must copy what they keep
  assert.equal(await withSmallBody(stream(), 100, tooLarge, (b) => b.length), 0);
});

test("withSmallBody refuses a body over the limit; bodies over 4 MiB get a buffer of their own", async () => {
  await assert.rejects(
    withSmallBody(stream("x".repeat(60), "y".repeat(60)), 100, tooLarge, () => 0),
    /too large/,
  );
  const big = "z".repeat(5 * 1024 * 1024);
  const kept = await withSmallBody(stream(big.slice(0, 100), big.slice(100)), 6 * 1024 * 1024, tooLarge, (b) => b);
  await withSmallBody(stream("small"), 100, tooLarge, (b) => b.length);
  assert.equal(kept.length, big.length);
  assert.equal(kept.subarray(0, 5).toString(), "zzzzz");
  assert.equal((await readSmallBody(stream("x", "y"), 10, tooLarge)).toString(), "xy");
});
