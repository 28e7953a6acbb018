import assert from "node:assert/strict";
import { test } from "node:test";
import { CborError, decodeCbor, encodeCbor } from "./cbor.js";

test("round-trips maps, strings, numbers, booleans, byte strings and timestamps", () => {
  const when = new Date(1_700_000_000_123);
  const value = { S: "héllo", N: 42, F: 1.5, B: true, Data: new Uint8Array([0, 1, 255]), T: when, L: [1, "two"], M: { k: "v" } };
  const back = decodeCbor(encodeCbor(value)) as Record<string, unknown>;
  assert.equal(back["S"], "héllo");
  assert.equal(back["N"], 42);
  assert.equal(back["F"], 1.5);
  assert.equal(back["B"], true);
  assert.deepEqual([...(back["Data"] as Uint8Array)], [0, 1, 255]);
  assert.equal((back["T"] as Date).getTime(), when.getTime());
  assert.deepEqual(back["L"], [1, "two"]);
  assert.deepEqual(back["M"], { k: "v" });
});

test("blobs are CBOR byte strings (major type 2), not tagged typed arrays", () => {
  const bytes = encodeCbor({ D: new Uint8Array([7]) });
  // a1 (map of 1) 61 44 ("D") 41 07 (byte string of length 1)
  assert.equal(Buffer.from(bytes).toString("hex"), "a1614441" + "07");
});

test("timestamps are tag 1 with epoch milliseconds, as the AWS CBOR protocol writes them", () => {
  const bytes = encodeCbor(new Date(1_500_000_000_000));
  // c1 = tag 1, 1b = uint64 follows
  assert.equal(Buffer.from(bytes).toString("hex"), "c11b0000015d3ef79800");
});

test("a tag 1 in epoch seconds (RFC 8949) is read as seconds", () => {
  const seconds = Buffer.from("c11a59682f00", "hex"); // tag 1, uint32 1500000000
  assert.equal((decodeCbor(seconds) as Date).getTime(), 1_500_000_000_000);
});

test("undefined members are dropped", () => {
  assert.deepEqual(decodeCbor(encodeCbor({ a: 1, b: undefined })), { a: 1 });
});

test("garbage is a CborError", () => {
  assert.throws(() => decodeCbor(Buffer.from([0xff, 0xff])), CborError);
  assert.throws(() => decodeCbor(Buffer.alloc(0)), CborError);
});
