import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeShardIterator, encodeShardIterator, javaUtcString } from "./shard-iterator.js";

const state = { streamName: "my.stream-1", streamCreatedAt: 1_700_000_000_123, shardIndex: 7, position: 123_456_789_012n, issuedAt: 1_700_000_100_456 };

test("an iterator decodes to what it encodes and stays under the 512-character limit", () => {
  const token = encodeShardIterator(state);
  assert.deepEqual(decodeShardIterator(token), state);
  const long = encodeShardIterator({ ...state, streamName: "s".repeat(128) });
  assert.ok(long.length <= 512, `${long.length}`);
});

test("altered or foreign tokens are rejected", () => {
  const token = encodeShardIterator(state);
  const bytes = Buffer.from(token, "base64");
  bytes[20] = (bytes[20] ?? 0) ^ 1;
  assert.equal(decodeShardIterator(bytes.toString("base64")), undefined);
  assert.equal(decodeShardIterator("AAAAAAAAAAE="), undefined);
  assert.equal(decodeShardIterator("not base64!"), undefined);
});

test("times print as Java's Date.toString in UTC", () => {
  assert.equal(javaUtcString(Date.UTC(2015, 0, 22, 1, 22, 2)), "Thu Jan 22 01:22:02 UTC 2015");
});
