import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { constants } from "node:fs";
import { mkdtemp, open, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { THREAD_SLOTS, THREAD_WRITE_MAX_BYTES, collectThreadWrites, writeOnThread } from "./write-threads.js";

const temps: string[] = [];
after(async () => {
  for (const d of temps) await rm(d, { recursive: true, force: true });
});

describe("shard log write threads", () => {
  it("writes the buffers at the position, durable when the promise resolves", async () => {
    const dir = await mkdtemp(join(tmpdir(), "write-threads-"));
    temps.push(dir);
    const path = join(dir, "f");
    const fh = await open(path, constants.O_RDWR | constants.O_CREAT | (constants.O_DSYNC ?? 0));
    try {
      const parts = [Buffer.from("hello "), Buffer.from("write "), Buffer.from("thread")];
      collectThreadWrites(); // a reader checks for finished writes: writes may take a thread now
      const first = writeOnThread(fh.fd, parts, 0, 18);
      assert.ok(first !== undefined);
      await first;
      // As many at once as there are threads; the next one is refused rather than queued.
      collectThreadWrites(); // recently, whatever the disk took for the first write
      const more = Array.from({ length: THREAD_SLOTS }, (_, i) => writeOnThread(fh.fd, [Buffer.from(`${i}`.padStart(2, "-"))], 18 + 2 * i, 2));
      assert.ok(more.every((p) => p !== undefined));
      assert.equal(writeOnThread(fh.fd, [Buffer.from("CC")], 18 + 2 * THREAD_SLOTS, 2), undefined);
      collectThreadWrites(); // may settle them early; never twice
      await Promise.all(more);
      const expected = "hello write thread" + Array.from({ length: THREAD_SLOTS }, (_, i) => `${i}`.padStart(2, "-")).join("");
      assert.equal(await readFile(path, "utf8"), expected);
      assert.equal(writeOnThread(fh.fd, [Buffer.alloc(THREAD_WRITE_MAX_BYTES + 1)], 0, THREAD_WRITE_MAX_BYTES + 1), undefined);
    } finally {
      await fh.close();
    }
  });

  it("leaves writes to libuv's pool while nothing collects finished ones", (t) => {
    collectThreadWrites();
    const realNow = performance.now.bind(performance);
    t.mock.method(performance, "now", () => realNow() + 1000);
    assert.equal(writeOnThread(2 ** 30, [Buffer.from("x")], 0, 1), undefined);
  });

  it("rejects with the errno of a failed write", async () => {
    collectThreadWrites();
    const bad = writeOnThread(2 ** 30, [Buffer.from("x")], 0, 1);
    assert.ok(bad !== undefined);
    await assert.rejects(bad, (err: NodeJS.ErrnoException) => err.code === "EBADF");
  });
});
