import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { alignedSlab, SEGMENT, SegmentPool } from "./segment-pool.js";

describe("segment pool", () => {
  test("lends distinct segments of one slab, then a new slab; drops slabs idle beyond the limit", () => {
    let made = 0;
    const pool = new SegmentPool(2, 1, (bytes) => {
      made++;
      return new SharedArrayBuffer(bytes);
    });
    const a = pool.acquire();
    const b = pool.acquire();
    assert.equal(a.buffer, b.buffer);
    assert.notEqual(a.offset, b.offset);
    assert.equal(a.bytes.length, SEGMENT);
    const c = pool.acquire();
    assert.notEqual(c.buffer, a.buffer);
    assert.equal(made, 2);
    for (const s of [a, b, c]) pool.release(s);
    // Both slabs idle, one kept.
    assert.equal(pool.slabCount, 1);
    pool.acquire();
    pool.acquire();
    assert.equal(made, 2);
  });

  test("prefers the busiest slab, so a lightly used one can empty out", () => {
    const pool = new SegmentPool(3, 0, (bytes) => new SharedArrayBuffer(bytes));
    const [a, b, c] = [pool.acquire(), pool.acquire(), pool.acquire()];
    const d = pool.acquire(); // a second slab, two segments free
    pool.release(a); // the first slab: one free
    const e = pool.acquire();
    assert.equal(e.buffer, b.buffer);
    assert.notEqual(e.buffer, d.buffer);
    for (const s of [b, c, d, e]) pool.release(s);
    assert.equal(pool.slabCount, 0);
  });

  test("once the pool has been idle for idleMs, every slab with nothing lent out goes", async () => {
    const pool = new SegmentPool(2, 4, (bytes) => new SharedArrayBuffer(bytes), 20);
    const slabs = (): number => pool.slabCount;
    const lent = [pool.acquire(), pool.acquire(), pool.acquire()];
    pool.release(lent[0]!);
    pool.release(lent[1]!);
    // keepIdle 4: the idle first slab stays for now; the second has a segment out.
    assert.equal(pool.slabCount, 2);
    const deadline = Date.now() + 5_000;
    while (slabs() !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.equal(slabs(), 1, "the idle slab is dropped, the one with a segment lent out is kept");
    pool.release(lent[2]!);
    while (slabs() !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.equal(slabs(), 0);
  });

  test("aligned slabs are shared memory of the size asked, rounded to 64 KiB", () => {
    const slab = alignedSlab(SEGMENT + 1);
    assert.ok(slab instanceof SharedArrayBuffer);
    assert.equal(slab.byteLength, SEGMENT + 65_536);
  });
});
