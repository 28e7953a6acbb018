// The stream control plane through @aws-sdk/client-kinesis: lifecycle and waiters, listing,
// tags, retention, ARN addressing, and the errors the SDK surfaces.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DecreaseStreamRetentionPeriodCommand,
  DeleteStreamCommand,
  DescribeLimitsCommand,
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  IncreaseStreamRetentionPeriodCommand,
  KinesisClient,
  ListShardsCommand,
  ListStreamsCommand,
  ListTagsForStreamCommand,
  PutRecordCommand,
  RemoveTagsFromStreamCommand,
  waitUntilStreamExists,
} from "@aws-sdk/client-kinesis";
import { clientConfig, startServer, type RunningServer } from "../helpers/server.js";
import { eventually, kinesisClient, waitActive } from "./support.js";

let server: RunningServer;
let client: KinesisClient;

before(async () => {
  server = await startServer();
  client = kinesisClient(server);
});
after(async () => {
  client?.destroy();
  await server?.dispose();
});

test("CreateStream -> CREATING -> ACTIVE (the SDK waiter sees it), with the documented shard layout", async () => {
  await client.send(new CreateStreamCommand({ StreamName: "life", ShardCount: 3 }));
  const first = await client.send(new DescribeStreamSummaryCommand({ StreamName: "life" }));
  assert.equal(first.StreamDescriptionSummary?.StreamStatus, "CREATING");
  const waited = await waitUntilStreamExists({ client, maxWaitTime: 20, minDelay: 1, maxDelay: 1 }, { StreamName: "life" });
  assert.equal(waited.state, "SUCCESS");
  const d = (await client.send(new DescribeStreamCommand({ StreamName: "life" }))).StreamDescription!;
  assert.equal(d.StreamStatus, "ACTIVE");
  assert.equal(d.StreamARN, "arn:aws:kinesis:us-east-1:000000000000:stream/life");
  assert.deepEqual(
    d.Shards?.map((s) => s.HashKeyRange?.EndingHashKey),
    ["113427455640312821154458202477256070484", "226854911280625642308916404954512140969", "340282366920938463463374607431768211455"],
  );
  assert.ok(d.StreamCreationTimestamp instanceof Date);
  for (const s of d.Shards ?? []) assert.match(s.SequenceNumberRange!.StartingSequenceNumber!, /^\d{56}$/);
});

test("errors come back typed with the service's messages", async () => {
  await assert.rejects(client.send(new DescribeStreamCommand({ StreamName: "missing" })), (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(err.name, "ResourceNotFoundException");
    assert.equal(err.message, "Stream missing under account 000000000000 not found.");
    assert.equal(err.$metadata?.httpStatusCode, 400);
    return true;
  });
  await assert.rejects(client.send(new CreateStreamCommand({ StreamName: "bad/name", ShardCount: 1 })), (err: Error) => {
    assert.equal(err.name, "ValidationException");
    assert.equal(
      err.message,
      "1 validation error detected: Value 'bad/name' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
    );
    return true;
  });
});

test("a wrong secret or an unknown key is refused as Kinesis refuses it", async () => {
  const wrongSecret = new KinesisClient({ ...clientConfig(server), credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "nope" }, maxAttempts: 1 });
  const unknownKey = new KinesisClient({ ...clientConfig(server), credentials: { accessKeyId: "AKIAUNKNOWNKEY000000", secretAccessKey: "nope" }, maxAttempts: 1 });
  try {
    await assert.rejects(wrongSecret.send(new ListStreamsCommand({})), { name: "InvalidSignatureException" });
    await assert.rejects(unknownKey.send(new ListStreamsCommand({})), { name: "UnrecognizedClientException" });
  } finally {
    wrongSecret.destroy();
    unknownKey.destroy();
  }
});

test("ListStreams pages, tags round-trip, retention moves, ARN addressing works", async () => {
  for (const n of ["list-a", "list-b"]) await client.send(new CreateStreamCommand({ StreamName: n, ShardCount: 1 }));
  await waitActive(client, "list-a");
  await waitActive(client, "list-b");
  const page = await client.send(new ListStreamsCommand({ Limit: 1, ExclusiveStartStreamName: "list-" }));
  assert.deepEqual(page.StreamNames, ["list-a"]);
  assert.equal(page.HasMoreStreams, true);
  const rest = await client.send(new ListStreamsCommand({ NextToken: page.NextToken }));
  assert.ok(rest.StreamNames?.includes("list-b"));

  await client.send(new AddTagsToStreamCommand({ StreamName: "list-a", Tags: { team: "data", env: "dev" } }));
  await client.send(new RemoveTagsFromStreamCommand({ StreamName: "list-a", TagKeys: ["env"] }));
  assert.deepEqual((await client.send(new ListTagsForStreamCommand({ StreamName: "list-a" }))).Tags, [{ Key: "team", Value: "data" }]);

  await client.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: "list-a", RetentionPeriodHours: 72 }));
  await client.send(new DecreaseStreamRetentionPeriodCommand({ StreamName: "list-a", RetentionPeriodHours: 48 }));
  const arn = "arn:aws:kinesis:us-east-1:000000000000:stream/list-a";
  assert.equal((await client.send(new DescribeStreamSummaryCommand({ StreamARN: arn }))).StreamDescriptionSummary?.RetentionPeriodHours, 48);
  const put = await client.send(new PutRecordCommand({ StreamARN: arn, PartitionKey: "k", Data: Buffer.from("by arn") }));
  assert.equal(put.ShardId, "shardId-000000000000");
  assert.equal((await client.send(new ListShardsCommand({ StreamARN: arn }))).Shards?.length, 1);
  const limits = await client.send(new DescribeLimitsCommand({}));
  assert.ok((limits.OpenShardCount ?? 0) >= 2);
});

test("DeleteStream: DELETING, then gone; the name can be reused", async () => {
  await client.send(new CreateStreamCommand({ StreamName: "doomed", ShardCount: 1 }));
  await waitActive(client, "doomed");
  await client.send(new PutRecordCommand({ StreamName: "doomed", PartitionKey: "k", Data: Buffer.from("x") }));
  await client.send(new DeleteStreamCommand({ StreamName: "doomed" }));
  assert.equal((await client.send(new DescribeStreamSummaryCommand({ StreamName: "doomed" }))).StreamDescriptionSummary?.StreamStatus, "DELETING");
  await eventually(async () => {
    try {
      await client.send(new DescribeStreamSummaryCommand({ StreamName: "doomed" }));
      return undefined;
    } catch (err) {
      return (err as Error).name === "ResourceNotFoundException" ? true : undefined;
    }
  }, 10_000, "doomed to disappear");
  await client.send(new CreateStreamCommand({ StreamName: "doomed", ShardCount: 1 }));
  await waitActive(client, "doomed");
  const again = await client.send(new DescribeStreamCommand({ StreamName: "doomed" }));
  assert.equal(again.StreamDescription?.Shards?.length, 1);
});
