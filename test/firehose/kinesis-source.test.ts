// Kinesis stream -> delivery stream -> S3 with GZIP, across a shard split: every record read back
// with zlib and compared record by record, each partition key's records in order, none twice.
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { after, before, test } from "node:test";
import { CreateDeliveryStreamCommand, type FirehoseClient } from "@aws-sdk/client-firehose";
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient, ListShardsCommand, PutRecordsCommand, SplitShardCommand } from "@aws-sdk/client-kinesis";
import { CreateBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import { clientConfig, type RunningServer } from "../helpers/server.js";
import { clients, eventually, getBytes, listKeys, ROLE, s3Destination, startFirehoseServer, waitActive } from "./support.js";

let server: RunningServer;
let firehose: FirehoseClient;
let s3: S3Client;
let kinesis: KinesisClient;

before(async () => {
  server = await startFirehoseServer();
  ({ firehose, s3 } = clients(server));
  kinesis = new KinesisClient(clientConfig(server));
});
after(async () => {
  firehose?.destroy();
  s3?.destroy();
  kinesis?.destroy();
  await server?.dispose();
});

async function streamActive(name: string): Promise<void> {
  await eventually(`${name} ACTIVE`, async () => ((await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary?.StreamStatus === "ACTIVE" ? true : undefined));
}

async function put(stream: string, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i += 100) {
    const records = [];
    for (let j = i; j < Math.min(to, i + 100); j++) records.push({ PartitionKey: `pk-${j % 7}`, Data: Buffer.from(JSON.stringify({ n: j, pk: `pk-${j % 7}` }) + "\n") });
    const out = await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: records }));
    assert.equal(out.FailedRecordCount, 0);
  }
}

test("reads the source from TRIM_HORIZON, parents before children, and delivers every record once, gzipped", async () => {
  await s3.send(new CreateBucketCommand({ Bucket: "from-kinesis" }));
  await kinesis.send(new CreateStreamCommand({ StreamName: "src", ShardCount: 2 }));
  await streamActive("src");
  await put("src", 0, 300);
  // Split a shard before Firehose starts: its records then live in a parent and two children.
  const shards = (await kinesis.send(new ListShardsCommand({ StreamName: "src" }))).Shards!;
  const parent = shards[0]!;
  const mid = (BigInt(parent.HashKeyRange!.StartingHashKey!) + BigInt(parent.HashKeyRange!.EndingHashKey!)) / 2n;
  await kinesis.send(new SplitShardCommand({ StreamName: "src", ShardToSplit: parent.ShardId!, NewStartingHashKey: mid.toString() }));
  await streamActive("src");
  await put("src", 300, 600);
  await firehose.send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: "from-kinesis",
      DeliveryStreamType: "KinesisStreamAsSource",
      KinesisStreamSourceConfiguration: { KinesisStreamARN: "arn:aws:kinesis:us-east-1:000000000000:stream/src", RoleARN: ROLE },
      ExtendedS3DestinationConfiguration: s3Destination("from-kinesis", { CompressionFormat: "GZIP", Prefix: "k/" }),
    }),
  );
  await waitActive(firehose, "from-kinesis");
  await put("src", 600, 800);

  const objects = await eventually("all 800 records", async () => {
    const keys = await listKeys(s3, "from-kinesis");
    const all: Record<string, unknown>[][] = [];
    for (const k of keys) {
      assert.match(k, /^k\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/from-kinesis-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-f-]{36}\.gz$/);
      const text = gunzipSync(await getBytes(s3, "from-kinesis", k)).toString("utf8");
      all.push(text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Record<string, unknown>));
    }
    return all.flat().length >= 800 ? all : undefined;
  });
  const lines = objects.flat();
  assert.equal(lines.length, 800, "no record delivered twice");
  assert.deepEqual(new Set(lines.map((l) => l["n"])).size, 800);
  // Within each object, a partition key's records keep the order they were written in, across the split.
  for (const obj of objects) {
    const byKey = new Map<string, number[]>();
    for (const l of obj) byKey.set(l["pk"] as string, [...(byKey.get(l["pk"] as string) ?? []), l["n"] as number]);
    for (const [pk, ns] of byKey) assert.deepEqual(ns, [...ns].sort((a, b) => a - b), `order of ${pk}`);
  }
});
