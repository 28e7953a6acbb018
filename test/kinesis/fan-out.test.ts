// Enhanced fan-out through @aws-sdk/client-kinesis: consumer registration and SubscribeToShard
// over HTTP/2 with the event-stream framing, records pushed as they arrive.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type {
  KinesisClient} from "@aws-sdk/client-kinesis";
import {
  CreateStreamCommand,
  DeregisterStreamConsumerCommand,
  DescribeStreamConsumerCommand,
  ListStreamConsumersCommand,
  PutRecordCommand,
  RegisterStreamConsumerCommand,
  SplitShardCommand,
  SubscribeToShardCommand,
  type SubscribeToShardEventStream,
} from "@aws-sdk/client-kinesis";
import { startServer, type RunningServer } from "../helpers/server.js";
import { eventually, kinesisClient, waitActive } from "./support.js";

let server: RunningServer;
let client: KinesisClient;
const STREAM_ARN = "arn:aws:kinesis:us-east-1:000000000000:stream/fan";
let consumerArn = "";

before(async () => {
  server = await startServer();
  client = kinesisClient(server, { maxAttempts: 1 });
  await client.send(new CreateStreamCommand({ StreamName: "fan", ShardCount: 1 }));
  await waitActive(client, "fan");
  const reg = await client.send(new RegisterStreamConsumerCommand({ StreamARN: STREAM_ARN, ConsumerName: "app" }));
  consumerArn = reg.Consumer!.ConsumerARN!;
  assert.equal(reg.Consumer?.ConsumerStatus, "CREATING");
  await eventually(async () => {
    const d = await client.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumerArn }));
    return d.ConsumerDescription?.ConsumerStatus === "ACTIVE" ? true : undefined;
  }, 10_000, "consumer ACTIVE");
});
after(async () => {
  client?.destroy();
  await server?.dispose();
});

test("consumers are listed, described by name, and refused twice", async () => {
  assert.match(consumerArn, /^arn:aws:kinesis:us-east-1:000000000000:stream\/fan\/consumer\/app:\d+$/);
  const listed = await client.send(new ListStreamConsumersCommand({ StreamARN: STREAM_ARN }));
  assert.deepEqual(listed.Consumers?.map((c) => [c.ConsumerName, c.ConsumerStatus]), [["app", "ACTIVE"]]);
  const byName = await client.send(new DescribeStreamConsumerCommand({ StreamARN: STREAM_ARN, ConsumerName: "app" }));
  assert.equal(byName.ConsumerDescription?.StreamARN, STREAM_ARN);
  await assert.rejects(client.send(new RegisterStreamConsumerCommand({ StreamARN: STREAM_ARN, ConsumerName: "app" })), { name: "ResourceInUseException" });
  const other = await client.send(new RegisterStreamConsumerCommand({ StreamARN: STREAM_ARN, ConsumerName: "other" }));
  await client.send(new DeregisterStreamConsumerCommand({ ConsumerARN: other.Consumer!.ConsumerARN! }));
  await eventually(async () => {
    const l = await client.send(new ListStreamConsumersCommand({ StreamARN: STREAM_ARN }));
    return l.Consumers?.length === 1 ? true : undefined;
  }, 10_000, "deregistration");
});

test("SubscribeToShard pushes records as they are put, far faster than polling", async () => {
  const abort = new AbortController();
  const out = await client.send(
    new SubscribeToShardCommand({ ConsumerARN: consumerArn, ShardId: "shardId-000000000000", StartingPosition: { Type: "LATEST" } }),
    { abortSignal: abort.signal },
  );
  const stream = out.EventStream as AsyncIterable<SubscribeToShardEventStream>;
  const iterator = stream[Symbol.asyncIterator]();
  // The first event arrives at once, empty, with the position to continue from.
  const first = await iterator.next();
  assert.equal(first.done, false);
  const firstEvent = first.value.SubscribeToShardEvent;
  assert.deepEqual(firstEvent?.Records, []);
  assert.match(firstEvent?.ContinuationSequenceNumber ?? "", /^\d{56}$/);

  const latencies: number[] = [];
  const seen: string[] = [];
  for (let i = 0; i < 15; i++) {
    const started = performance.now();
    const put = await client.send(new PutRecordCommand({ StreamName: "fan", PartitionKey: "k", Data: Buffer.from(`push-${i}`) }));
    let arrived = false;
    while (!arrived) {
      const next = await iterator.next();
      assert.equal(next.done, false);
      const event = next.value.SubscribeToShardEvent;
      for (const r of event?.Records ?? []) {
        seen.push(Buffer.from(r.Data!).toString());
        if (r.SequenceNumber === put.SequenceNumber) {
          latencies.push(performance.now() - started);
          assert.equal(event?.ContinuationSequenceNumber, put.SequenceNumber);
          assert.ok(r.ApproximateArrivalTimestamp instanceof Date);
          arrived = true;
        }
      }
    }
  }
  abort.abort();
  assert.deepEqual(seen, Array.from({ length: 15 }, (_, i) => `push-${i}`));
  latencies.sort((a, b) => a - b);
  const median = latencies[Math.floor(latencies.length / 2)]!;
  // Put-to-push includes the PutRecord round trip; the service quotes ~70 ms for push alone.
  console.log(`SubscribeToShard put-to-push latency: median ${median.toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms`);
  assert.ok(median < 500, `median put-to-push latency ${median} ms`);
});

test("the same consumer cannot resubscribe to a shard within 5 seconds", async () => {
  const reg = await client.send(new RegisterStreamConsumerCommand({ StreamARN: STREAM_ARN, ConsumerName: "guard" }));
  const arn = reg.Consumer!.ConsumerARN!;
  await eventually(async () => ((await client.send(new DescribeStreamConsumerCommand({ ConsumerARN: arn }))).ConsumerDescription?.ConsumerStatus === "ACTIVE" ? true : undefined));
  const abort = new AbortController();
  const out = await client.send(
    new SubscribeToShardCommand({ ConsumerARN: arn, ShardId: "shardId-000000000000", StartingPosition: { Type: "TRIM_HORIZON" } }),
    { abortSignal: abort.signal },
  );
  await (out.EventStream as AsyncIterable<SubscribeToShardEventStream>)[Symbol.asyncIterator]().next();
  await assert.rejects(
    client.send(new SubscribeToShardCommand({ ConsumerARN: arn, ShardId: "shardId-000000000000", StartingPosition: { Type: "LATEST" } })),
    { name: "ResourceInUseException" },
  );
  abort.abort();
});

test("a subscription to a closed shard delivers its records, then its children, then ends", async () => {
  await client.send(new PutRecordCommand({ StreamName: "fan", PartitionKey: "k", Data: Buffer.from("last-in-parent") }));
  await client.send(new SplitShardCommand({ StreamName: "fan", ShardToSplit: "shardId-000000000000", NewStartingHashKey: (1n << 127n).toString() }));
  await waitActive(client, "fan");
  const reg = await client.send(new RegisterStreamConsumerCommand({ StreamARN: STREAM_ARN, ConsumerName: "reader" }));
  const arn = reg.Consumer!.ConsumerARN!;
  await eventually(async () => ((await client.send(new DescribeStreamConsumerCommand({ ConsumerARN: arn }))).ConsumerDescription?.ConsumerStatus === "ACTIVE" ? true : undefined));
  const out = await client.send(new SubscribeToShardCommand({ ConsumerARN: arn, ShardId: "shardId-000000000000", StartingPosition: { Type: "TRIM_HORIZON" } }));
  const data: string[] = [];
  let children: string[] = [];
  for await (const e of out.EventStream as AsyncIterable<SubscribeToShardEventStream>) {
    for (const r of e.SubscribeToShardEvent?.Records ?? []) data.push(Buffer.from(r.Data!).toString());
    if (e.SubscribeToShardEvent?.ChildShards !== undefined) children = e.SubscribeToShardEvent.ChildShards.map((c) => c.ShardId!);
  }
  assert.equal(data.at(-1), "last-in-parent");
  assert.ok(data.length >= 16);
  assert.deepEqual(children, ["shardId-000000000001", "shardId-000000000002"]);
});
