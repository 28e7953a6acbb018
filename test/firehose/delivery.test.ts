// DirectPut delivery features end to end: dynamic partitioning with jq keys, a transforming Lambda
// function that drops and fails records, a bucket that appears only later, and an HTTP endpoint
// served by the test (retries with one request id, access key, common attributes, gzip bodies,
// and failed data backed up to S3).
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { after, before, test } from "node:test";
import { CreateDeliveryStreamCommand, PutRecordBatchCommand, type FirehoseClient } from "@aws-sdk/client-firehose";
import { CreateFunctionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { CreateBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import { strToU8, zipSync } from "fflate";
import { clientConfig, type RunningServer } from "../helpers/server.js";
import { clients, eventually, getBytes, jsonLines, listKeys, ROLE, s3Destination, startFirehoseServer, waitActive } from "./support.js";

let server: RunningServer;
let firehose: FirehoseClient;
let s3: S3Client;

before(async () => {
  server = await startFirehoseServer();
  ({ firehose, s3 } = clients(server));
});
after(async () => {
  const failures = server?.log().split("\n").filter((l) => /worker failed|"level":"(error|warn)"/.test(l)) ?? [];
  if (failures.length > 0) console.log(failures.join("\n"));
  firehose?.destroy();
  s3?.destroy();
  await server?.dispose();
});

const json = (v: unknown): Uint8Array => Buffer.from(JSON.stringify(v));

async function putAll(stream: string, records: Uint8Array[]): Promise<void> {
  const out = await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: stream, Records: records.map((Data) => ({ Data })) }));
  assert.equal(out.FailedPutCount, 0);
}

async function readAll(bucket: string, prefix: string, want: number, decode = (b: Buffer) => b.toString("utf8")): Promise<Map<string, string>> {
  return eventually(`${want} objects under ${bucket}/${prefix}`, async () => {
    const keys = await listKeys(s3, bucket, prefix);
    if (keys.length < want) return undefined;
    const out = new Map<string, string>();
    for (const k of keys) out.set(k, decode(await getBytes(s3, bucket, k)));
    return out;
  });
}

test("dynamic partitioning: one object per jq partition, newline-delimited, records that yield no key to the error prefix", async () => {
  await s3.send(new CreateBucketCommand({ Bucket: "dyn" }));
  await firehose.send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: "dyn",
      ExtendedS3DestinationConfiguration: s3Destination("dyn", {
        BufferingHints: { SizeInMBs: 64, IntervalInSeconds: 1 },
        Prefix: "customer=!{partitionKeyFromQuery:customer}/year=!{partitionKeyFromQuery:year}/",
        ErrorOutputPrefix: "errors/!{firehose:error-output-type}/",
        DynamicPartitioningConfiguration: { Enabled: true },
        ProcessingConfiguration: {
          Enabled: true,
          Processors: [
            { Type: "MetadataExtraction", Parameters: [{ ParameterName: "MetadataExtractionQuery", ParameterValue: '{customer: .customer, year: .ts | strftime("%Y")}' }, { ParameterName: "JsonParsingEngine", ParameterValue: "JQ-1.6" }] },
            { Type: "AppendDelimiterToRecord", Parameters: [] },
          ],
        },
      }),
    }),
  );
  await waitActive(firehose, "dyn");
  await putAll("dyn", [json({ customer: "a", ts: 1_700_000_000, v: 1 }), json({ customer: "b", ts: 1_600_000_000, v: 2 }), json({ customer: "a", ts: 1_700_000_001, v: 3 }), Buffer.from("not json"), json({ ts: 1 })]);
  const objects = await readAll("dyn", "", 3);
  const byPrefix = new Map<string, string>();
  for (const [k, v] of objects) byPrefix.set(k.slice(0, k.lastIndexOf("/") + 1), (byPrefix.get(k.slice(0, k.lastIndexOf("/") + 1)) ?? "") + v);
  assert.deepEqual([...byPrefix.keys()].sort(), ["customer=a/year=2023/", "customer=b/year=2020/", "errors/partitioning-failed/"]);
  assert.deepEqual(jsonLines(byPrefix.get("customer=a/year=2023/")!).map((r) => r["v"]), [1, 3]);
  assert.ok(byPrefix.get("customer=a/year=2023/")!.endsWith("}\n"));
  const errors = jsonLines(byPrefix.get("errors/partitioning-failed/")!);
  assert.equal(errors.length, 2);
  assert.deepEqual(errors.map((e) => Buffer.from(e["rawData"] as string, "base64").toString()).sort(), ["not json", '{"ts":1}']);
  assert.ok(errors.every((e) => typeof e["errorCode"] === "string" && (e["errorCode"] as string).startsWith("DynamicPartitioning.")));
});

test("a Lambda processor transforms, drops and fails records; failures land under processing-failed", async () => {
  const lambda = new LambdaClient(clientConfig(server));
  const code = `exports.handler = async (event) => ({ records: event.records.map((r) => {
    const v = JSON.parse(Buffer.from(r.data, "base64").toString());
    if (v.drop) return { recordId: r.recordId, result: "Dropped" };
    if (v.fail) return { recordId: r.recordId, result: "ProcessingFailed", data: r.data };
    return { recordId: r.recordId, result: "Ok", data: Buffer.from(JSON.stringify({ ...v, name: v.name.toUpperCase() }) + "\\n").toString("base64") };
  }) });`;
  await lambda.send(new CreateFunctionCommand({ FunctionName: "upper", Runtime: "nodejs20.x", Role: ROLE, Handler: "index.handler", Code: { ZipFile: zipSync({ "index.js": strToU8(code) }) } }));
  lambda.destroy();
  await s3.send(new CreateBucketCommand({ Bucket: "xform" }));
  await firehose.send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: "xform",
      ExtendedS3DestinationConfiguration: s3Destination("xform", {
        CompressionFormat: "GZIP",
        ProcessingConfiguration: { Enabled: true, Processors: [{ Type: "Lambda", Parameters: [{ ParameterName: "LambdaArn", ParameterValue: "arn:aws:lambda:us-east-1:000000000000:function:upper" }] }] },
      }),
    }),
  );
  await waitActive(firehose, "xform");
  const input = Array.from({ length: 30 }, (_, i) => ({ i, name: `n${i}`, ...(i % 5 === 0 ? { drop: true } : {}), ...(i % 7 === 3 ? { fail: true } : {}) }));
  await putAll("xform", input.map(json));
  const failed = input.filter((r) => !r.drop && r.fail);
  const ok = input.filter((r) => !r.drop && !r.fail);
  const objects = await readAll("xform", "", 2, (b) => gunzipSync(b).toString("utf8"));
  const delivered = [...objects].filter(([k]) => !k.startsWith("processing-failed/")).flatMap(([, v]) => jsonLines(v));
  const errors = [...objects].filter(([k]) => k.startsWith("processing-failed/")).flatMap(([k, v]) => {
    assert.match(k, /^processing-failed\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/xform-1-.*\.gz$/);
    return jsonLines(v);
  });
  assert.deepEqual(delivered.map((r) => r["i"]), ok.map((r) => r.i));
  assert.ok(delivered.every((r) => r["name"] === `N${r["i"] as number}`));
  assert.deepEqual(errors.map((e) => JSON.parse(Buffer.from(e["rawData"] as string, "base64").toString()).i), failed.map((r) => r.i));
  for (const e of errors) {
    assert.equal(e["errorCode"], "Lambda.ProcessingFailedStatus");
    assert.equal(e["lambdaArn"], "arn:aws:lambda:us-east-1:000000000000:function:upper");
    assert.equal(typeof e["arrivalTimestamp"], "number");
  }
});

test("a destination bucket that appears later receives the data that waited for it", async () => {
  await firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: "late", ExtendedS3DestinationConfiguration: s3Destination("late-bucket") }));
  await waitActive(firehose, "late");
  await putAll("late", [Buffer.from("one\n"), Buffer.from("two\n")]);
  // The worker reports the missing bucket in its log, and keeps the data.
  await eventually("the NoSuchBucket retry", async () => (/firehose: delivery delayed.*S3\.NoSuchBucket/.test(server.log()) ? true : undefined));
  await s3.send(new CreateBucketCommand({ Bucket: "late-bucket" }));
  const objects = await readAll("late-bucket", "", 1);
  assert.equal([...objects.values()].join(""), "one\ntwo\n");
});

interface Seen {
  headers: IncomingMessage["headers"];
  body: { requestId: string; timestamp: number; records: { data: string }[] };
}

function endpoint(answer: (seen: Seen, n: number) => { status: number; body?: unknown }): Promise<{ server: Server; url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const srv = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let raw = Buffer.concat(chunks);
      if (req.headers["content-encoding"] === "gzip") raw = gunzipSync(raw);
      const s: Seen = { headers: req.headers, body: JSON.parse(raw.toString()) as Seen["body"] };
      seen.push(s);
      const a = answer(s, seen.length);
      const text = JSON.stringify(a.body ?? { requestId: s.body.requestId, timestamp: Date.now() });
      res.writeHead(a.status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      res.end(text);
    });
  });
  return new Promise((resolve) => srv.listen(0, "127.0.0.1", () => resolve({ server: srv, url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/ingest?x=1`, seen })));
}

test("HTTP endpoint: the service's request format, a retry with the same request id, gzip bodies", async () => {
  const ep = await endpoint((_s, n) => (n === 1 ? { status: 500, body: { requestId: "x", timestamp: 1, errorMessage: "try again" } } : { status: 200 }));
  try {
    await s3.send(new CreateBucketCommand({ Bucket: "http-backup" }));
    await firehose.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: "to-http",
        HttpEndpointDestinationConfiguration: {
          EndpointConfiguration: { Url: ep.url, Name: "test endpoint", AccessKey: "secret-key" },
          BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 1 },
          RequestConfiguration: { ContentEncoding: "GZIP", CommonAttributes: [{ AttributeName: "env", AttributeValue: "test" }] },
          RetryOptions: { DurationInSeconds: 60 },
          S3Configuration: s3Destination("http-backup"),
        },
      }),
    );
    await waitActive(firehose, "to-http");
    await putAll("to-http", [Buffer.from("a"), Buffer.from("bb"), Buffer.alloc(0)]);
    await eventually("a successful delivery", async () => (ep.seen.length >= 2 ? true : undefined));
    const [first, second] = ep.seen as [Seen, Seen];
    assert.equal(first.body.requestId, second.body.requestId);
    assert.equal(first.headers["x-amz-firehose-request-id"], first.body.requestId);
    assert.equal(first.headers["x-amz-firehose-access-key"], "secret-key");
    assert.equal(first.headers["x-amz-firehose-protocol-version"], "1.0");
    assert.equal(first.headers["x-amz-firehose-source-arn"], "arn:aws:firehose:us-east-1:000000000000:deliverystream/to-http");
    assert.deepEqual(JSON.parse(first.headers["x-amz-firehose-common-attributes"] as string), { commonAttributes: { env: "test" } });
    assert.equal(first.headers["content-type"], "application/json");
    assert.equal(first.headers["content-encoding"], "gzip");
    assert.deepEqual(second.body.records.map((r) => Buffer.from(r.data, "base64").toString()), ["a", "bb", ""]);
    assert.equal(typeof second.body.timestamp, "number");
    assert.deepEqual(await listKeys(s3, "http-backup"), [], "FailedDataOnly: nothing backed up after a success");
  } finally {
    ep.server.close();
  }
});

test("HTTP endpoint that keeps failing: after RetryDurationInSeconds the records go to S3 under http-endpoint-failed", async () => {
  const ep = await endpoint(() => ({ status: 503, body: { requestId: "?", timestamp: 1, errorMessage: "down for maintenance" } }));
  try {
    await s3.send(new CreateBucketCommand({ Bucket: "http-failed" }));
    await firehose.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: "to-http-down",
        HttpEndpointDestinationConfiguration: {
          EndpointConfiguration: { Url: ep.url },
          BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 1 },
          RetryOptions: { DurationInSeconds: 1 },
          S3Configuration: s3Destination("http-failed"),
        },
      }),
    );
    await waitActive(firehose, "to-http-down");
    await putAll("to-http-down", [Buffer.from("lost?"), Buffer.from("no")]);
    const objects = await readAll("http-failed", "http-endpoint-failed/", 1);
    const docs = [...objects.values()].flatMap(jsonLines);
    assert.deepEqual(docs.map((d) => Buffer.from(d["rawData"] as string, "base64").toString()), ["lost?", "no"]);
    assert.ok(docs.every((d) => d["errorCode"] === "HttpEndpoint.ResponseFailure" && /503: down for maintenance/.test(d["errorMessage"] as string)));
    assert.ok(ep.seen.length >= 2, "retried before giving up");
  } finally {
    ep.server.close();
  }
});
