import assert from "node:assert/strict";
import { test } from "node:test";
import { InFlightWaiters } from "./in-flight-waiters.js";

/** Resolves after `n` more check phases (a chain of setImmediate). */
function checkPhases(n: number): Promise<void> {
  return new Promise((resolve) => {
    const step = (left: number): void => {
      if (left === 0) resolve();
      else setImmediate(step, left - 1);
    };
    step(n);
  });
}

test("readers waiting for a turn are released in order, one per event-loop turn, across logs", async () => {
  const a = new InFlightWaiters();
  const b = new InFlightWaiters();
  const released: string[] = [];
  const waits = [
    a.waitTurn(10).then(() => released.push("a1")),
    b.waitTurn(10).then(() => released.push("b1")),
    a.waitTurn(10).then(() => released.push("a2")),
  ];
  assert.equal(a.size, 2);
  await checkPhases(1);
  assert.deepEqual(released, ["a1"], "one release in the first check phase");
  await Promise.all(waits);
  assert.deepEqual(released, ["a1", "b1", "a2"]);
  assert.equal(a.size + b.size, 0);
});

test("a reader whose records become durable leaves the turn queue; the others are still released", async () => {
  const a = new InFlightWaiters();
  const b = new InFlightWaiters();
  const released: string[] = [];
  const waits = [
    a.waitTurn(5).then(() => released.push("a")),
    b.waitTurn(7).then(() => released.push("b")),
    b.waitTurn(9).then(() => released.push("b-late")),
  ];
  b.settle(8, false); // seqs below 8 durable: "b" (until 7) goes now, "b-late" (until 9) waits
  await Promise.resolve();
  assert.deepEqual(released, ["b"]);
  await Promise.all(waits);
  assert.deepEqual(released, ["b", "a", "b-late"]);
  // The queue is empty again: a later wait is still released.
  await a.waitTurn(1);
});
