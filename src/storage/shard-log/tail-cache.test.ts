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

test("copies appended frames: the appender's buffer may be reused, and records read stay as read", () => {
  const cache = new TailCache(1 << 20);
  const b = batch(0, 3, 8);
  cache.add(b.buf, b.first, b.count);
  b.buf.fill(0xee);
  const got = cache.read(0, 100, 1 << 20);
  assert.deepEqual(got.map((r) => [...r.data]), [0, 1, 2].map((s) => Array<number>(8).fill(s)));
  // Later appends overwrite the ring; what was read before is unchanged.
  for (let first = 3; first < 300; first += 3) {
    const next = batch(first, 3, 8);
    cache.add(next.buf, next.first, next.count);
  }
  assert.deepEqual(got.map((r) => [r.seq, r.partitionKey, [...r.data]]), [0, 1, 2].map((s) => [BigInt(s), `pk${s}`, Array<number>(8).fill(s)]));
});

test("wraps around its ring: every read returns the newest frames in seq order with no gap", () => {
  const one = batch(0, 1, 40).buf.length;
  const cache = new TailCache(one * 7 + 5); // batches of 1-3 frames never fill the ring evenly
  let next = 0;
  for (let round = 0; round < 200; round++) {
    const count = 1 + (round % 3);
    const b = batch(next, count, 40);
    cache.add(b.buf, b.first, b.count);
    next += count;
    const first = cache.first;
    assert.ok(first < next && next - first <= 7, `round ${round}: first ${first} next ${next}`);
    const got = cache.read(first, 100, 1 << 20);
    assert.deepEqual(
      got.map((r) => [r.seq, r.partitionKey, r.data[0]]),
      Array.from({ length: next - first }, (_, i) => [BigInt(first + i), `pk${first + i}`, (first + i) & 0xff]),
    );
  }
});

test("keeps the newest frames of a batch larger than its budget", () => {
  const b = batch(100, 10, 100);
  const cache = new TailCache(Math.floor(b.buf.length / 2));
  cache.add(batch(95, 5, 100).buf, 95, 5);
  cache.add(b.buf, b.first, b.count);
  assert.ok(cache.first > 100 && cache.first < 110);
  const got = cache.read(cache.first, 100, 1 << 20);
  assert.equal(got[got.length - 1]!.seq, 109n);
  assert.equal(got.length, 110 - cache.first);
  assert.deepEqual([...got[0]!.data], Array<number>(100).fill(cache.first));
});

test("grows its memory only as the frames it holds need", () => {
  const cache = new TailCache(1 << 20);
  let next = 0;
  for (let i = 0; i < 50; i++) {
    const b = batch(next, 4, 1000);
    cache.add(b.buf, b.first, b.count);
    next += 4;
  }
  assert.equal(cache.first, 0);
  assert.equal(cache.read(0, 1000, 1 << 30).length, 200);
  assert.equal(cache.read(150, 10, 1 << 30)[9]!.seq, 159n);
});
