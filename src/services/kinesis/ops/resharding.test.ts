import assert from "node:assert/strict";
import { test } from "node:test";
import { createTestKinesis, rejects, type TestKinesis } from "../test-kit.js";
import { describeStream } from "./describe-stream.js";
import { getRecords } from "./get-records.js";
import { getShardIterator } from "./get-shard-iterator.js";
import { listShards } from "./list-shards.js";
import { mergeShards } from "./merge-shards.js";
import { putRecords } from "./put-records.js";
import { splitShard } from "./split-shard.js";
import { updateShardCount } from "./update-shard-count.js";
import type { Shard } from "../shapes/types.js";

const HALF = (1n << 127n).toString();

async function putBatch(k: TestKinesis, stream: string, tag: string, keys: number): Promise<void> {
  await putRecords({ StreamName: stream, Records: Array.from({ length: keys }, (_, i) => ({ PartitionKey: `key-${i}`, Data: new Uint8Array(Buffer.from(`${tag}:${i}`)) })) }, k.ctx);
}

/** Reads every shard to its end, parents before children (as the KCL does), collecting data per partition key. */
async function readAllInLineageOrder(k: TestKinesis, stream: string): Promise<Map<string, string[]>> {
  const shards = (await listShards({ StreamName: stream }, k.ctx)).Shards!;
  const done = new Set<string>();
  const byKey = new Map<string, string[]>();
  const ready = (s: Shard): boolean => [s.ParentShardId, s.AdjacentParentShardId].every((p) => p === undefined || done.has(p) || !shards.some((x) => x.ShardId === p));
  while (done.size < shards.length) {
    const next = shards.find((s) => !done.has(s.ShardId) && ready(s));
    assert.ok(next, "lineage has a cycle");
    let it: string | undefined = (await getShardIterator({ StreamName: stream, ShardId: next.ShardId, ShardIteratorType: "TRIM_HORIZON" }, k.ctx)).ShardIterator;
    let rounds = 0;
    while (it !== undefined) {
      k.clock.advance(250); // stay under 5 reads per second per shard
      const out = await getRecords({ ShardIterator: it }, k.ctx);
      for (const r of out.Records) byKey.set(r.PartitionKey, [...(byKey.get(r.PartitionKey) ?? []), Buffer.from(r.Data).toString()]);
      it = out.NextShardIterator;
      if (next.SequenceNumberRange.EndingSequenceNumber === undefined && out.Records.length === 0) break; // open shard at its tip
      assert.ok(++rounds < 100);
    }
    done.add(next.ShardId);
  }
  return byKey;
}

test("SplitShard closes the parent and creates two children covering its range", async () => {
  const k = createTestKinesis();
  await k.activeStream("s");
  await putBatch(k, "s", "before", 20);
  await splitShard({ StreamName: "s", ShardToSplit: "shardId-000000000000", NewStartingHashKey: HALF }, k.ctx);
  assert.equal((await describeStream({ StreamName: "s" }, k.ctx)).StreamDescription.StreamStatus, "UPDATING");
  k.settle();
  const shards = (await describeStream({ StreamName: "s" }, k.ctx)).StreamDescription.Shards;
  assert.equal(shards.length, 3);
  assert.ok(shards[0]!.SequenceNumberRange.EndingSequenceNumber);
  assert.deepEqual(shards.slice(1).map((s) => [s.ShardId, s.ParentShardId, s.HashKeyRange.StartingHashKey]), [
    ["shardId-000000000001", "shardId-000000000000", "0"],
    ["shardId-000000000002", "shardId-000000000000", HALF],
  ]);
  // Children's numbers sort after every number of the parent.
  assert.ok(shards[1]!.SequenceNumberRange.StartingSequenceNumber > shards[0]!.SequenceNumberRange.EndingSequenceNumber!);
  await putBatch(k, "s", "after", 20);

  // The parent read to its end: no next iterator, the children instead.
  let it = (await getShardIterator({ StreamName: "s", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }, k.ctx)).ShardIterator!;
  const out = await getRecords({ ShardIterator: it }, k.ctx);
  assert.equal(out.Records.length, 20);
  assert.equal(out.NextShardIterator, undefined);
  assert.deepEqual(out.ChildShards?.map((c) => [c.ShardId, c.ParentShards]), [
    ["shardId-000000000001", ["shardId-000000000000"]],
    ["shardId-000000000002", ["shardId-000000000000"]],
  ]);
  it = (await getShardIterator({ StreamName: "s", ShardId: "shardId-000000000000", ShardIteratorType: "LATEST" }, k.ctx)).ShardIterator!;
  assert.equal((await getRecords({ ShardIterator: it }, k.ctx)).ChildShards?.length, 2);

  const byKey = await readAllInLineageOrder(k, "s");
  for (let i = 0; i < 20; i++) assert.deepEqual(byKey.get(`key-${i}`), [`before:${i}`, `after:${i}`]);
});

test("SplitShard refuses keys outside the shard and shards already split", async () => {
  const k = createTestKinesis();
  await k.activeStream("s");
  await rejects(splitShard({ StreamName: "s", ShardToSplit: "shardId-000000000000", NewStartingHashKey: "1" }, k.ctx), "InvalidArgumentException", /is not both greater than one plus the shard's StartingHashKey 0/);
  await splitShard({ StreamName: "s", ShardToSplit: "shardId-000000000000", NewStartingHashKey: HALF }, k.ctx);
  await rejects(splitShard({ StreamName: "s", ShardToSplit: "shardId-000000000001", NewStartingHashKey: "100" }, k.ctx), "ResourceInUseException", /instead in state UPDATING/);
  k.settle();
  await rejects(splitShard({ StreamName: "s", ShardToSplit: "shardId-000000000000", NewStartingHashKey: "100" }, k.ctx), "InvalidArgumentException", /already been merged or split/);
  await rejects(splitShard({ StreamName: "s", ShardToSplit: "shardId-000000000077", NewStartingHashKey: "100" }, k.ctx), "ResourceNotFoundException", /Could not find shard shardId-000000000077/);
});

test("MergeShards joins adjacent shards only, and order per key survives", async () => {
  const k = createTestKinesis();
  await k.activeStream("m", 3);
  await rejects(mergeShards({ StreamName: "m", ShardToMerge: "shardId-000000000000", AdjacentShardToMerge: "shardId-000000000002" }, k.ctx), "InvalidArgumentException", /not an adjacent pair/);
  await putBatch(k, "m", "before", 30);
  await mergeShards({ StreamName: "m", ShardToMerge: "shardId-000000000001", AdjacentShardToMerge: "shardId-000000000000" }, k.ctx);
  k.settle();
  await putBatch(k, "m", "after", 30);
  const shards = (await listShards({ StreamName: "m" }, k.ctx)).Shards!;
  const child = shards.find((s) => s.ShardId === "shardId-000000000003")!;
  assert.equal(child.ParentShardId, "shardId-000000000001");
  assert.equal(child.AdjacentParentShardId, "shardId-000000000000");
  assert.equal(child.HashKeyRange.StartingHashKey, "0");
  assert.equal(child.HashKeyRange.EndingHashKey, "226854911280625642308916404954512140969");
  const open = (await listShards({ StreamName: "m", ShardFilter: { Type: "AT_LATEST" } }, k.ctx)).Shards!.map((s) => s.ShardId);
  assert.deepEqual(open, ["shardId-000000000002", "shardId-000000000003"]);
  const byKey = await readAllInLineageOrder(k, "m");
  for (let i = 0; i < 30; i++) assert.deepEqual(byKey.get(`key-${i}`), [`before:${i}`, `after:${i}`]);
});

for (const [from, to] of [[3, 2], [2, 4], [4, 3], [3, 5]] as const) {
  test(`UpdateShardCount ${from} -> ${to}: even final ranges, at most two parents each, order per key kept`, async () => {
    const k = createTestKinesis();
    await k.activeStream("u", from);
    await putBatch(k, "u", "before", 40);
    const out = await updateShardCount({ StreamName: "u", TargetShardCount: to, ScalingType: "UNIFORM_SCALING" }, k.ctx);
    assert.deepEqual([out.CurrentShardCount, out.TargetShardCount], [from, to]);
    k.settle();
    await putBatch(k, "u", "after", 40);
    const all = (await listShards({ StreamName: "u" }, k.ctx)).Shards!;
    const open = all.filter((s) => s.SequenceNumberRange.EndingSequenceNumber === undefined);
    assert.equal(open.length, to);
    const width = (1n << 128n) / BigInt(to);
    open.sort((a, b) => (BigInt(a.HashKeyRange.StartingHashKey) < BigInt(b.HashKeyRange.StartingHashKey) ? -1 : 1));
    open.forEach((s, i) => assert.equal(BigInt(s.HashKeyRange.StartingHashKey), width * BigInt(i)));
    for (const s of all) {
      const parents = [s.ParentShardId, s.AdjacentParentShardId].filter((p) => p !== undefined);
      assert.ok(parents.length <= 2);
    }
    const byKey = await readAllInLineageOrder(k, "u");
    for (let i = 0; i < 40; i++) assert.deepEqual(byKey.get(`key-${i}`), [`before:${i}`, `after:${i}`], `key-${i}`);
  });
}

test("UpdateShardCount refuses more than double or less than half", async () => {
  const k = createTestKinesis();
  await k.activeStream("u", 4);
  await rejects(updateShardCount({ StreamName: "u", TargetShardCount: 9, ScalingType: "UNIFORM_SCALING" }, k.ctx), "LimitExceededException", /cannot scale up over double/);
  await rejects(updateShardCount({ StreamName: "u", TargetShardCount: 1, ScalingType: "UNIFORM_SCALING" }, k.ctx), "LimitExceededException", /cannot scale down below half/);
});
