// The data plane through @aws-sdk/client-kinesis: ordering per shard, throttling answers,
// iterator expiry and retention (moving the server's clock), split/merge ordering.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type {
  KinesisClient} from "@aws-sdk/client-kinesis";
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  MergeShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  SplitShardCommand,
  UpdateShardCountCommand,
} from "@aws-sdk/client-kinesis";
import { startServer, type RunningServer } from "../helpers/server.js";
import { advanceClock, kinesisClient, readLineage, readShard, waitActive } from "./support.js";

let server: RunningServer;
let client: KinesisClient;
let noRetry: KinesisClient;

before(async () => {
  server = await startServer({ env: { STREAMLAKE_CLOCK_CONTROL: "1" } });
  client = kinesisClient(server);
  noRetry = kinesisClient(server, { maxAttempts: 1 });
});
after(async () => {
  client?.destroy();
  noRetry?.destroy();
  await server?.dispose();
});

async function create(name: string, shards: number): Promise<void> {
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  await waitActive(client, name);
}

test("PutRecords spreads keys over shards; each shard returns its records in put order", async () => {
  await create("order", 4);
  const puts = await client.send(
    new PutRecordsCommand({
      StreamName: "order",
      Records: Array.from({ length: 400 }, (_, i) => ({ PartitionKey: `key-${i % 40}`, Data: Buffer.from(`v${i}`) })),
    }),
  );
  assert.equal(puts.FailedRecordCount, 0);
  const byShard = new Map<string, string[]>();
  puts.Records!.forEach((r, i) => byShard.set(r.ShardId!, [...(byShard.get(r.ShardId!) ?? []), `v${i}`]));
  assert.equal(byShard.size, 4);
  for (const [shardId, expected] of byShard) {
    const { records } = await readShard(client, "order", shardId);
    assert.deepEqual(records.map((r) => r.data), expected);
    const seqs = records.map((r) => BigInt(r.sequenceNumber));
    for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i]! > seqs[i - 1]!);
  }
});

test("over 1,000 records/s on one shard: per-record ProvisionedThroughputExceededException", async () => {
  await create("hot", 1);
  const batch = () =>
    noRetry.send(new PutRecordsCommand({ StreamName: "hot", Records: Array.from({ length: 500 }, (_, i) => ({ PartitionKey: `k${i}`, Data: Buffer.from("x") })) }));
  const results = await Promise.all([batch(), batch(), batch(), batch()]);
  const failed = results.reduce((n, r) => n + (r.FailedRecordCount ?? 0), 0);
  assert.ok(failed > 0 && failed <= 1000, `${failed} of 2000 records were throttled`);
  const failure = results.flatMap((r) => r.Records ?? []).find((r) => r.ErrorCode !== undefined);
  assert.equal(failure?.ErrorCode, "ProvisionedThroughputExceededException");
  assert.equal(failure?.ErrorMessage, "Rate exceeded for shard shardId-000000000000 in stream hot under account 000000000000.");
  // A PutRecord of 1 MiB needs a full second of the shard's byte budget; right after a 4 MiB batch it is refused.
  const big = Buffer.alloc(1024 * 1024 - 10, 1);
  let refused: Error | undefined;
  for (let attempt = 0; attempt < 5 && refused === undefined; attempt++) {
    await noRetry.send(new PutRecordsCommand({ StreamName: "hot", Records: Array.from({ length: 4 }, () => ({ PartitionKey: "k", Data: big })) }));
    refused = await noRetry.send(new PutRecordCommand({ StreamName: "hot", PartitionKey: "k", Data: big })).then(
      () => undefined,
      (err: Error) => err,
    );
  }
  assert.equal(refused?.name, "ProvisionedThroughputExceededException");
});

test("shard iterators expire after 5 minutes", async () => {
  await create("expiry", 1);
  const it = (await client.send(new GetShardIteratorCommand({ StreamName: "expiry", ShardId: "shardId-000000000000", ShardIteratorType: "LATEST" }))).ShardIterator;
  await advanceClock(server, 300_001);
  await assert.rejects(noRetry.send(new GetRecordsCommand({ ShardIterator: it })), (err: Error) => {
    assert.equal(err.name, "ExpiredIteratorException");
    assert.match(err.message, /^Iterator expired\. The iterator was created at time .* which is further in the future than the tolerated delay of 300000 milliseconds\.$/);
    return true;
  });
});

test("records older than the retention period are gone and TRIM_HORIZON moves with them", async () => {
  await create("retain", 1);
  await client.send(new PutRecordCommand({ StreamName: "retain", PartitionKey: "k", Data: Buffer.from("old") }));
  await advanceClock(server, 23 * 3_600_000);
  await client.send(new PutRecordCommand({ StreamName: "retain", PartitionKey: "k", Data: Buffer.from("new") }));
  await advanceClock(server, 2 * 3_600_000);
  const { records } = await readShard(client, "retain", "shardId-000000000000");
  assert.deepEqual(records.map((r) => r.data), ["new"]);
});

test("split, merge and UpdateShardCount keep every record once, in order per partition key", async () => {
  await create("reshard", 1);
  const keys = 12;
  const put = async (round: number): Promise<void> => {
    const out = await client.send(new PutRecordsCommand({ StreamName: "reshard", Records: Array.from({ length: keys }, (_, i) => ({ PartitionKey: `pk-${i}`, Data: Buffer.from(`${round}:${i}`) })) }));
    assert.equal(out.FailedRecordCount, 0);
  };
  await put(0);
  await client.send(new SplitShardCommand({ StreamName: "reshard", ShardToSplit: "shardId-000000000000", NewStartingHashKey: (1n << 127n).toString() }));
  await waitActive(client, "reshard");
  await put(1);
  const parent = await readShard(client, "reshard", "shardId-000000000000");
  assert.deepEqual(parent.childShards, ["shardId-000000000001", "shardId-000000000002"]);
  await client.send(new MergeShardsCommand({ StreamName: "reshard", ShardToMerge: "shardId-000000000001", AdjacentShardToMerge: "shardId-000000000002" }));
  await waitActive(client, "reshard");
  await put(2);
  await client.send(new UpdateShardCountCommand({ StreamName: "reshard", TargetShardCount: 2, ScalingType: "UNIFORM_SCALING" }));
  await waitActive(client, "reshard");
  await put(3);
  const open = (await client.send(new ListShardsCommand({ StreamName: "reshard", ShardFilter: { Type: "AT_LATEST" } }))).Shards ?? [];
  assert.equal(open.length, 2);
  const records = await readLineage(client, "reshard");
  for (let i = 0; i < keys; i++) {
    assert.deepEqual(
      records.filter((r) => r.partitionKey === `pk-${i}`).map((r) => r.data),
      [0, 1, 2, 3].map((round) => `${round}:${i}`),
    );
  }
});
