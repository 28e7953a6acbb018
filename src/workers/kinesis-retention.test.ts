import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createStream } from "../services/kinesis/ops/create-stream.js";
import { deleteStream } from "../services/kinesis/ops/delete-stream.js";
import { putRecords } from "../services/kinesis/ops/put-records.js";
import { splitShard } from "../services/kinesis/ops/split-shard.js";
import { DEFAULT_KINESIS_OPTIONS, KinesisState } from "../services/kinesis/state.js";
import { createMemoryKinesisMetadataStore } from "../storage/kinesis-metadata/memory-kinesis-metadata.js";
import { createSegmentShardLogStore } from "../storage/shard-log/segment-shard-log.js";
import { ManualClock } from "../util/clock.js";
import { createLogger } from "../util/logger.js";
import { createKinesisRetentionWorker } from "./kinesis-retention.js";
import { createKinesisStatusWorker } from "./kinesis-status.js";

const HOUR = 3_600_000;

function duBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    total += entry.isDirectory() ? duBytes(p) : statSync(p).size;
  }
  return total;
}

function setup() {
  const dir = mkdtempSync(join(tmpdir(), "kinesis-retention-"));
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const state = new KinesisState(
    createMemoryKinesisMetadataStore(),
    createSegmentShardLogStore({ dir, segmentBytes: 64 * 1024, indexEveryBytes: 4096 }),
    clock,
    { ...DEFAULT_KINESIS_OPTIONS, region: "us-east-1", accountId: "123456789012", enforceLimits: false },
    createLogger("silent"),
  );
  const ctx = { state, signal: new AbortController().signal };
  return { dir, clock, state, ctx, cleanup: async () => {
    await state.close();
    rmSync(dir, { recursive: true, force: true });
  } };
}

test("the retention worker deletes expired segments from disk and forgets expired closed shards", async () => {
  const { dir, clock, state, ctx, cleanup } = setup();
  try {
    await createStream({ StreamName: "r", ShardCount: 1 }, ctx);
    clock.advance(1000);
    const record = new Uint8Array(4096).fill(7);
    for (let i = 0; i < 10; i++) await putRecords({ StreamName: "r", Records: Array.from({ length: 20 }, () => ({ PartitionKey: "k", Data: record })) }, ctx);
    const before = duBytes(dir);
    assert.ok(before > 600 * 1024, `${before} bytes written`);
    await splitShard({ StreamName: "r", ShardToSplit: "shardId-000000000000", NewStartingHashKey: (1n << 127n).toString() }, ctx);
    clock.advance(25 * HOUR);
    await putRecords({ StreamName: "r", Records: [{ PartitionKey: "k", Data: record }] }, ctx);
    const worker = createKinesisRetentionWorker(state);
    assert.equal(await worker.work(new AbortController().signal), "idle");
    const after = duBytes(dir);
    assert.ok(after < before / 4, `still ${after} of ${before} bytes on disk`);
    const shards = state.shards(state.requireStream("r")).map((s) => s.shardId);
    assert.deepEqual(shards, ["shardId-000000000001", "shardId-000000000002"], "the expired parent is forgotten");
    assert.match(worker.status(), /records trimmed/);
  } finally {
    await cleanup();
  }
});

test("the status worker completes deletions, removing the stream's shard logs", async () => {
  const { dir, clock, state, ctx, cleanup } = setup();
  try {
    await createStream({ StreamName: "d", ShardCount: 2 }, ctx);
    clock.advance(1000);
    await putRecords({ StreamName: "d", Records: [{ PartitionKey: "a", Data: new Uint8Array(10) }, { PartitionKey: "b", Data: new Uint8Array(10) }] }, ctx);
    assert.ok(duBytes(dir) > 0);
    await deleteStream({ StreamName: "d" }, ctx);
    clock.advance(1000);
    const worker = createKinesisStatusWorker(state);
    await worker.work(new AbortController().signal);
    assert.equal(state.meta.getStream("d"), undefined);
    assert.equal(duBytes(dir), 0);
  } finally {
    await cleanup();
  }
});
