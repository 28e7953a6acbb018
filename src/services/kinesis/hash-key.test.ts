import assert from "node:assert/strict";
import { test } from "node:test";
import { evenRanges, hashKeyHex, MAX_HASH_KEY, parseHashKey, partitionKeyHash, partitionKeyHashHex, partitionKeyHashTop } from "./hash-key.js";

test("a 3-shard stream splits the key space exactly as DescribeStream shows it", () => {
  const r = evenRanges(3).map((x) => [x.start.toString(), x.end.toString()]);
  assert.deepEqual(r, [
    ["0", "113427455640312821154458202477256070484"],
    ["113427455640312821154458202477256070485", "226854911280625642308916404954512140969"],
    ["226854911280625642308916404954512140970", "340282366920938463463374607431768211455"],
  ]);
});

test("ranges cover the key space without gaps for any count", () => {
  for (const n of [1, 2, 5, 7, 64]) {
    const r = evenRanges(n);
    assert.equal(r[0]!.start, 0n);
    assert.equal(r.at(-1)!.end, MAX_HASH_KEY);
    for (let i = 1; i < n; i++) assert.equal(r[i]!.start, r[i - 1]!.end + 1n);
  }
});

test("partition keys hash to MD5 as a big-endian 128-bit integer", () => {
  // md5("a") = 0cc175b9c0f1b6a831c399e269772661
  assert.equal(partitionKeyHash("a"), 0x0cc175b9c0f1b6a831c399e269772661n);
  // Non-ASCII keys hash their UTF-8 bytes.
  assert.equal(partitionKeyHash("é"), 0x66ddcd97cfdeabb2f6fb8a999b4bc76fn);
});

test("explicit hash keys must be decimal integers within [0, 2^128 - 1]", () => {
  assert.equal(parseHashKey("0"), 0n);
  assert.equal(parseHashKey(MAX_HASH_KEY.toString()), MAX_HASH_KEY);
  assert.equal(parseHashKey((MAX_HASH_KEY + 1n).toString()), undefined);
  assert.equal(parseHashKey("01"), undefined);
  assert.equal(parseHashKey("-1"), undefined);
});

test("hex hash keys have one width, so string order is numeric order", () => {
  for (const pk of ["a", "é", "r1-17", ""]) assert.equal(partitionKeyHashHex(pk), hashKeyHex(partitionKeyHash(pk)));
  const keys = [0n, 1n, 15n, 16n, 255n, 1n << 64n, MAX_HASH_KEY - 1n, MAX_HASH_KEY];
  for (const k of keys) assert.equal(hashKeyHex(k).length, 32);
  for (let i = 1; i < keys.length; i++) assert.ok(hashKeyHex(keys[i - 1]!) < hashKeyHex(keys[i]!));
});

test("the top 32 bits of a short ASCII key's hash key are the first 4 bytes of its MD5; other keys are left to OpenSSL", () => {
  let seed = 11;
  for (let i = 0; i < 5000; i++) {
    let key = "";
    for (let j = 0; j < i % 56; j++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      key += String.fromCharCode(seed % 128);
    }
    assert.equal(partitionKeyHashTop(key), parseInt(partitionKeyHashHex(key).slice(0, 8), 16), JSON.stringify(key));
  }
  assert.equal(partitionKeyHashTop("a"), 0x0cc175b9);
  assert.equal(partitionKeyHashTop("é"), -1);
  assert.equal(partitionKeyHashTop("x".repeat(56)), -1);
});
