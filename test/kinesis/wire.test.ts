// The wire formats by hand: CBOR (application/x-amz-cbor-1.1, what the Java SDK and KCL send)
// encoded with cbor-x and decoded from the raw answer, and JSON 1.1 error bodies and headers.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Decoder, Encoder, Tag } from "cbor-x";
import { startServer, type RunningServer } from "../helpers/server.js";
import { eventually } from "./support.js";
import { jsonCall, sendKinesis } from "./raw.js";

let server: RunningServer;
const encoder = new Encoder({ useRecords: false, tagUint8Array: false });
// int64AsNumber (missing from cbor-x's types): tag-1 millisecond timestamps are 64-bit integers.
const decoder = new Decoder({ useRecords: false, mapsAsObjects: true, int64AsNumber: true } as ConstructorParameters<typeof Decoder>[0]);

async function cbor(op: string, input: unknown): Promise<{ status: number; body: Record<string, unknown>; contentType: string | undefined }> {
  const res = await sendKinesis(server, { target: `Kinesis_20131202.${op}`, contentType: "application/x-amz-cbor-1.1", body: Buffer.from(encoder.encode(input)) });
  return {
    status: res.status,
    contentType: res.headers["content-type"],
    body: res.body.length === 0 ? {} : (decoder.decode(res.body) as Record<string, unknown>),
  };
}

before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.dispose();
});

test("a CBOR round trip: byte-string data in, byte-string data and tag-1 timestamps out", async () => {
  const created = await cbor("CreateStream", { StreamName: "cbor", ShardCount: 1 });
  assert.equal(created.status, 200);
  await eventually(async () => {
    const d = await cbor("DescribeStreamSummary", { StreamName: "cbor" });
    return (d.body["StreamDescriptionSummary"] as { StreamStatus: string }).StreamStatus === "ACTIVE" ? true : undefined;
  });
  const payload = Buffer.from([0, 1, 2, 250, 251, 252, 253, 254, 255]);
  const put = await cbor("PutRecord", { StreamName: "cbor", PartitionKey: "pk", Data: payload });
  assert.equal(put.status, 200);
  assert.equal(put.contentType, "application/x-amz-cbor-1.1");
  assert.match(put.body["SequenceNumber"] as string, /^\d{56}$/);

  // The Java SDK writes timestamps as tag 1 with epoch milliseconds.
  const it = await cbor("GetShardIterator", {
    StreamName: "cbor",
    ShardId: "shardId-000000000000",
    ShardIteratorType: "AT_TIMESTAMP",
    Timestamp: new Tag(Date.now() - 60_000, 1),
  });
  assert.equal(it.status, 200, JSON.stringify(it.body));
  const got = await sendKinesis(server, {
    target: "Kinesis_20131202.GetRecords",
    contentType: "application/x-amz-cbor-1.1",
    body: Buffer.from(encoder.encode({ ShardIterator: it.body["ShardIterator"] })),
  });
  assert.equal(got.status, 200);
  // Raw look at the answer: Data must be a byte string (major type 2) and the timestamp tag 1.
  const raw = decoder.decode(got.body) as {
    Records: { Data: Uint8Array; ApproximateArrivalTimestamp: Date; PartitionKey: string; SequenceNumber: string }[];
  };
  assert.equal(raw.Records.length, 1);
  const record = raw.Records[0]!;
  assert.ok(record.Data instanceof Uint8Array);
  assert.deepEqual(Buffer.from(record.Data), payload);
  assert.equal(record.PartitionKey, "pk");
  assert.equal(record.SequenceNumber, put.body["SequenceNumber"]);
  assert.ok(got.body.includes(Buffer.from([0xc1, 0x1b])), "timestamp is tag 1 followed by a 64-bit integer (epoch milliseconds)");
  const ms = record.ApproximateArrivalTimestamp.getTime() / 1000; // cbor-x reads tag 1 as seconds
  assert.ok(Math.abs(ms - Date.now()) < 120_000, `arrival ${ms}`);
});

test("CBOR errors carry __type in a CBOR map", async () => {
  const missing = await cbor("DescribeStream", { StreamName: "nope" });
  assert.equal(missing.status, 400);
  assert.equal(missing.contentType, "application/x-amz-cbor-1.1");
  assert.equal(missing.body["__type"], "ResourceNotFoundException");
  assert.equal(missing.body["message"], "Stream nope under account 000000000000 not found.");
  const garbage = await sendKinesis(server, { target: "Kinesis_20131202.ListStreams", contentType: "application/x-amz-cbor-1.1", body: Buffer.from([0xff, 0x00]) });
  assert.equal(garbage.status, 400);
  assert.equal((decoder.decode(garbage.body) as { __type: string }).__type, "SerializationException");
});

test("JSON 1.1 answers: headers, __type errors, validation and unknown operations", async () => {
  const ok = await jsonCall(server, "ListStreams", {});
  assert.equal(ok.status, 200);
  assert.equal(ok.headers["content-type"], "application/x-amz-json-1.1");
  assert.match(String(ok.headers["x-amzn-requestid"]), /\S+/);
  assert.ok(ok.headers["x-amz-id-2"]);
  const invalid = await jsonCall(server, "PutRecord", { StreamName: "", Data: "AAAA" });
  assert.equal(invalid.status, 400);
  assert.deepEqual(invalid.body, {
    __type: "ValidationException",
    message:
      "3 validation errors detected: Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
      "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
      "Value null at 'partitionKey' failed to satisfy constraint: Member must not be null",
  });
  const badType = await jsonCall(server, "CreateStream", { StreamName: "x", ShardCount: "two" });
  assert.deepEqual(badType.body, { __type: "SerializationException", Message: "class java.lang.String can not be converted to an Integer" });
  const unknown = await jsonCall(server, "FlyToTheMoon", {});
  assert.equal(unknown.status, 400);
  assert.equal(unknown.body["__type"], "UnknownOperationException");
  const skewed = await jsonCall(server, "ListStreams", {}, { signingDate: new Date(Date.now() - 3_600_000) });
  assert.equal(skewed.body["__type"], "InvalidSignatureException");
  assert.match(String(skewed.body["message"]), /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - \d+ min\.\)$/);
});
