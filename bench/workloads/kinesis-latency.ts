import { performance } from "node:perf_hooks";
import { KinesisClient, SubscribeToShardCommand } from "@aws-sdk/client-kinesis";
import { LeanKinesis } from "../load/kinesis-client.js";
import { quantile } from "../load/stats.js";
import type { Target } from "../targets/targets.js";
import type { BenchContext, Measured, Workload } from "./workload.js";

const SHARDS = 4;
const RECORD_BYTES = 1024;
/** One PutRecord every this many ms (about 200 records/s): latency, not throughput. */
const PUT_EVERY_MS = 5;

/** A 1 KiB record whose first 8 bytes are the writer's performance.now() at send time. */
function stampedRecord(): string {
  const b = Buffer.alloc(RECORD_BYTES, 0x62);
  b.writeDoubleLE(performance.now(), 0);
  return b.toString("base64");
}

function sentAt(data: Uint8Array): number {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).readDoubleLE(0);
}

/** What the writer did: records sent, and each PutRecord's round trip (ms; a diagnostic, not a row). */
interface Written {
  readonly sent: number;
  readonly roundTrips: number[];
}

/** Writes stamped records one PutRecord at a time for `durationMs`. */
async function paceWriter(k: LeanKinesis, stream: string, durationMs: number): Promise<Written> {
  const end = performance.now() + durationMs;
  let sent = 0;
  const roundTrips: number[] = [];
  while (performance.now() < end) {
    const data = stampedRecord();
    const start = performance.now();
    await k.call("PutRecord", { StreamName: stream, Data: data, PartitionKey: `k${sent}` });
    roundTrips.push(performance.now() - start);
    sent++;
    await new Promise((r) => setTimeout(r, PUT_EVERY_MS));
  }
  return { sent, roundTrips };
}

function throwFirstRejection(results: readonly PromiseSettledResult<unknown>[]): void {
  for (const r of results) if (r.status === "rejected") throw r.reason;
}

async function waitFor(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

/**
 * The rows' figures. Extras (JSON only, diagnostics): records seen, the PutRecord round trip p50
 * (the write's own share of put-to-get), and the readers' calls per second.
 */
function latencyFigures(latencies: number[], requests: number, written: Written, readerCalls: number, ms: number): { p50: Measured; p99: Measured } {
  const sent = written.sent;
  if (latencies.length < sent) throw new Error(`reader saw ${latencies.length} of ${sent} records`);
  const extra = { records: latencies.length, putRoundTripP50: quantile(written.roundTrips, 0.5), readerCallsPerSecond: Math.round((readerCalls / ms) * 1000) };
  return { p50: { value: quantile(latencies, 0.5), requests, extra }, p99: { value: quantile(latencies, 0.99), extra } };
}

async function createStream(k: LeanKinesis, name: string): Promise<string> {
  await k.createStream(name, SHARDS);
  return k.waitActive(name);
}

/** Put-to-get latency with one reader per shard calling GetRecords back-to-back (no idle wait). */
export const kinesisLatencyPolling: Workload = {
  name: "kinesis-latency-polling",
  weight: 25,
  targets: ["streamlake", "kinesalite"],
  rows: [
    { key: "p50", title: "Kinesis put-to-get latency p50, polling GetRecords", unit: "ms", better: "lower" },
    { key: "p99", title: "Kinesis put-to-get latency p99, polling GetRecords", unit: "ms", better: "lower" },
  ],
  async prepare(target, _ctx, meter) {
    meter.note("readers poll back-to-back (no wait between GetRecords); one 1 KiB PutRecord every ~5 ms");
    const k = new LeanKinesis(target.endpoint, 1);
    try {
      await createStream(k, "bench-latency");
    } finally {
      await k.close();
    }
  },
  async round(target, ctx, _round, meter) {
    const writer = new LeanKinesis(target.endpoint, 1);
    const reader = new LeanKinesis(target.endpoint, SHARDS);
    try {
      const stream = "bench-latency";
      const shards = await reader.shardIds(stream);
      const iterators = await Promise.all(shards.map((s) => reader.iterator(stream, s, "LATEST")));
      const latencies: number[] = [];
      let polls = 0;
      let stop = false;
      const readers = iterators.map(async (first) => {
        let it: string | null | undefined = first;
        while (!stop && typeof it === "string") {
          const page = await reader.getRecords(it, 1000);
          polls++;
          const now = performance.now();
          for (const r of page.Records) latencies.push(now - sentAt(Buffer.from(r.Data, "base64")));
          it = page.NextShardIterator;
        }
      });
      const readersDone = Promise.allSettled(readers);
      try {
        await meter.record("p50", async () => {
          const began = performance.now();
          const written = await paceWriter(writer, stream, ctx.scale.roundMs);
          await waitFor(() => latencies.length >= written.sent, 5_000);
          stop = true;
          throwFirstRejection(await readersDone);
          const f = latencyFigures(latencies, polls + written.sent, written, polls, performance.now() - began);
          meter.set("p99", f.p99);
          return f.p50;
        });
      } finally {
        stop = true;
        await readersDone;
      }
    } finally {
      await writer.close();
      await reader.close();
    }
  },
};

/** Put-to-get latency with SubscribeToShard (enhanced fan-out) on every shard, via the AWS SDK. */
export const kinesisLatencyPush: Workload = {
  name: "kinesis-latency-push",
  weight: 20,
  targets: ["streamlake", "kinesalite"],
  rows: [
    { key: "p50", title: "Kinesis put-to-get latency p50, SubscribeToShard", unit: "ms", better: "lower" },
    { key: "p99", title: "Kinesis put-to-get latency p99, SubscribeToShard", unit: "ms", better: "lower" },
  ],
  async prepare(target, ctx, meter) {
    meter.note("one 1 KiB PutRecord every ~5 ms; one subscription per shard, a new consumer each round");
    const k = new LeanKinesis(target.endpoint, 1);
    try {
      const arn = await createStream(k, "bench-push");
      // Probe before the rounds, so a server without enhanced fan-out is n/a at once.
      await registerConsumer(k, arn, "bench-probe");
      ctx.memo.set(`push:${target.kind}`, arn);
    } finally {
      await k.close();
    }
  },
  async round(target, ctx, round, meter) {
    const arn = ctx.memo.get(`push:${target.kind}`) as string;
    // A fresh consumer per round: AWS refuses a second SubscribeToShard for the same consumer
    // and shard within 5 seconds of the last one (SubscribeToShard API reference).
    const k = new LeanKinesis(target.endpoint, 1);
    let consumerArn: string;
    try {
      consumerArn = await registerConsumer(k, arn, `bench-${round}`);
    } finally {
      await k.close();
    }
    await meter.record("p50", () => pushRound(target, ctx, consumerArn, (f) => meter.set("p99", f)));
  },
};

/** RegisterStreamConsumer, then waits (bounded) until the consumer is ACTIVE; returns its ARN. */
async function registerConsumer(k: LeanKinesis, streamArn: string, name: string): Promise<string> {
  const reg = await k.call<{ Consumer: { ConsumerARN: string } }>("RegisterStreamConsumer", { StreamARN: streamArn, ConsumerName: name });
  const consumerArn = reg.Consumer.ConsumerARN;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const d = await k.call<{ ConsumerDescription: { ConsumerStatus: string } }>("DescribeStreamConsumer", { ConsumerARN: consumerArn });
    if (d.ConsumerDescription.ConsumerStatus === "ACTIVE") return consumerArn;
    if (Date.now() > deadline) throw new Error(`consumer ${name} not ACTIVE after 30 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function pushRound(target: Target, ctx: BenchContext, consumerArn: string, setP99: (m: Measured) => void): Promise<Measured> {
  const writer = new LeanKinesis(target.endpoint, 1);
  const sdk = new KinesisClient({ endpoint: target.endpoint.origin, region: target.endpoint.creds.region, credentials: target.endpoint.creds, maxAttempts: 1 });
  const abort = new AbortController();
  try {
    const shards = await writer.shardIds("bench-push");
    const latencies: number[] = [];
    let events = 0;
    const subscriptions = await Promise.all(
      shards.map((ShardId) =>
        sdk.send(new SubscribeToShardCommand({ ConsumerARN: consumerArn, ShardId, StartingPosition: { Type: "LATEST" } }), { abortSignal: abort.signal }),
      ),
    );
    const readers = subscriptions.map(async (out) => {
      if (out.EventStream === undefined) throw new Error("SubscribeToShard returned no event stream");
      try {
        for await (const event of out.EventStream) {
          if (event.SubscribeToShardEvent === undefined) continue;
          events++;
          const now = performance.now();
          for (const r of event.SubscribeToShardEvent.Records ?? []) if (r.Data !== undefined) latencies.push(now - sentAt(r.Data));
        }
      } catch (err) {
        if (!abort.signal.aborted) throw err;
      }
    });
    const readersDone = Promise.allSettled(readers);
    const began = performance.now();
    const written = await paceWriter(writer, "bench-push", ctx.scale.roundMs);
    await waitFor(() => latencies.length >= written.sent, 5_000);
    abort.abort();
    throwFirstRejection(await readersDone);
    const f = latencyFigures(latencies, written.sent + events, written, events, performance.now() - began);
    setP99(f.p99);
    return f.p50;
  } finally {
    abort.abort();
    sdk.destroy();
    await writer.close();
  }
}
