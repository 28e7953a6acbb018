import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { alignedSharedMemory as alignedSlab } from "./aligned-memory.js";
import { DIRECT_ALIGN } from "./blob-store.js";
import { createFileBlobStore } from "./file-blob-store.js";

describe("file blob store: direct writes", () => {
  const dir = mkdtempSync(join(tmpdir(), "streamlake-blobs-"));
  const blobs = createFileBlobStore(dir);
  after(() => rmSync(dir, { recursive: true, force: true }));
  const fileOf = (id: string): Buffer => readFileSync(join(dir, id.slice(0, 2), id));

  test("aligned spans, an unaligned tail and unaligned memory all land where they were written", async () => {
    const size = 3 * 65_536 + 1234;
    const bytes = randomBytes(size);
    const slab = new Uint8Array(alignedSlab(4 * 65_536));
    slab.set(bytes.subarray(0, 2 * 65_536));
    const w = await blobs.create({ direct: true });
    // Aligned memory and position (written around the cache where the filesystem allows).
    const first = w.write(slab.subarray(0, 65_536), 0);
    const second = w.write(slab.subarray(65_536, 2 * 65_536), 65_536);
    // Memory from malloc: the direct write is refused with EINVAL and the cache takes it.
    await w.write(Buffer.from(bytes.subarray(2 * 65_536, 3 * 65_536)), 2 * 65_536);
    // A tail whose length is not a multiple of the alignment.
    await w.write(bytes.subarray(3 * 65_536), 3 * 65_536);
    await Promise.all([first, second]);
    const id = await w.commit();
    assert.ok(fileOf(id).equals(bytes));
  });

  test("a span longer than the alignment with a ragged end is split, and its end still lands", async () => {
    const bytes = randomBytes(DIRECT_ALIGN * 3 + 77);
    const slab = new Uint8Array(alignedSlab(bytes.length));
    slab.set(bytes);
    const w = await blobs.create({ direct: true });
    await w.write(slab.subarray(0, bytes.length), 0);
    assert.ok(fileOf(await w.commit()).equals(bytes));
  });

  test("an aborted direct blob leaves no file", async () => {
    const w = await blobs.create({ direct: true });
    await w.write(new Uint8Array(alignedSlab(65_536)), 0);
    await w.abort();
    await assert.rejects(w.commit());
  });
});
