import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { constants, readFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { DIRECT_WRITE_MAX_BYTES, directWriteHelps, inFlightWrite, mayWriteDirectly, writeDirectly } from "./direct-write.js";
import { createSegmentShardLogStore } from "./segment-shard-log.js";
import { logDirFor } from "./log-paths.js";
import { WRITES_ARE_DURABLE } from "./segment.js";
import { tempRoots } from "./temp-roots.js";

const tempRoot = tempRoots("direct-write-");

/** Waits (bounded) until direct writes are on: a slow write (a busy disk) turns them off for a while. */
async function directWritesOn(): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!mayWriteDirectly(1024) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

const record = (i: number): { timestamp: number; partitionKey: string; data: Buffer } => ({ timestamp: 1000 + i, partitionKey: `pk${i}`, data: Buffer.alloc(100, `#${i}#`) });
const ALL = { maxRecords: 1000, maxBytes: Number.MAX_SAFE_INTEGER };

describe("shard log direct writes", () => {
  it("writes the buffers at the position before returning", async () => {
    const path = join(await tempRoot(), "f");
    const fh = await open(path, constants.O_RDWR | constants.O_CREAT | (constants.O_DSYNC ?? 0));
    try {
      writeDirectly(fh.fd, [Buffer.from("hello "), Buffer.from("direct")], 0, 12, WRITES_ARE_DURABLE);
      writeDirectly(fh.fd, [Buffer.from("D")], 6, 1, WRITES_ARE_DURABLE);
      assert.equal(readFileSync(path, "utf8"), "hello Direct");
      assert.throws(() => writeDirectly(2 ** 30, [Buffer.from("x")], 0, 1, WRITES_ARE_DURABLE), (err: NodeJS.ErrnoException) => err.code === "EBADF");
    } finally {
      await fh.close();
    }
  });

  it("takes only small commits, and none while another shard log write is in flight", async () => {
    assert.equal(mayWriteDirectly(DIRECT_WRITE_MAX_BYTES + 1), false);
    await directWritesOn();
    let release!: () => void;
    const held = inFlightWrite(new Promise<void>((r) => (release = r)));
    assert.equal(mayWriteDirectly(1024), false);
    release();
    await held;
    assert.equal(mayWriteDirectly(1024), true);
  });

  it("is chosen when a reader or push consumer waits now, or nobody polls; not while readers poll and none waits", () => {
    const now = performance.now();
    assert.equal(directWriteHelps(0, Number.NEGATIVE_INFINITY, 0), true, "nobody reads the log");
    assert.equal(directWriteHelps(0, now - 1_000, 0), true, "nobody polled lately");
    assert.equal(directWriteHelps(1, now, 0), true, "a reader waits at the tip");
    assert.equal(directWriteHelps(0, now, 1), true, "a push consumer listens");
    assert.equal(directWriteHelps(0, now, 0), false, "readers poll, none waits now");
  });

  it("leaves a lone small append to the write thread while readers poll the log but none waits", async () => {
    const root = await tempRoot();
    const store = createSegmentShardLogStore({ dir: root });
    try {
      const log = await store.open("s/polled");
      await log.append([record(0)]);
      await new Promise((r) => setTimeout(r, 5));
      await directWritesOn();
      // A poll at the tip that found nothing: it waited for the end of its turn, and is gone.
      await log.afterThisTurn?.(1n);
      const appended = log.append([record(1)]);
      const inFlight = log.whenInFlightDurable?.(1n, 5_000);
      assert.ok(inFlight !== undefined, "still in flight when append returned: not written directly");
      await inFlight;
      await appended;
      assert.deepEqual(
        (await log.read(1n, ALL)).map((r) => r.partitionKey),
        ["pk1"],
      );
    } finally {
      await store.close();
    }
  });

  it("writes a lone small append before append returns, and answers readers waiting at the tip before the appender", async () => {
    const root = await tempRoot();
    const store = createSegmentShardLogStore({ dir: root });
    try {
      const log = await store.open("s/direct");
      await log.append([record(0)]);
      await new Promise((r) => setTimeout(r, 5)); // the log idle again: its last write ended > 2 ms ago
      await directWritesOn();
      const afterThisTurn = log.afterThisTurn?.bind(log);
      assert.ok(afterThisTurn !== undefined);
      assert.equal(afterThisTurn(0n), undefined, "a read with a durable record does not wait");
      const wait = (seq: bigint): Promise<void> => afterThisTurn(seq) ?? assert.fail(`a read from ${seq} at the tip waits`);
      const order: string[] = [];
      const reader = wait(1n).then(() => order.push("reader"));
      const other = wait(2n).then(() => order.push("other reader"));
      const seg = join(logDirFor(root, "s/direct"), "00000000000000000000.seg");
      const before = readFileSync(seg);
      const appended = log.append([record(1)]).then(() => order.push("appender"));
      const after = readFileSync(seg);
      const frame = 26 + "pk0".length + 100;
      assert.ok(before.subarray(frame, 2 * frame).every((b) => b === 0));
      assert.ok(after.subarray(frame, 2 * frame).some((b) => b !== 0), "written before append returned");
      assert.deepEqual(
        (await log.read(1n, ALL)).map((r) => r.partitionKey),
        ["pk1"],
      );
      await Promise.all([reader, appended, other]);
      assert.deepEqual(order, ["reader", "appender", "other reader"], "the reader of seq 1 first; the reader of seq 2 at the turn's end");
    } finally {
      await store.close();
    }
  });
});
