import assert from "node:assert/strict";
import { test } from "node:test";
import type { SubscribeToShardEvent } from "../shapes/types.js";
import { createTestKinesis, rejects, type TestKinesis } from "../test-kit.js";
import { deleteStream } from "./delete-stream.js";
import { deregisterStreamConsumer } from "./deregister-stream-consumer.js";
import { describeStreamConsumer } from "./describe-stream-consumer.js";
import { listStreamConsumers } from "./list-stream-consumers.js";
import { putRecord } from "./put-record.js";
import { registerStreamConsumer } from "./register-stream-consumer.js";
import { splitShard } from "./split-shard.js";
import { subscribeToShard } from "./subscribe-to-shard.js";

const ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/s";

async function activeConsumer(k: TestKinesis, name: string): Promise<string> {
  const arn = (await registerStreamConsumer({ StreamARN: ARN, ConsumerName: name }, k.ctx)).Consumer.ConsumerARN;
  k.settle();
  return arn;
}

test("consumers: CREATING then ACTIVE, unique per stream, listed in order, DELETING then gone", async () => {
  const k = createTestKinesis();
  await k.activeStream("s");
  const reg = await registerStreamConsumer({ StreamARN: ARN, ConsumerName: "a" }, k.ctx);
  assert.equal(reg.Consumer.ConsumerStatus, "CREATING");
  assert.equal(reg.Consumer.ConsumerARN, `${ARN}/consumer/a:${Math.floor(k.clock.now() / 1000)}`);
  await rejects(registerStreamConsumer({ StreamARN: ARN, ConsumerName: "a" }, k.ctx), "ResourceInUseException");
  k.settle();
  await registerStreamConsumer({ StreamARN: ARN, ConsumerName: "b" }, k.ctx);
  assert.equal((await describeStreamConsumer({ ConsumerARN: reg.Consumer.ConsumerARN }, k.ctx)).ConsumerDescription.ConsumerStatus, "ACTIVE");
  const listed = await listStreamConsumers({ StreamARN: ARN, MaxResults: 1 }, k.ctx);
  assert.deepEqual(listed.Consumers?.map((c) => c.ConsumerName), ["a"]);
  const more = await listStreamConsumers({ StreamARN: ARN, NextToken: listed.NextToken! }, k.ctx);
  assert.deepEqual(more.Consumers?.map((c) => c.ConsumerName), ["b"]);
  await deregisterStreamConsumer({ StreamARN: ARN, ConsumerName: "a" }, k.ctx);
  assert.equal((await describeStreamConsumer({ StreamARN: ARN, ConsumerName: "a" }, k.ctx)).ConsumerDescription.ConsumerStatus, "DELETING");
  k.settle();
  await rejects(describeStreamConsumer({ ConsumerARN: reg.Consumer.ConsumerARN }, k.ctx), "ResourceNotFoundException");
});

test("a stream with consumers is deleted only with EnforceConsumerDeletion", async () => {
  const k = createTestKinesis();
  await k.activeStream("s");
  await activeConsumer(k, "c");
  await rejects(deleteStream({ StreamName: "s" }, k.ctx), "ResourceInUseException", /registered consumers/);
  await deleteStream({ StreamName: "s", EnforceConsumerDeletion: true }, k.ctx);
});

test("SubscribeToShard: an empty first event, records pushed on append, AFTER_SEQUENCE_NUMBER resumes", async () => {
  const k = createTestKinesis();
  await k.activeStream("s");
  const arn = await activeConsumer(k, "c");
  const first = (await putRecord({ StreamName: "s", PartitionKey: "p", Data: new Uint8Array([1]) }, k.ctx)).SequenceNumber;
  const abort = new AbortController();
  const { events } = await subscribeToShard({ ConsumerARN: arn, ShardId: "shardId-000000000000", StartingPosition: { Type: "LATEST" } }, { state: k.state, signal: abort.signal });
  const it = events[Symbol.asyncIterator]();
  const e0 = (await it.next()).value as SubscribeToShardEvent;
  assert.deepEqual(e0.Records, []);
  assert.equal(e0.ContinuationSequenceNumber, first, "resuming after this number starts at the next record");
  const pending = it.next();
  const second = (await putRecord({ StreamName: "s", PartitionKey: "p", Data: new Uint8Array([2]) }, k.ctx)).SequenceNumber;
  const e1 = (await pending).value as SubscribeToShardEvent;
  assert.deepEqual(e1.Records.map((r) => [...r.Data]), [[2]]);
  assert.equal(e1.ContinuationSequenceNumber, second);
  assert.equal(e1.MillisBehindLatest, 0);
  abort.abort();
  assert.equal((await it.next()).done, true);

  k.clock.advance(5000);
  const resumed = await subscribeToShard(
    { ConsumerARN: arn, ShardId: "shardId-000000000000", StartingPosition: { Type: "AFTER_SEQUENCE_NUMBER", SequenceNumber: first } },
    { state: k.state, signal: new AbortController().signal },
  );
  const resumedIt = resumed.events[Symbol.asyncIterator]();
  const r0 = (await resumedIt.next()).value as SubscribeToShardEvent;
  assert.deepEqual(r0.Records.map((r) => [...r.Data]), [[2]]);
  await resumedIt.return?.(undefined);
});

test("SubscribeToShard refuses a second subscription within 5 seconds and consumers that are not ACTIVE", async () => {
  const k = createTestKinesis();
  await k.activeStream("s");
  const arn = await activeConsumer(k, "c");
  const ctx = { state: k.state, signal: new AbortController().signal };
  const input = { ConsumerARN: arn, ShardId: "shardId-000000000000", StartingPosition: { Type: "TRIM_HORIZON" as const } };
  await subscribeToShard(input, ctx);
  k.clock.advance(4999);
  await rejects(subscribeToShard(input, ctx), "ResourceInUseException");
  k.clock.advance(1);
  await subscribeToShard(input, ctx);
  const creating = (await registerStreamConsumer({ StreamARN: ARN, ConsumerName: "new" }, k.ctx)).Consumer.ConsumerARN;
  await rejects(subscribeToShard({ ...input, ConsumerARN: creating }, ctx), "ResourceInUseException", /not ACTIVE/);
});

test("a subscription to a closed shard ends with an event naming its children", async () => {
  const k = createTestKinesis();
  await k.activeStream("s");
  const arn = await activeConsumer(k, "c");
  await putRecord({ StreamName: "s", PartitionKey: "p", Data: new Uint8Array([9]) }, k.ctx);
  await splitShard({ StreamName: "s", ShardToSplit: "shardId-000000000000", NewStartingHashKey: (1n << 127n).toString() }, k.ctx);
  k.settle();
  const { events } = await subscribeToShard(
    { ConsumerARN: arn, ShardId: "shardId-000000000000", StartingPosition: { Type: "TRIM_HORIZON" } },
    { state: k.state, signal: new AbortController().signal },
  );
  const all: SubscribeToShardEvent[] = [];
  for await (const e of events) all.push(e);
  assert.equal(all.length, 1);
  assert.deepEqual(all[0]!.Records.map((r) => [...r.Data]), [[9]]);
  assert.deepEqual(all[0]!.ChildShards?.map((c) => c.ShardId), ["shardId-000000000001", "shardId-000000000002"]);
});
