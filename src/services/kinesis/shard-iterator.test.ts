import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { crc32 } from "node:zlib";
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

/** A token's bytes before its seal, laid out as a token of `version` lays them out. */
function tokenBody(version: number): Buffer {
  const name = Buffer.from(state.streamName, "utf8");
  const body = Buffer.alloc(30 + name.length);
  body.writeUInt8(version, 0);
  body.writeBigUInt64BE(BigInt(state.issuedAt), 1);
  body.writeBigUInt64BE(BigInt(state.streamCreatedAt), 9);
  body.writeUInt32BE(state.shardIndex, 17);
  body.writeBigUInt64BE(state.position, 21);
  body.writeUInt8(name.length, 29);
  name.copy(body, 30);
  return body;
}

test("version-1 tokens (sealed with 12 bytes of a SHA-256) issued before still decode", () => {
  const body = tokenBody(1);
  const digest = createHash("sha256").update("streamlake-kinesis-iterator").update(body).digest().subarray(0, 12);
  const v1 = Buffer.concat([body, digest]);
  assert.deepEqual(decodeShardIterator(v1.toString("base64")), state);
  v1[25] = (v1[25] ?? 0) ^ 4;
  assert.equal(decodeShardIterator(v1.toString("base64")), undefined);
  assert.equal(Buffer.from(encodeShardIterator(state), "base64")[0], 2, "new tokens are version 2");
});

test("every single-bit change of a token is rejected", () => {
  const bytes = Buffer.from(encodeShardIterator(state), "base64");
  for (let i = 0; i < bytes.length * 8; i++) {
    const copy = Buffer.from(bytes);
    copy[i >> 3] = (copy[i >> 3] ?? 0) ^ (1 << (i & 7));
    assert.equal(decodeShardIterator(copy.toString("base64")), undefined, `bit ${i}`);
  }
});

test("times print as Java's Date.toString in UTC", () => {
  assert.equal(javaUtcString(Date.UTC(2015, 0, 22, 1, 22, 2)), "Thu Jan 22 01:22:02 UTC 2015");
});

test("a token no longer among the recently issued ones decodes from its bytes, laid out as before", () => {
  const token = encodeShardIterator(state);
  const body = tokenBody(2);
  const seal = Buffer.alloc(4);
  seal.writeUInt32BE(crc32(body, 0x5157_4b49));
  assert.equal(token, Buffer.concat([body, seal]).toString("base64"));
  // Issue enough other tokens to push this one out of the recent ones, then decode it again.
  for (let i = 0; i < 1000; i++) encodeShardIterator({ ...state, position: BigInt(i) });
  assert.deepEqual(decodeShardIterator(token), state);
  const other = encodeShardIterator({ ...state, streamName: "é".repeat(3), issuedAt: 2 ** 40 + 5 });
  assert.deepEqual(decodeShardIterator(other), { ...state, streamName: "é".repeat(3), issuedAt: 2 ** 40 + 5 });
});
