import assert from "node:assert/strict";
import { test } from "node:test";
import { encodeBatch } from "./frame.js";
import { TailCache } from "./tail-cache.js";

function batch(first: number, count: number, size: number): { buf: Buffer; first: number; count: number } {
  const records = Array.from({ length: count }, (_, i) => ({ timestamp: 1000 + first + i, partitionKey: `pk${first + i}`, data: Buffer.alloc(size, first + i) }));
  return { buf: encodeBatch(records, first, 0).buf, first, count };
}

test("reads records across batches from a seq, as the log stores them", () => {
  const cache = new TailCache(1 << 20);
  for (const b of [batch(10, 3, 4), batch(13, 2, 4)]) cache.add(b.buf, b.first, b.count);
  assert.equal(cache.first, 10);
  const got = cache.read(12, 100, 1 << 20);
  assert.deepEqual(
    got.map((r) => [r.seq, r.timestamp, r.partitionKey, [...r.data]]),
    [12, 13, 14].map((s) => [BigInt(s), 1000 + s, `pk${s}`, [s, s, s, s]]),
  );
  assert.deepEqual(cache.read(15, 100, 1 << 20), []);
});

test("stops at maxRecords and before maxBytes, but always returns one record", () => {
  const cache = new TailCache(1 << 20);
  const b = batch(0, 5, 10);
  cache.add(b.buf, b.first, b.count);
  assert.equal(cache.read(0, 2, 1 << 20).length, 2);
  // Each record counts 10 data + 3 partition-key bytes.
  assert.equal(cache.read(0, 100, 26).length, 2);
  assert.equal(cache.read(0, 100, 25).length, 1);
  assert.equal(cache.read(0, 100, 1).length, 1);
});

test("drops the oldest batches past its byte budget and restarts on a gap", () => {
  const b1 = batch(0, 2, 100);
  const b2 = batch(2, 2, 100);
  const cache = new TailCache(b1.buf.length + b2.buf.length);
  cache.add(b1.buf, b1.first, b1.count);
  cache.add(b2.buf, b2.first, b2.count);
  assert.equal(cache.first, 0);
  const b3 = batch(4, 1, 100);
  cache.add(b3.buf, b3.first, b3.count);
  assert.equal(cache.first, 2);
  const gap = batch(9, 1, 1);
  cache.add(gap.buf, gap.first, gap.count);
  assert.equal(cache.first, 9);
  cache.clear();
  assert.equal(cache.first, Number.POSITIVE_INFINITY);
});
