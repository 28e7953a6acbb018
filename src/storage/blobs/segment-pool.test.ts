import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { alignedMemory, alignedSharedMemory } from "./aligned-memory.js";
import { SEGMENT, SegmentPool } from "./segment-pool.js";

describe("segment pool", () => {
  const counting = () => {
    const made = { pinned: 0, overflow: 0 };
    const pool = new SegmentPool<SharedArrayBuffer>({
      perSlab: 2,
      pinnedSlabs: 1,
      pinned: (bytes) => (made.pinned++, new SharedArrayBuffer(bytes)),
      overflow: (bytes) => (made.overflow++, new SharedArrayBuffer(bytes)),
    });
    return { pool, made };
  };

  test("lends distinct segments of a pinned slab, then of an overflow slab", () => {
    const { pool, made } = counting();
    const a = pool.acquire();
    const b = pool.acquire();
    assert.equal(a.buffer, b.buffer);
    assert.notEqual(a.offset, b.offset);
    assert.equal(a.bytes.length, SEGMENT);
    const c = pool.acquire();
    assert.notEqual(c.buffer, a.buffer);
    assert.deepEqual(made, { pinned: 1, overflow: 1 });
  });

  test("an overflow slab goes as soon as it is empty; the pinned slab stays and is lent first", () => {
    const { pool, made } = counting();
    const [a, b, c] = [pool.acquire(), pool.acquire(), pool.acquire()];
    pool.release(c);
    assert.equal(pool.slabCount, 1, "the emptied overflow slab is dropped");
    pool.release(a);
    pool.release(b);
    assert.equal(pool.slabCount, 1, "the pinned slab is kept, empty");
    // A steady stream of bodies reuses the pinned slab, allocating nothing.
    for (let i = 0; i < 10; i++) pool.release(pool.acquire());
    const d = pool.acquire();
    assert.equal(d.buffer, a.buffer);
    assert.deepEqual(made, { pinned: 1, overflow: 1 });
  });

  test("a free pinned segment is preferred over a free overflow one", () => {
    const { pool } = counting();
    const [a, , c, d] = [pool.acquire(), pool.acquire(), pool.acquire(), pool.acquire()];
    assert.equal(c.buffer, d.buffer);
    pool.release(c); // the overflow slab has one free segment
    pool.release(a); // and so has the pinned one
    assert.equal(pool.acquire().buffer, a.buffer);
  });

  test("aligned memory is of the size asked, rounded to 64 KiB; shared for the hash threads, or not", () => {
    const shared = alignedSharedMemory(SEGMENT + 1);
    assert.ok(shared instanceof SharedArrayBuffer);
    assert.equal(shared.byteLength, SEGMENT + 65_536);
    const own = alignedMemory(1);
    assert.ok(own instanceof ArrayBuffer);
    assert.equal(own.byteLength, 65_536);
  });
});
