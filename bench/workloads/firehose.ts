import { performance } from "node:perf_hooks";
import { gunzipSync } from "node:zlib";
import { runClosedLoop } from "../load/closed-loop.js";
import { BenchHttpError, LeanClient } from "../load/http.js";
import { LeanS3 } from "../load/s3-client.js";
import { sha256Hex } from "../load/sigv4.js";
import type { Workload } from "./workload.js";

const BUCKET = "bench-firehose";
const RECORDS_PER_CALL = 500;
const RECORD_BYTES = 1024;
const IN_FLIGHT = 4;

async function call<T>(c: LeanClient, operation: string, input: unknown, prepared?: { body: string; sha256: string }): Promise<T> {
  const body = prepared?.body ?? JSON.stringify(input);
  const res = await c.send({
    method: "POST",
    path: "/",
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `Firehose_20150804.${operation}` },
    body,
    payloadHash: prepared?.sha256 ?? sha256Hex(body),
    read: "text",
  });
  return (res.text === "" ? {} : JSON.parse(res.text)) as T;
}

async function createGzipStream(c: LeanClient, name: string, prefix: string, intervalSeconds: number): Promise<void> {
  await call(c, "CreateDeliveryStream", {
    DeliveryStreamName: name,
    DeliveryStreamType: "DirectPut",
    ExtendedS3DestinationConfiguration: {
      RoleARN: "arn:aws:iam::000000000000:role/bench-firehose",
      BucketARN: `arn:aws:s3:::${BUCKET}`,
      Prefix: prefix,
      ErrorOutputPrefix: `errors/${prefix}`,
      CompressionFormat: "GZIP",
      BufferingHints: { SizeInMBs: 1, IntervalInSeconds: intervalSeconds },
    },
  });
}

/**
 * Firehose PutRecordBatch (500 x 1 KiB newline-terminated records, 4 calls in flight) into a
 * GZIP delivery stream to S3; counts the records found in the delivered, decompressed objects.
 */
export const firehoseGzip: Workload = {
  name: "firehose-gzip",
  weight: 30,
  targets: ["streamlake"],
  rows: [
    { key: "put", title: "Firehose PutRecordBatch 500 x 1 KiB into a GZIP stream", unit: "records/s", better: "higher" },
    { key: "delivered", title: "Firehose records delivered to S3 (GZIP)", unit: "records/s", better: "higher" },
  ],
  async prepare(target, _ctx, meter) {
    meter.note("no peer: kinesalite has no Firehose");
    const c = new LeanClient(target.endpoint, "firehose", 1);
    try {
      // Probe first so a server without Firehose is reported n/a before anything else is made.
      await call(c, "ListDeliveryStreams", {});
    } finally {
      await c.close();
    }
    const s3 = new LeanS3(target.endpoint, 1);
    try {
      await s3.createBucket(BUCKET);
    } finally {
      await s3.close();
    }
  },
  async round(target, ctx, round, meter) {
    const c = new LeanClient(target.endpoint, "firehose", IN_FLIGHT);
    const s3 = new LeanS3(target.endpoint, 4);
    try {
      const name = `bench-gzip-${round}`;
      const prefix = `r${round}/`;
      try {
        await createGzipStream(c, name, prefix, 0);
      } catch (err) {
        if (!(err instanceof BenchHttpError) || err.status !== 400 || err.notImplemented) throw err;
        meter.note("server refused IntervalInSeconds 0; used 60");
        await createGzipStream(c, name, prefix, 60);
      }
      const deadline = Date.now() + 30_000;
      for (;;) {
        const d = await call<{ DeliveryStreamDescription: { DeliveryStreamStatus: string } }>(c, "DescribeDeliveryStream", { DeliveryStreamName: name });
        if (d.DeliveryStreamDescription.DeliveryStreamStatus === "ACTIVE") break;
        if (Date.now() > deadline) throw new Error("delivery stream not ACTIVE after 30 s");
        await new Promise((r) => setTimeout(r, 50));
      }
      const line = Buffer.alloc(RECORD_BYTES, 0x63);
      line[RECORD_BYTES - 1] = 0x0a;
      const data = line.toString("base64");
      const body = JSON.stringify({ DeliveryStreamName: name, Records: Array.from({ length: RECORDS_PER_CALL }, () => ({ Data: data })) });
      const prepared = { body, sha256: sha256Hex(body) };
      let accepted = 0;
      const t0 = performance.now();
      await meter.record("put", async () => {
        const loop = await runClosedLoop({
          concurrency: IN_FLIGHT,
          durationMs: ctx.scale.roundMs,
          op: async () => {
            const out = await call<{ FailedPutCount?: number }>(c, "PutRecordBatch", undefined, prepared);
            // (read `accepted` only after the await: `x += await y` would lose concurrent updates)
            accepted += RECORDS_PER_CALL - (out.FailedPutCount ?? 0);
          },
        });
        return { value: accepted / (loop.elapsedMs / 1000), requests: loop.ops };
      });
      // Poll the bucket until every accepted record is in a delivered object (bounded).
      const seen = new Set<string>();
      let delivered = 0;
      let lastDelivery = t0;
      const until = Date.now() + Math.max(30_000, 10 * ctx.scale.roundMs);
      while (delivered < accepted && Date.now() < until) {
        for (const key of await s3.listKeys(BUCKET, prefix)) {
          if (seen.has(key)) continue;
          seen.add(key);
          const text = gunzipSync(await s3.getBuffer(BUCKET, key));
          for (let i = text.indexOf(0x0a); i !== -1; i = text.indexOf(0x0a, i + 1)) delivered++;
          lastDelivery = performance.now();
        }
        if (delivered < accepted) await new Promise((r) => setTimeout(r, 100));
      }
      if (delivered < accepted) throw new Error(`only ${delivered} of ${accepted} records delivered within the deadline`);
      meter.set("delivered", { value: delivered / ((lastDelivery - t0) / 1000), extra: { objects: seen.size } });
    } finally {
      await c.close();
      await s3.close();
    }
  },
};
