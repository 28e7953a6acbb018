import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { test } from "node:test";
import { IdleRelease, takeReleasedBytes } from "./idle-release.js";

async function until(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 2));
}

test("releases once, idleMs after the last touch, and not while touches keep coming", async () => {
  let released = 0;
  let lastTouch = 0;
  let releasedAt = 0;
  const idle = new IdleRelease(40, () => {
    released++;
    releasedAt = performance.now();
    return 1000;
  });
  // Touch every ~5 ms for ~120 ms: three idle periods' worth, never idle for 40 ms.
  const start = performance.now();
  while (performance.now() - start < 120) {
    idle.touch();
    lastTouch = performance.now();
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(released, 0, "no release while in use");
  }
  await until(() => released > 0, 5_000);
  assert.equal(released, 1);
  assert.equal(takeReleasedBytes(), 1000, "the bytes let go of are reported once");
  assert.equal(takeReleasedBytes(), 0);
  assert.ok(releasedAt - lastTouch >= 39, `released ${releasedAt - lastTouch} ms after the last touch`);
  // Used again later: released again after the next quiet spell.
  idle.touch();
  await until(() => released > 1, 5_000);
  assert.equal(released, 2);
});
