import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { threadJob } from "./job.js";
import { ThreadPool } from "./pool.js";
import type { TestJobArgs } from "./test-job.js";

const JOB = threadJob("test-job", new URL("./test-job.js", import.meta.url));
const MISSING = threadJob("missing-job", new URL("./no-such-job.js", import.meta.url));

describe("thread pool", () => {
  const pool = new ThreadPool(2, 50);
  after(() => pool.close());
  const run = <T>(args: TestJobArgs): Promise<T> => pool.run<T>(JOB, args);

  test("runs jobs and answers with their values; a job's error or a module that fails to load rejects", async () => {
    assert.deepEqual(await Promise.all([run({ op: "echo", value: { a: [1, "x"] } }), run({ op: "later", value: 5 })]), [{ a: [1, "x"] }, 5]);
    await assert.rejects(run({ op: "fail", message: "no luck" }), /no luck/);
    await assert.rejects(pool.run(MISSING, {}), /failed to load/);
    assert.equal(await run({ op: "echo", value: "still working" }), "still working");
  });

  test("a lease runs on one thread, in order, and buffers can be transferred back", async () => {
    const lease = pool.lease(1);
    try {
      const counts = await Promise.all(Array.from({ length: 20 }, () => lease.run<number>(JOB, { op: "count" } satisfies TestJobArgs)));
      for (let i = 1; i < counts.length; i++) assert.equal(counts[i], counts[i - 1]! + 1);
      const bytes = await lease.run<Uint8Array>(JOB, { op: "bytes", length: 1000 } satisfies TestJobArgs);
      assert.equal(bytes.length, 1000);
      assert.ok(bytes.every((b) => b === 7));
    } finally {
      lease.release();
    }
    await assert.rejects(lease.run(JOB, { op: "count" }), /released/);
  });

  test("a thread that dies fails its runs, and the pool starts another", async () => {
    await assert.rejects(run({ op: "exit" }), /exited with code 3/);
    assert.equal(await run({ op: "echo", value: 1 }), 1);
  });

  test("threads with nothing to do end after the idle time; the next run starts one", async () => {
    await Promise.all([run({ op: "later", value: 1 }), run({ op: "later", value: 2 })]);
    assert.ok(pool.threadCount >= 1);
    const deadline = Date.now() + 10_000;
    while (pool.threadCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(pool.threadCount, 0);
    assert.equal(await run({ op: "echo", value: "again" }), "again");
    assert.equal(pool.threadCount, 1);
  });
});
