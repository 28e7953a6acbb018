import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, describe, test } from "node:test";
import { createFileBlobStore } from "../../../storage/blobs/file-blob-store.js";
import { CHECKSUM_ALGORITHMS, createHasher, type ChecksumAlgorithm } from "../checksums.js";
import { ingestToBlob, OFFLOAD_MIN } from "./ingest-blob.js";

/** `bytes` cut into chunks of the given sizes, cycling (odd sizes so chunks straddle 1 MiB segments). */
function chunked(bytes: Buffer, sizes: readonly number[]): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = sizes[i % sizes.length]!;
    chunks.push(bytes.subarray(at, at + n));
    at += n;
  }
  return Readable.from(chunks, { objectMode: false });
}

async function expected(bytes: Buffer, algorithm: ChecksumAlgorithm): Promise<Buffer> {
  const h = createHasher(algorithm);
  h.update(bytes);
  return h.digest();
}

describe("ingesting a body into a blob", () => {
  const dir = mkdtempSync(join(tmpdir(), "streamlake-ingest-blob-"));
  const blobs = createFileBlobStore(dir);
  after(() => rmSync(dir, { recursive: true, force: true }));
  const signal = new AbortController().signal;
  const none = (): void => undefined;

  for (const size of [0, 70_000, OFFLOAD_MIN - 1, 3 * 1024 * 1024 + 12_345]) {
    test(`${size} bytes: the file holds the bytes, MD5 and every checksum are right (${size < OFFLOAD_MIN ? "main thread" : "hash workers"})`, async () => {
      const bytes = randomBytes(size);
      for (const algorithm of CHECKSUM_ALGORITHMS) {
        const got = await ingestToBlob(chunked(bytes, [65_536, 1, 300_001, 17]), blobs, { expectedLength: size, checksum: algorithm, signal }, none);
        assert.equal(got.size, size);
        assert.equal(got.md5.toString("hex"), createHash("md5").update(bytes).digest("hex"));
        assert.deepEqual(got.checksum, await expected(bytes, algorithm), algorithm);
        assert.ok(readFileSync(join(dir, got.blobId.slice(0, 2), got.blobId)).equals(bytes));
      }
    });
  }

  test("several large bodies at once, with and without a checksum, each hashed on its own", async () => {
    const bodies = Array.from({ length: 5 }, (_, i) => randomBytes(2 * 1024 * 1024 + i * 999));
    const got = await Promise.all(
      bodies.map((b, i) => ingestToBlob(chunked(b, [65_536]), blobs, { expectedLength: undefined, checksum: i % 2 === 0 ? "CRC32" : undefined, signal }, none)),
    );
    for (const [i, b] of bodies.entries()) {
      assert.equal(got[i]!.md5.toString("hex"), createHash("md5").update(b).digest("hex"));
      assert.deepEqual(got[i]!.checksum, i % 2 === 0 ? await expected(b, "CRC32") : undefined);
    }
  });

  test("chunks are freed once copied only when the body says they are its own", async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 7);
    const owned = (): Buffer[] => Array.from({ length: Math.ceil(bytes.length / 65_536) }, (_, i) => Buffer.from(bytes.subarray(i * 65_536, (i + 1) * 65_536)));
    const md5 = createHash("md5").update(bytes).digest("hex");
    const kept = owned();
    const a = await ingestToBlob(Readable.from(kept, { objectMode: false }), blobs, { expectedLength: bytes.length, checksum: "CRC32", signal }, none);
    assert.equal(a.md5.toString("hex"), md5);
    assert.ok(Buffer.concat(kept).equals(bytes), "a caller's buffers stay intact by default");
    const freed = owned();
    const b = await ingestToBlob(Readable.from(freed, { objectMode: false }), blobs, { expectedLength: bytes.length, checksum: "CRC32", signal, releaseChunks: true }, none);
    assert.equal(b.md5.toString("hex"), md5);
    assert.deepEqual(b.checksum, await expected(bytes, "CRC32"));
    assert.ok(readFileSync(join(dir, b.blobId.slice(0, 2), b.blobId)).equals(bytes));
    // Every 64 KiB chunk owned its ArrayBuffer and was detached; the 7-byte tail sits in Node's shared pool and is left alone.
    assert.ok(freed.slice(0, -1).every((c) => c.buffer.byteLength === 0), "every whole chunk was detached");
    assert.equal(freed.at(-1)!.length, 7);
  });

  test("written around the page cache (direct), whole segments and a ragged tail land intact", async () => {
    for (const size of [2 * 1024 * 1024, 3 * 1024 * 1024 + 12_345]) {
      const bytes = randomBytes(size);
      const got = await ingestToBlob(chunked(bytes, [65_536, 4_097]), blobs, { expectedLength: size, checksum: "CRC32", signal, direct: true }, none);
      assert.equal(got.md5.toString("hex"), createHash("md5").update(bytes).digest("hex"));
      assert.deepEqual(got.checksum, await expected(bytes, "CRC32"));
      assert.ok(readFileSync(join(dir, got.blobId.slice(0, 2), got.blobId)).equals(bytes));
    }
  });

  test("a failed direct body leaves no blob file", async () => {
    const blobFiles = (): number =>
      readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && /^[0-9a-f]{2}$/.test(d.name))
        .reduce((n, d) => n + readdirSync(join(dir, d.name)).length, 0);
    const before = blobFiles();
    const bytes = randomBytes(3 * 1024 * 1024);
    await assert.rejects(
      ingestToBlob(chunked(bytes, [65_536]), blobs, { expectedLength: bytes.length, checksum: "CRC32", signal, direct: true }, () => {
        throw new Error("too short");
      }),
      /too short/,
    );
    assert.equal(blobFiles(), before);
  });

  test("a failed check, a failing body and an abort leave no file behind", async () => {
    const before = readdirSync(join(dir, "tmp")).length;
    const bytes = randomBytes(2 * 1024 * 1024);
    await assert.rejects(
      ingestToBlob(chunked(bytes, [65_536]), blobs, { expectedLength: bytes.length, checksum: undefined, signal }, () => {
        throw new Error("too short");
      }),
      /too short/,
    );
    const failing = new Readable({
      read() {
        this.push(bytes.subarray(0, 1024 * 1024 + 5));
        this.destroy(new Error("client went away"));
      },
    });
    await assert.rejects(ingestToBlob(failing, blobs, { expectedLength: undefined, checksum: "SHA256", signal }, none), /client went away/);
    const aborter = new AbortController();
    const endless = new Readable({
      read() {
        this.push(bytes);
        aborter.abort();
      },
    });
    await assert.rejects(ingestToBlob(endless, blobs, { expectedLength: undefined, checksum: undefined, signal: aborter.signal }, none), { name: "AbortError" });
    assert.equal(readdirSync(join(dir, "tmp")).length, before);
  });
});
