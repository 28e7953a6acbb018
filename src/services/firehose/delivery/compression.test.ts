import assert from "node:assert/strict";
import { crc32c } from "@aws-crypto/crc32c";
import { unzipSync } from "fflate";
import { snappyUncompress } from "hyparquet";
import { describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { compress } from "./compression.js";

/** A Snappy framing-format reader written from the spec, independent of the writer. */
function unframe(buf: Uint8Array): Uint8Array {
  const b = Buffer.from(buf);
  assert.deepEqual([...b.subarray(0, 10)], [0xff, 6, 0, 0, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59]);
  const out: Buffer[] = [];
  let off = 10;
  while (off < b.length) {
    const type = b[off]!;
    const len = b.readUIntLE(off + 1, 3);
    const crc = b.readUInt32LE(off + 4);
    const body = b.subarray(off + 8, off + 4 + len);
    let data: Buffer;
    if (type === 0) {
      const n = varint(body);
      const dst = new Uint8Array(n.value);
      snappyUncompress(body, dst);
      data = Buffer.from(dst);
    } else {
      assert.equal(type, 1);
      data = Buffer.from(body);
    }
    const c = crc32c(data) >>> 0;
    assert.equal(crc, ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0);
    assert.ok(data.length <= 65536);
    out.push(data);
    off += 4 + len;
  }
  return Buffer.concat(out);
}

function varint(b: Uint8Array): { value: number } {
  let value = 0;
  let shift = 0;
  for (const byte of b) {
    value |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
  }
  return { value };
}

function unhadoop(buf: Uint8Array): Uint8Array {
  const b = Buffer.from(buf);
  const out: Buffer[] = [];
  let off = 0;
  while (off < b.length) {
    const raw = b.readUInt32BE(off);
    const clen = b.readUInt32BE(off + 4);
    const dst = new Uint8Array(raw);
    snappyUncompress(b.subarray(off + 8, off + 8 + clen), dst);
    out.push(Buffer.from(dst));
    off += 8 + clen;
  }
  return Buffer.concat(out);
}

const sample = Buffer.from(Array.from({ length: 30_000 }, (_, i) => `{"i":${i},"name":"record ${i % 97}"}\n`).join(""));
const incompressible = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919 + (i >> 3) * 104729) & 0xff));

describe("compression formats", () => {
  for (const input of [sample, incompressible, Buffer.alloc(0)]) {
    it(`round-trips ${input.length} bytes`, () => {
      assert.deepEqual(Buffer.from(compress("UNCOMPRESSED", input, "x")), input);
      assert.deepEqual(gunzipSync(compress("GZIP", input, "x")), input);
      assert.deepEqual(Buffer.from(unzipSync(compress("ZIP", input, "obj"))["obj"]!), input);
      assert.deepEqual(Buffer.from(unframe(compress("Snappy", input, "x"))), input);
      assert.deepEqual(Buffer.from(unhadoop(compress("HADOOP_SNAPPY", input, "x"))), input);
    });
  }
  it("compresses text", () => {
    assert.ok(compress("Snappy", sample, "x").length < sample.length / 2);
  });
});
