import assert from "node:assert/strict";
import { test } from "node:test";
import { base64Length, writeBase64 } from "./base64-into.js";

test("writeBase64 writes what Buffer's base64 encoder writes, for every length and byte value", () => {
  const bytes = Buffer.alloc(1030);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + (i >> 3)) & 255;
  for (let len = 0; len <= bytes.length; len += len < 40 ? 1 : 97) {
    const src = bytes.subarray(bytes.length - len);
    const dst = Buffer.alloc(base64Length(len) + 6, 0x2e);
    const end = writeBase64(src, dst, 3);
    assert.equal(end, 3 + base64Length(len));
    assert.equal(dst.toString("latin1"), "..." + src.toString("base64") + "...");
  }
  const all = Buffer.from(Array.from({ length: 256 * 3 }, (_, i) => (i * 37) & 255));
  const dst = Buffer.alloc(base64Length(all.length));
  writeBase64(all, dst, 0);
  assert.equal(dst.toString("latin1"), all.toString("base64"));
});
