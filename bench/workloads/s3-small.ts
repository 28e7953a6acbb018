import { randomBytes } from "node:crypto";
import { runClosedLoop, type LoopResult } from "../load/closed-loop.js";
import { LeanClient } from "../load/http.js";
import { LeanS3 } from "../load/s3-client.js";
import { quantile } from "../load/stats.js";
import type { Target } from "../targets/targets.js";
import { KiB, type BenchContext, type Measured, type Workload } from "./workload.js";

const IN_FLIGHT = 32;
const SMALL = 4 * KiB;
const BUCKET = "bench-small";

function figures(loop: LoopResult): Measured {
  return {
    value: loop.ops / (loop.elapsedMs / 1000),
    requests: loop.ops,
    extra: { p50Ms: quantile(loop.latencies, 0.5), p99Ms: quantile(loop.latencies, 0.99), clientCpu: loop.clientCpu },
  };
}

/** The load generator's own ceiling: GET / against the no-work server, signed and unsigned. */
export const ceiling: Workload = {
  name: "ceiling",
  weight: 12,
  targets: ["noop"],
  rows: [
    { key: "signed", title: "load generator ceiling, signed GET, 32 in flight", unit: "req/s", better: "higher" },
    { key: "unsigned", title: "load generator ceiling, unsigned GET, 32 in flight", unit: "req/s", better: "higher" },
  ],
  async round(target, ctx, _round, meter) {
    const client = new LeanClient(target.endpoint, "s3", IN_FLIGHT);
    try {
      for (const unsigned of [false, true]) {
        await meter.record(unsigned ? "unsigned" : "signed", async () =>
          figures(
            await runClosedLoop({
              concurrency: IN_FLIGHT,
              durationMs: ctx.scale.roundMs,
              op: async () => (await client.send({ method: "GET", path: "/ceiling", unsigned })).bytes,
            }),
          ),
        );
      }
    } finally {
      await client.close();
    }
  },
};

async function withS3<T>(target: Target, fn: (s3: LeanS3) => Promise<T>): Promise<T> {
  const s3 = new LeanS3(target.endpoint, IN_FLIGHT);
  try {
    return await fn(s3);
  } finally {
    await s3.close();
  }
}

/** PutObject of 4 KiB random bytes for `durationMs`, 32 in flight, a new key under `prefix` each time. */
function putLoop(s3: LeanS3, durationMs: number, prefix: string): Promise<LoopResult> {
  const body = randomBytes(SMALL);
  return runClosedLoop({
    concurrency: IN_FLIGHT,
    durationMs,
    op: async (seq) => {
      await s3.putSmall(BUCKET, `${prefix}/${seq}`, body);
      return SMALL;
    },
  });
}

/** PutObject of 4 KiB objects, 32 in flight, a new key each time. */
export const s3Put4k: Workload = {
  name: "s3-put-4k",
  weight: 40,
  targets: ["streamlake", "s3rver", "fsync", "noop"],
  rows: [{ key: "put", title: "S3 PUT 4 KiB, 32 in flight", unit: "ops/s", better: "higher" }],
  async prepare(target) {
    await withS3(target, (s3) => s3.createBucket(BUCKET));
  },
  async warmUp(target, ctx) {
    await withS3(target, (s3) => putLoop(s3, ctx.scale.warmUpMs, "warm"));
  },
  async round(target, ctx, round, meter) {
    await withS3(target, (s3) => meter.record("put", async () => figures(await putLoop(s3, ctx.scale.roundMs, `put/${round}`))));
  },
};

/** GetObject of the stored 4 KiB objects for `durationMs`, 32 in flight, checking each answer's length. */
function getLoop(s3: LeanS3, target: Target, ctx: BenchContext, durationMs: number): Promise<LoopResult> {
  // The no-work server answers with an empty body; everyone else must return the 4 KiB.
  const expected = target.kind === "noop" ? 0 : SMALL;
  return runClosedLoop({
    concurrency: IN_FLIGHT,
    durationMs,
    maxErrors: 1,
    op: async (seq) => {
      const n = await s3.get(BUCKET, `get/${(seq * 7919) % ctx.scale.getKeys}`);
      if (n !== expected) throw new Error(`GET returned ${n} bytes, expected ${expected}`);
      return n;
    },
  });
}

/** GetObject of 4 KiB objects (1,024 of them in a full run, stored in preparation), 32 in flight. */
export const s3Get4k: Workload = {
  name: "s3-get-4k",
  weight: 40,
  targets: ["streamlake", "s3rver", "fsync", "noop"],
  rows: [{ key: "get", title: "S3 GET 4 KiB, 32 in flight", unit: "ops/s", better: "higher" }],
  async prepare(target, ctx) {
    const body = randomBytes(SMALL);
    await withS3(target, async (s3) => {
      await s3.createBucket(BUCKET);
      await runClosedLoop({ concurrency: IN_FLIGHT, durationMs: 120_000, maxOps: ctx.scale.getKeys, maxErrors: 1, op: (seq) => s3.putSmall(BUCKET, `get/${seq}`, body) });
    });
  },
  async warmUp(target, ctx) {
    await withS3(target, (s3) => getLoop(s3, target, ctx, ctx.scale.warmUpMs));
  },
  async round(target, ctx, _round, meter) {
    await withS3(target, (s3) => meter.record("get", async () => figures(await getLoop(s3, target, ctx, ctx.scale.roundMs))));
  },
};
