import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { after, describe, test } from "node:test";
import { createFileBlobStore } from "../../../storage/blobs/file-blob-store.js";
import type { PartRef } from "../../../storage/objects/object-store.js";
import { partSpans, readData } from "./data-stream.js";

const GiB = 1024 ** 3;

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

describe("reading multipart data", () => {
  const dir = mkdtempSync(join(tmpdir(), "streamlake-data-stream-"));
  const blobs = createFileBlobStore(dir);
  after(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * A committed blob of `size` bytes that is a sparse file (no disk used), with `marks` written at
   * their offsets: offsets past 4 GiB prove no 32-bit arithmetic hides in the read path.
   */
  async function sparseBlob(size: number, marks: ReadonlyArray<readonly [number, string]>): Promise<string> {
    const w = await blobs.create();
    w.stream.end();
    const id = await w.commit();
    const fh = await open(join(dir, id.slice(0, 2), id), "r+");
    try {
      await fh.truncate(size);
      for (const [at, text] of marks) await fh.write(Buffer.from(text), 0, text.length, at);
    } finally {
      await fh.close();
    }
    return id;
  }

  const ref = (blobId: string, size: number, partNumber: number): PartRef => ({ blobId, size, partNumber, etag: '""', checksum: undefined });

  test("ranges across part boundaries beyond 4 GiB, with a middle part skipped when it has no bytes", async () => {
    const a = await sparseBlob(3 * GiB, [[3 * GiB - 8, "AAAAAAAA"]]);
    const empty = await sparseBlob(0, []);
    const b = await sparseBlob(3 * GiB, [
      [0, "BBBBBBBB"],
      [3 * GiB - 8, "bbbbbbbb"],
    ]);
    const c = await sparseBlob(5, [[0, "ccccc"]]);
    const parts = [ref(a, 3 * GiB, 1), ref(empty, 0, 2), ref(b, 3 * GiB, 3), ref(c, 5, 4)];
    assert.deepEqual(
      partSpans(parts).map((s) => [s.index, s.start]),
      [
        [1, 0],
        [2, 3 * GiB],
        [3, 3 * GiB],
        [4, 6 * GiB],
      ],
    );
    const data = { kind: "parts", parts } as const;
    assert.equal((await collect(readData(blobs, data, 3 * GiB - 8, 3 * GiB + 7))).toString(), "AAAAAAAABBBBBBBB");
    assert.equal((await collect(readData(blobs, data, 6 * GiB - 8, 6 * GiB + 4))).toString(), "bbbbbbbbccccc");
    assert.equal((await collect(readData(blobs, data, 6 * GiB + 1, 6 * GiB + 3))).toString(), "ccc");
  });

  test("inline and single-blob data read the same way", async () => {
    const bytes = Buffer.from("0123456789");
    assert.equal((await collect(readData(blobs, { kind: "inline", bytes }, 2, 5))).toString(), "2345");
    const id = await sparseBlob(10, [[0, "abcdefghij"]]);
    assert.equal((await collect(readData(blobs, { kind: "blob", blobId: id }, 7, 9))).toString(), "hij");
  });

  test("a reader that stops early releases the part stream it was in", async () => {
    const a = await sparseBlob(8 * 1024 * 1024, []);
    const openFiles = (): number => readdirSync("/proc/self/fd").length;
    const before = openFiles();
    const stream = readData(blobs, { kind: "parts", parts: [ref(a, 8 * 1024 * 1024, 1), ref(a, 8 * 1024 * 1024, 2)] }, 0, 16 * 1024 * 1024 - 1);
    const closed = new Promise<void>((resolve) => stream.once("close", resolve));
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      assert.ok(chunk.length > 0);
      break; // leaving the loop destroys the stream
    }
    await closed;
    assert.equal(stream.destroyed, true);
    // The part file closes asynchronously: poll (with a deadline) until the descriptor is gone.
    const deadline = Date.now() + 5000;
    while (openFiles() > before && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    assert.equal(openFiles(), before, "the part file was closed");
  });
});
