import assert from "node:assert/strict";
import { test } from "node:test";
import { ManualClock } from "../../util/clock.js";
import { MIB, ThroughputLimiter } from "./throughput.js";

test("a shard takes 1,000 records per second, then refills with time", () => {
  const clock = new ManualClock(0);
  const l = new ThroughputLimiter(clock, true);
  let ok = 0;
  for (let i = 0; i < 1200; i++) if (l.admitWrite("s", "s/0", false, 10)) ok++;
  assert.equal(ok, 1000);
  assert.equal(l.admitWrite("s", "s/0", false, 10), false);
  clock.advance(100);
  let more = 0;
  for (let i = 0; i < 200; i++) if (l.admitWrite("s", "s/0", false, 10)) more++;
  assert.equal(more, 100);
});

test("a shard takes 1 MiB per second; other shards are independent", () => {
  const clock = new ManualClock(0);
  const l = new ThroughputLimiter(clock, true);
  assert.equal(l.admitWrite("s", "s/0", false, MIB / 2), true);
  assert.equal(l.admitWrite("s", "s/0", false, MIB / 2), true);
  assert.equal(l.admitWrite("s", "s/0", false, 1), false);
  assert.equal(l.admitWrite("s", "s/1", false, MIB), true);
  clock.advance(1000);
  assert.equal(l.admitWrite("s", "s/0", false, MIB), true);
});

test("reads: 5 calls per second, and a big read blocks calls until the 2 MiB/s budget recovers", () => {
  const clock = new ManualClock(0);
  const l = new ThroughputLimiter(clock, true);
  for (let i = 0; i < 5; i++) assert.equal(l.admitRead("s/0"), true);
  assert.equal(l.admitRead("s/0"), false);
  clock.advance(1000);
  assert.equal(l.admitRead("s/0"), true);
  l.chargeRead("s/0", 10 * MIB);
  clock.advance(3000);
  assert.equal(l.admitRead("s/0"), false, "still in debt after 3 s");
  clock.advance(1100);
  assert.equal(l.admitRead("s/0"), true);
});

test("on-demand streams start at 4,000 records/s and grow to twice their peak", () => {
  const clock = new ManualClock(0);
  const l = new ThroughputLimiter(clock, true);
  let ok = 0;
  for (let i = 0; i < 5000; i++) if (l.admitWrite("d", "d/0", true, 1)) ok++;
  assert.equal(ok, 4000);
  clock.advance(1000);
  ok = 0;
  for (let i = 0; i < 9000; i++) if (l.admitWrite("d", "d/0", true, 1)) ok++;
  assert.equal(ok, 8000, "twice the 4,000 peak of the previous second");
  clock.advance(1000);
  ok = 0;
  for (let i = 0; i < 20000; i++) if (l.admitWrite("d", "d/0", true, 1)) ok++;
  assert.equal(ok, 16000, "twice the new 8,000 peak");
});

test("nothing is limited when enforcement is off", () => {
  const l = new ThroughputLimiter(new ManualClock(0), false);
  for (let i = 0; i < 5000; i++) assert.equal(l.admitWrite("s", "s/0", false, MIB), true);
  for (let i = 0; i < 50; i++) assert.equal(l.admitRead("s/0"), true);
});
