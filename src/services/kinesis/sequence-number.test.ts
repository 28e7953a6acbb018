import assert from "node:assert/strict";
import { test } from "node:test";
import {
  continuationSequenceNumber,
  decodeSequenceNumber,
  encodeSequenceNumber,
  endingSequenceNumber,
  logSeqOf,
  recordSequenceNumber,
  recordSequenceNumbers,
  startingSequenceNumber,
} from "./sequence-number.js";

const CREATED = Date.UTC(2026, 0, 15, 12, 0, 0);

test("numbers have 56 digits and the service's hex layout", () => {
  const n = recordSequenceNumber(CREATED, 1, 0n);
  assert.match(n, /^\d{56}$/);
  const hex = BigInt(n).toString(16);
  assert.equal(hex.length, 47);
  assert.equal(hex[0], "2");
  assert.equal(hex.at(-1), "2");
  assert.equal(hex.slice(38, 46), "00000001");
});

test("decodes what it encodes", () => {
  const parts = { shardCreatedSecs: Math.floor(CREATED / 1000), shardIndex: 37, position: 123456789n, timeSecs: 1_800_000_000 };
  assert.deepEqual(decodeSequenceNumber(encodeSequenceNumber(parts)), parts);
});

test("strictly increasing within a shard, and string order equals numeric order", () => {
  const nums = [0n, 1n, 2n, 9n, 10n, 255n, 256n, 1n << 40n].map((s) => recordSequenceNumber(CREATED, 3, s));
  for (let i = 1; i < nums.length; i++) {
    assert.ok(BigInt(nums[i]!) > BigInt(nums[i - 1]!));
    assert.ok(nums[i]! > nums[i - 1]!);
  }
});

test("a shard's starting number sorts below its first record, its ending number above its records", () => {
  const start = startingSequenceNumber(CREATED, 0);
  const first = recordSequenceNumber(CREATED, 0, 0n);
  const late = recordSequenceNumber(CREATED, 0, 1_000_000n);
  const end = endingSequenceNumber(CREATED, 0, CREATED + 60_000);
  assert.ok(start < first && first < late && late < end);
});

test("children created a second later sort after every record of their parent", () => {
  const parentLast = recordSequenceNumber(CREATED, 15, (1n << 62n) - 1n);
  const childFirst = recordSequenceNumber(CREATED + 1000, 16, 0n);
  assert.ok(childFirst > parentLast);
});

test("AT/AFTER positions: a record's number maps back to its log seq; a continuation number sits just before", () => {
  const n = decodeSequenceNumber(recordSequenceNumber(CREATED, 2, 41n))!;
  assert.equal(logSeqOf(n), 41n);
  const c = decodeSequenceNumber(continuationSequenceNumber(CREATED, 2, 42n))!;
  assert.equal(logSeqOf(c) + 1n, 42n);
  assert.equal(continuationSequenceNumber(CREATED, 2, 42n), recordSequenceNumber(CREATED, 2, 41n));
});

test("rejects numbers that are not ours", () => {
  const wrongVersion = (BigInt("0x2" + "0".repeat(45) + "3")).toString(); // version nibble 3
  const nibbleMismatch = (BigInt("0x2" + "0".repeat(9) + "5" + "0".repeat(27) + "00000001" + "2")).toString();
  for (const bad of ["0", "1", "12345", wrongVersion, nibbleMismatch, "x", ""]) {
    assert.equal(decodeSequenceNumber(bad), undefined, bad);
  }
  // AWS's own numbers (DescribeStream and PutRecord docs samples) share the layout and decode.
  assert.equal(decodeSequenceNumber("49600871682957036442365024926191073437251060580128653314")?.shardIndex, 0);
  assert.equal(decodeSequenceNumber("49590338271490256608559692538361571095921575989136588898")?.shardIndex, 6);
});

test("a run of consecutive records' numbers equals the numbers one by one, across limb carries", () => {
  for (const [created, index, first, count] of [
    [CREATED, 0, 0n, 300],
    [CREATED, 7, 123_456_789n, 50],
    [Date.UTC(2030, 5, 1), 4095, (1n << 40n) - 25n, 50],
    [CREATED, 2, (1n << 62n) - 60n, 59],
  ] as const) {
    const run = recordSequenceNumbers(created, index, first, count);
    assert.equal(run.length, count);
    run.forEach((n, k) => assert.equal(n, recordSequenceNumber(created, index, first + BigInt(k))));
  }
  assert.deepEqual(recordSequenceNumbers(CREATED, 1, 5n, 0), []);
  assert.throws(() => recordSequenceNumbers(CREATED, 1, (1n << 63n) - 3n, 5), RangeError);
});
