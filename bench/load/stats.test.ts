import assert from "node:assert/strict";
import { test } from "node:test";
import { median, quantile, Samples } from "./stats.js";

test("median and nearest-rank quantiles", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
  const hundred = Array.from({ length: 100 }, (_v, i) => i + 1);
  assert.equal(quantile(hundred, 0.5), 50);
  assert.equal(quantile(hundred, 0.99), 99);
  assert.equal(quantile(hundred, 1), 100);
  assert.equal(quantile([7], 0.99), 7);
});

test("Samples keeps at most its cap, evenly thinned, and counts everything it saw", () => {
  const s = new Samples(1000);
  for (let i = 0; i < 10_000; i++) s.add(i);
  assert.equal(s.count, 10_000);
  const v = s.values();
  assert.ok(v.length <= 1000 && v.length >= 500, `kept ${v.length}`);
  // Evenly thinned: the kept values still span the whole range with a median near the middle.
  assert.ok(Math.abs(median(v) - 5000) < 600, `median ${median(v)}`);
});
