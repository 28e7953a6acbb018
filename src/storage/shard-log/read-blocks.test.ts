import { after, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freeRecordBlocks } from "./read-blocks.js";
import { createSegmentShardLogStore } from "./segment-shard-log.js";

const temps: string[] = [];
after(async () => {
  for (const d of temps) await rm(d, { recursive: true, force: true });
});

it("freeRecordBlocks frees a file read's blocks (the records read as empty), and later reads still see every byte", async () => {
  const dir = await mkdtemp(join(tmpdir(), "read-blocks-"));
  temps.push(dir);
  const store = createSegmentShardLogStore({ dir });
  try {
    const log = await store.open("s/shardId-000000000000");
    const payload = (i: number): Buffer => Buffer.alloc(1024, i % 251);
    // More than the tail cache holds, so that the first records come from the segment file.
    for (let b = 0; b < 6; b++) {
      await log.append(Array.from({ length: 100 }, (_, j) => ({ timestamp: 1, partitionKey: `k${b * 100 + j}`, data: payload(b * 100 + j) })));
    }
    const first = await log.read(0n, { maxRecords: 50, maxBytes: 1 << 30 });
    assert.equal(first.length, 50);
    first.forEach((r, i) => assert.deepEqual(Buffer.from(r.data), payload(i)));
    freeRecordBlocks(first);
    assert.ok(first.every((r) => r.data.byteLength === 0), "the records' views are detached, not pointing at reused bytes");
    freeRecordBlocks(first); // a second call is harmless

    const again = await log.read(0n, { maxRecords: 600, maxBytes: 1 << 30 });
    assert.equal(again.length, 600);
    again.forEach((r, i) => {
      assert.equal(r.partitionKey, `k${i}`);
      assert.deepEqual(Buffer.from(r.data), payload(i));
    });
    // Records from the tail cache own no blocks: freeing them leaves the cached frames alone.
    const tip = await log.read(590n, { maxRecords: 10, maxBytes: 1 << 30 });
    freeRecordBlocks(tip);
    const tipAgain = await log.read(590n, { maxRecords: 10, maxBytes: 1 << 30 });
    tipAgain.forEach((r, i) => assert.deepEqual(Buffer.from(r.data), payload(590 + i)));
  } finally {
    await store.close();
  }
});
