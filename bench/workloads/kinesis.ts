import { performance } from "node:perf_hooks";
import { runClosedLoop } from "../load/closed-loop.js";
import { LeanKinesis } from "../load/kinesis-client.js";
import type { Workload } from "./workload.js";

const SHARDS = 4;
const RECORDS_PER_CALL = 500;
const RECORD_BYTES = 1024;
const PUTS_IN_FLIGHT = 8;
const DRAIN_LIMIT = 10_000;

/**
 * PutRecords (500 x 1 KiB per call, 8 calls in flight) into a fresh 4-shard stream for one
 * round length, then GetRecords draining every shard from TRIM_HORIZON, all 4 shards at once.
 */
export const kinesisPutDrain: Workload = {
  name: "kinesis-put-drain",
  weight: 40,
  targets: ["streamlake", "kinesalite"],
  rows: [
    { key: "put", title: "Kinesis PutRecords 500 x 1 KiB, 4 shards, 8 in flight", unit: "records/s", better: "higher" },
    { key: "drain", title: "Kinesis GetRecords drain, 4 shards", unit: "records/s", better: "higher" },
  ],
  async round(target, ctx, round, meter) {
    const k = new LeanKinesis(target.endpoint, PUTS_IN_FLIGHT);
    try {
      const stream = `bench-put-${round}`;
      await k.createStream(stream, SHARDS);
      await k.waitActive(stream);
      const prepared = LeanKinesis.preparePut(stream, RECORDS_PER_CALL, RECORD_BYTES, `r${round}`);
      let accepted = 0;
      await meter.record("put", async () => {
        const loop = await runClosedLoop({
          concurrency: PUTS_IN_FLIGHT,
          durationMs: ctx.scale.roundMs,
          op: async () => {
            const failed = await k.putPrepared(prepared);
            accepted += RECORDS_PER_CALL - failed;
            return RECORDS_PER_CALL * RECORD_BYTES;
          },
        });
        return { value: accepted / (loop.elapsedMs / 1000), requests: loop.ops, extra: { calls: loop.ops, clientCpu: loop.clientCpu } };
      });
      const shards = await k.shardIds(stream);
      await meter.record("drain", async () => {
        const t0 = performance.now();
        const deadline = Date.now() + Math.max(30_000, 10 * ctx.scale.roundMs);
        let drained = 0;
        let calls = 0;
        await Promise.all(
          shards.map(async (shardId) => {
            let it: string | null | undefined = await k.iterator(stream, shardId, "TRIM_HORIZON");
            while (typeof it === "string" && Date.now() < deadline) {
              const page = await k.getRecords(it, DRAIN_LIMIT);
              calls++;
              drained += page.Records.length;
              if (page.Records.length === 0 && (page.MillisBehindLatest ?? 0) === 0) break;
              it = page.NextShardIterator;
            }
          }),
        );
        const ms = performance.now() - t0;
        if (drained !== accepted) throw new Error(`drained ${drained} records of ${accepted} accepted`);
        return { value: drained / (ms / 1000), requests: calls, extra: { records: drained, calls } };
      });
    } finally {
      await k.close();
    }
  },
};
