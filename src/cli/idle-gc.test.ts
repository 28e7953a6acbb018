import assert from "node:assert/strict";
import { test } from "node:test";
import { IdleGcDecider } from "./idle-gc.js";

const MiB = 1024 * 1024;

test("collects once per busy spell, after the loop has been idle long enough, when the heap grew", () => {
  const d = new IdleGcDecider({ idleMs: 1000, minGrowthBytes: 24 * MiB }, 20 * MiB);
  // Idle from the start: nothing to collect.
  for (let i = 0; i < 8; i++) assert.equal(d.tick(250, 0, 80 * MiB), false);
  // Busy, then quiet: the fourth quiet tick (1 s) collects, and only that one.
  assert.equal(d.tick(250, 0.9, 90 * MiB), false);
  const quiet = Array.from({ length: 8 }, () => d.tick(250, 0.01, 90 * MiB));
  assert.deepEqual(quiet, [false, false, false, true, false, false, false, false]);
  d.collected(30 * MiB);
  // A busy spell that left the heap within 24 MiB of the last live size: no collection.
  assert.equal(d.tick(250, 0.5, 50 * MiB), false);
  assert.ok(Array.from({ length: 8 }, () => d.tick(250, 0, 50 * MiB)).every((c) => !c));
  // A moderately busy tick (between 2% and 10%) neither starts a spell nor counts as quiet.
  assert.equal(d.tick(250, 0.5, 70 * MiB), false);
  assert.deepEqual([d.tick(250, 0, 70 * MiB), d.tick(250, 0, 70 * MiB), d.tick(250, 0.05, 70 * MiB)], [false, false, false]);
  assert.deepEqual([0, 1, 2, 3].map(() => d.tick(250, 0, 70 * MiB)), [false, false, false, true]);
});

test("collects at the next quiet second after buffer pools dropped half the growth threshold, busy or not", () => {
  const d = new IdleGcDecider({ idleMs: 1000, minGrowthBytes: 24 * MiB }, 20 * MiB);
  // Pools drop 8 MiB while the loop is quiet, with no heap growth: not enough yet.
  assert.deepEqual([0, 1, 2, 3].map((i) => d.tick(250, 0, 20 * MiB, i === 0 ? 8 * MiB : 0)), [false, false, false, false]);
  // 4 MiB more (12 MiB, half of 24): the loop has been quiet long enough, so at once.
  assert.equal(d.tick(250, 0, 20 * MiB, 4 * MiB), true);
  d.collected(20 * MiB);
  assert.equal(d.tick(250, 0, 20 * MiB), false, "the released bytes were counted by that collection");
  // Released during a busy spell: waits for a quiet second.
  assert.equal(d.tick(250, 0.9, 20 * MiB, 16 * MiB), false);
  assert.deepEqual([0, 1, 2, 3].map(() => d.tick(250, 0, 20 * MiB)), [false, false, false, true]);
});
