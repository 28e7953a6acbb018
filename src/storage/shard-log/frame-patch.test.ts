import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { encodeBatch } from "./frame.js";
import { frameBytes, numberBlankFrames, writeBlankFrame } from "./frame-patch.js";
import type { AppendInput } from "./shard-log.js";

/** Blank frames for `records`, written as a pool thread writes them. */
function blank(records: readonly AppendInput[]): Buffer {
  const sizes = records.map((r) => frameBytes(Buffer.byteLength(r.partitionKey), r.data.byteLength));
  const buf = Buffer.alloc(sizes.reduce((a, b) => a + b, 0), 0xee);
  let off = 0;
  for (const r of records) {
    const pk = Buffer.byteLength(r.partitionKey);
    buf.write(r.partitionKey, off + 26, pk, "utf8");
    off = writeBlankFrame(buf, off, pk, r.data);
  }
  assert.equal(off, buf.length);
  return buf;
}

test("blank frames numbered in place are byte for byte the frames encodeBatch writes", () => {
  const cases: [number, number][] = [
    [0, 0],
    [1, 1_700_000_000_123],
    [2 ** 32 - 3, 1_700_000_000_999], // seqs cross 2^32
    [2 ** 52 + 5, 2 ** 40 + 7],
    [12345, -86_400_000], // a timestamp before 1970
  ];
  const records: AppendInput[] = [
    { timestamp: 0, partitionKey: "a", data: new Uint8Array(0) },
    { timestamp: 0, partitionKey: "partition-ключ-🔑", data: randomBytes(1024) },
    { timestamp: 0, partitionKey: "x".repeat(256), data: randomBytes(3) },
    { timestamp: 0, partitionKey: "k", data: randomBytes(70_000) },
  ];
  for (const [first, ts] of cases) {
    const expected = encodeBatch(
      records.map((r) => ({ ...r, timestamp: ts })),
      first,
      Number.NEGATIVE_INFINITY,
    ).buf;
    const got = blank(records);
    numberBlankFrames(got, records.length, first, ts);
    assert.ok(got.equals(expected), `seq ${first}, ts ${ts}`);
  }
});

test("a count that does not match the frames is refused", () => {
  const records: AppendInput[] = [
    { timestamp: 0, partitionKey: "a", data: randomBytes(10) },
    { timestamp: 0, partitionKey: "b", data: randomBytes(20) },
  ];
  assert.throws(() => numberBlankFrames(blank(records), 1, 0, 0), RangeError);
  assert.throws(() => numberBlankFrames(blank(records), 3, 0, 0), RangeError);
});

test("many frames of one length (numbered through a cached operator table) match encodeBatch too", () => {
  const records: AppendInput[] = Array.from({ length: 40 }, (_v, i) => ({ timestamp: 0, partitionKey: `k-${i % 10}`, data: randomBytes(1000) }));
  for (const [first, ts] of [
    [7, 1_700_000_000_321],
    [2 ** 32 - 20, -5],
  ] as const) {
    for (let round = 0; round < 3; round++) {
      const expected = encodeBatch(
        records.map((r) => ({ ...r, timestamp: ts })),
        first + round * 40,
        Number.NEGATIVE_INFINITY,
      ).buf;
      const got = blank(records);
      numberBlankFrames(got, records.length, first + round * 40, ts);
      assert.ok(got.equals(expected), `seq ${first}, ts ${ts}, round ${round}`);
    }
  }
});
