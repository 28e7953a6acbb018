// The Firehose control plane through @aws-sdk/client-firehose: create / describe / list / update /
// tag / delete, the version-id guard, PutRecord(Batch) limits and the Kinesis-source refusal.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  ConcurrentModificationException,
  CreateDeliveryStreamCommand,
  DeleteDeliveryStreamCommand,
  DescribeDeliveryStreamCommand,
  InvalidArgumentException,
  ListDeliveryStreamsCommand,
  ListTagsForDeliveryStreamCommand,
  PutRecordBatchCommand,
  PutRecordCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  TagDeliveryStreamCommand,
  UntagDeliveryStreamCommand,
  UpdateDestinationCommand,
  type FirehoseClient,
} from "@aws-sdk/client-firehose";
import { CreateStreamCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { clientConfig, type RunningServer } from "../helpers/server.js";
import { signedRequest } from "../helpers/signed-requests.js";
import { clients, eventually, ROLE, s3Destination, startFirehoseServer, waitActive } from "./support.js";

let server: RunningServer;
let firehose: FirehoseClient;

before(async () => {
  server = await startFirehoseServer();
  firehose = clients(server).firehose;
});
after(async () => {
  firehose?.destroy();
  await server?.dispose();
});

test("a stream is CREATING, then ACTIVE, and describes its S3 destination with the service's defaults", async () => {
  const created = await firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: "api-1", ExtendedS3DestinationConfiguration: { RoleARN: ROLE, BucketARN: "arn:aws:s3:::b1" }, Tags: [{ Key: "team", Value: "data" }] }));
  assert.equal(created.DeliveryStreamARN, "arn:aws:firehose:us-east-1:000000000000:deliverystream/api-1");
  const first = await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "api-1" }));
  // CREATING lasts 300 ms here: a loaded machine may already see ACTIVE.
  assert.ok(["CREATING", "ACTIVE"].includes(first.DeliveryStreamDescription!.DeliveryStreamStatus!));
  await waitActive(firehose, "api-1");
  const d = (await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "api-1" }))).DeliveryStreamDescription!;
  assert.equal(d.DeliveryStreamType, "DirectPut");
  assert.equal(d.VersionId, "1");
  assert.equal(d.HasMoreDestinations, false);
  const dest = d.Destinations![0]!;
  assert.equal(dest.DestinationId, "destinationId-000000000001");
  assert.deepEqual(dest.ExtendedS3DestinationDescription!.BufferingHints, { SizeInMBs: 5, IntervalInSeconds: 300 });
  assert.equal(dest.ExtendedS3DestinationDescription!.CompressionFormat, "UNCOMPRESSED");
  assert.equal(dest.ExtendedS3DestinationDescription!.S3BackupMode, "Disabled");
  assert.equal(dest.S3DestinationDescription!.BucketARN, "arn:aws:s3:::b1");
  await assert.rejects(
    firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: "api-1", ExtendedS3DestinationConfiguration: { RoleARN: ROLE, BucketARN: "arn:aws:s3:::b1" } })),
    (e: unknown) => e instanceof ResourceInUseException && /api-1 under accountId 000000000000 already exists/.test(e.message),
  );
});

test("UpdateDestination merges, bumps the version and refuses a stale version id", async () => {
  await firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: "api-2", ExtendedS3DestinationConfiguration: s3Destination("b2", { Prefix: "p/" }) }));
  await waitActive(firehose, "api-2");
  await firehose.send(
    new UpdateDestinationCommand({ DeliveryStreamName: "api-2", CurrentDeliveryStreamVersionId: "1", DestinationId: "destinationId-000000000001", ExtendedS3DestinationUpdate: { CompressionFormat: "GZIP" } }),
  );
  const d = (await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "api-2" }))).DeliveryStreamDescription!;
  assert.equal(d.VersionId, "2");
  assert.ok(d.LastUpdateTimestamp instanceof Date);
  const ext = d.Destinations![0]!.ExtendedS3DestinationDescription!;
  assert.equal(ext.CompressionFormat, "GZIP");
  assert.equal(ext.Prefix, "p/");
  await assert.rejects(
    firehose.send(new UpdateDestinationCommand({ DeliveryStreamName: "api-2", CurrentDeliveryStreamVersionId: "1", DestinationId: "destinationId-000000000001", ExtendedS3DestinationUpdate: { Prefix: "q/" } })),
    ConcurrentModificationException,
  );
  await assert.rejects(
    firehose.send(new UpdateDestinationCommand({ DeliveryStreamName: "api-2", CurrentDeliveryStreamVersionId: "2", DestinationId: "destinationId-000000000009", ExtendedS3DestinationUpdate: { Prefix: "q/" } })),
    InvalidArgumentException,
  );
});

test("invalid configurations are refused as the service refuses them", async () => {
  const bad = async (cfg: Record<string, unknown>, re: RegExp) =>
    assert.rejects(firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: "api-bad", ...cfg })), (e: unknown) => e instanceof Error && re.test(`${e.name}: ${e.message}`));
  await bad({ ExtendedS3DestinationConfiguration: s3Destination("b", { Prefix: "!{timestamp:yyyy}/" }) }, /InvalidArgumentException: ErrorOutputPrefix cannot be null/);
  await bad({ ExtendedS3DestinationConfiguration: s3Destination("b", { Prefix: "x/", ErrorOutputPrefix: "e/!{timestamp:yyyy}/" }) }, /error-output-type/);
  await bad({ ExtendedS3DestinationConfiguration: s3Destination("b", { BufferingHints: { SizeInMBs: 129, IntervalInSeconds: 60 } }) }, /ValidationException: 1 validation error detected: Value '129' at 'extendedS3DestinationConfiguration.bufferingHints.sizeInMBs'/);
  await bad({ ExtendedS3DestinationConfiguration: s3Destination("b", { DataFormatConversionConfiguration: { OutputFormatConfiguration: { Serializer: { OrcSerDe: {} } }, InputFormatConfiguration: { Deserializer: { OpenXJsonSerDe: {} } }, SchemaConfiguration: { RoleARN: ROLE, DatabaseName: "d", TableName: "t" } } }) }, /OrcSerDe is not supported/);
  await bad({ DeliveryStreamType: "KinesisStreamAsSource", KinesisStreamSourceConfiguration: { KinesisStreamARN: "arn:aws:kinesis:us-east-1:000000000000:stream/none", RoleARN: ROLE }, ExtendedS3DestinationConfiguration: s3Destination("b") }, /InvalidArgumentException/);
  await bad({}, /Exactly one destination/);
});

test("list, tag, untag", async () => {
  const list = await firehose.send(new ListDeliveryStreamsCommand({ Limit: 1 }));
  assert.deepEqual(list.DeliveryStreamNames, ["api-1"]);
  assert.equal(list.HasMoreDeliveryStreams, true);
  const rest = await firehose.send(new ListDeliveryStreamsCommand({ ExclusiveStartDeliveryStreamName: "api-1", DeliveryStreamType: "DirectPut" }));
  assert.ok(rest.DeliveryStreamNames!.includes("api-2") && !rest.DeliveryStreamNames!.includes("api-1"));
  await firehose.send(new TagDeliveryStreamCommand({ DeliveryStreamName: "api-1", Tags: [{ Key: "env", Value: "test" }] }));
  await firehose.send(new UntagDeliveryStreamCommand({ DeliveryStreamName: "api-1", TagKeys: ["team"] }));
  const tags = await firehose.send(new ListTagsForDeliveryStreamCommand({ DeliveryStreamName: "api-1" }));
  assert.deepEqual(tags.Tags, [{ Key: "env", Value: "test" }]);
  assert.equal(tags.HasMoreTags, false);
});

test("PutRecord and PutRecordBatch: ids, per-record entries, limits, missing streams", async () => {
  const one = await firehose.send(new PutRecordCommand({ DeliveryStreamName: "api-1", Record: { Data: Buffer.from("x") } }));
  assert.ok(typeof one.RecordId === "string" && one.RecordId.length > 0);
  const batch = await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: "api-1", Records: Array.from({ length: 500 }, (_, i) => ({ Data: Buffer.from(`r${i}`) })) }));
  assert.equal(batch.FailedPutCount, 0);
  assert.equal(batch.RequestResponses!.length, 500);
  assert.equal(new Set(batch.RequestResponses!.map((r) => r.RecordId)).size, 500);
  await assert.rejects(
    firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: "api-1", Records: Array.from({ length: 501 }, () => ({ Data: Buffer.from("r") })) })),
    /Member must have length less than or equal to 500/,
  );
  await assert.rejects(firehose.send(new PutRecordCommand({ DeliveryStreamName: "api-1", Record: { Data: Buffer.alloc(1_024_001) } })), /Member must have length less than or equal to 1024000/);
  await assert.rejects(
    firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: "api-1", Records: Array.from({ length: 5 }, () => ({ Data: Buffer.alloc(1_000_000) })) })),
    (e: unknown) => e instanceof InvalidArgumentException && /4 MiB/.test(e.message),
  );
  await assert.rejects(
    firehose.send(new PutRecordCommand({ DeliveryStreamName: "nope", Record: { Data: Buffer.from("x") } })),
    (e: unknown) => e instanceof ResourceNotFoundException && e.message === "Firehose nope under account 000000000000 not found.",
  );
});

test("PutRecord on a Kinesis-sourced stream is refused; delete goes through DELETING", async () => {
  const kinesis = new KinesisClient(clientConfig(server));
  await kinesis.send(new CreateStreamCommand({ StreamName: "api-src", ShardCount: 1 }));
  await eventually("kinesis stream", async () => {
    try {
      await firehose.send(
        new CreateDeliveryStreamCommand({
          DeliveryStreamName: "api-k",
          DeliveryStreamType: "KinesisStreamAsSource",
          KinesisStreamSourceConfiguration: { KinesisStreamARN: "arn:aws:kinesis:us-east-1:000000000000:stream/api-src", RoleARN: ROLE },
          ExtendedS3DestinationConfiguration: s3Destination("bk"),
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof InvalidArgumentException) return undefined;
      throw e;
    }
  });
  await waitActive(firehose, "api-k");
  const d = (await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "api-k" }))).DeliveryStreamDescription!;
  assert.equal(d.Source!.KinesisStreamSourceDescription!.KinesisStreamARN, "arn:aws:kinesis:us-east-1:000000000000:stream/api-src");
  await assert.rejects(
    firehose.send(new PutRecordCommand({ DeliveryStreamName: "api-k", Record: { Data: Buffer.from("x") } })),
    (e: unknown) => e instanceof InvalidArgumentException && e.message === "This operation is not permitted on KinesisStreamAsSource delivery stream type.",
  );
  await firehose.send(new DeleteDeliveryStreamCommand({ DeliveryStreamName: "api-k" }));
  const deleting = (await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "api-k" }))).DeliveryStreamDescription!;
  assert.equal(deleting.DeliveryStreamStatus, "DELETING");
  await eventually("deletion", async () => {
    try {
      await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "api-k" }));
      return undefined;
    } catch (e) {
      if (e instanceof ResourceNotFoundException) return true;
      throw e;
    }
  });
  kinesis.destroy();
});

test("a target naming no Firehose operation (an Object.prototype member included) is UnknownOperationException", async () => {
  for (const target of ["Firehose_20150804.toString", "Firehose_20150804.FlyToTheMoon", "Firehose_20150804"]) {
    const res = await signedRequest(
      server,
      { method: "POST", path: "/", headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": target }, body: "{}" },
      { service: "firehose" },
    );
    assert.equal(res.status, 400, target);
    assert.equal((JSON.parse(res.body.toString()) as Record<string, unknown>)["__type"], "UnknownOperationException", target);
  }
});
