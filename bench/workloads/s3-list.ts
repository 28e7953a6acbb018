import { performance } from "node:perf_hooks";
import { runClosedLoop } from "../load/closed-loop.js";
import { LeanS3 } from "../load/s3-client.js";
import { quantile } from "../load/stats.js";
import type { Target } from "../targets/targets.js";
import type { BenchContext, Meter, Workload } from "./workload.js";

const BUCKET = "bench-list";
const KEYS_PER_PREFIX = 1000;
const POPULATE_IN_FLIGHT = 64;
const EMPTY = Buffer.alloc(0);

/** Key `i` of the listing bucket: p000/k000 ... p999/k999 (1,000 prefixes of 1,000 keys). */
function keyAt(i: number): string {
  const p = Math.floor(i / KEYS_PER_PREFIX);
  const k = i % KEYS_PER_PREFIX;
  return `p${String(p).padStart(3, "0")}/k${String(k).padStart(3, "0")}`;
}

/**
 * Fills the listing bucket of one target through the S3 API (empty objects, 64 in flight), in
 * key order, until it holds the scale's number of prefixes or the time cap is reached.
 * Resolves to how many keys it holds; done once per target and shared by both listing workloads.
 */
async function populate(target: Target, ctx: BenchContext, meter: Pick<Meter, "note">): Promise<number> {
  const memoKey = `list-population:${target.kind}`;
  const known = ctx.memo.get(memoKey);
  if (typeof known === "number") return known;
  const kind = target.kind === "streamlake" ? "streamlake" : "s3rver";
  const wanted = ctx.scale.listPrefixes[kind] * KEYS_PER_PREFIX;
  // Leave room for the listing rounds after populating: never run into the run's deadline.
  // Streamlake's million keys come first: s3rver (populated first, at most 100,000 keys) may
  // take at most a third of the time left.
  const available = ctx.workloadDeadline - Date.now() - 6 * ctx.scale.roundMs;
  const share = kind === "s3rver" ? available / 3 : available;
  const capMs = Math.max(3_000, Math.min(ctx.scale.populateCapMs[kind], share));
  const s3 = new LeanS3(target.endpoint, POPULATE_IN_FLIGHT);
  const t0 = performance.now();
  let stored: number;
  try {
    await s3.createBucket(BUCKET);
    const loop = await runClosedLoop({
      concurrency: POPULATE_IN_FLIGHT,
      durationMs: capMs,
      maxOps: wanted,
      maxErrors: 1,
      op: (seq) => s3.putSmall(BUCKET, keyAt(seq), EMPTY),
    });
    stored = loop.ops;
  } finally {
    await s3.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  ctx.log(`  populated ${target.kind}: ${stored} keys in ${seconds.toFixed(1)} s (${Math.round(stored / seconds)} PUT/s)`);
  if (stored < wanted) meter.note(`populating stopped at the ${Math.round(capMs / 1000)} s cap: ${stored.toLocaleString("en-US")} of ${wanted.toLocaleString("en-US")} keys`);
  ctx.memo.set(memoKey, stored);
  return stored;
}

/** ListObjectsV2 pages (1,000 keys each) over every key under the scale's prefix (100,000 keys in a full run). */
export const s3List100k: Workload = {
  name: "s3-list-100k",
  weight: 160,
  // s3rver first: it populates (at most 100,000 keys) before Streamlake takes the time left.
  targets: ["s3rver", "streamlake"],
  rows: [{ key: "list", title: "S3 ListObjectsV2 over 100,000 keys", unit: "keys/s", better: "higher" }],
  async prepare(target, ctx, meter) {
    const stored = await populate(target, ctx, meter);
    const prefixes = ctx.scale.listPrefix === "p0" ? 100 : 10;
    const expected = Math.min(stored, prefixes * KEYS_PER_PREFIX);
    meter.note(`lists ${expected.toLocaleString("en-US")} keys under prefix ${ctx.scale.listPrefix}`);
  },
  async round(target, ctx, _round, meter) {
    const s3 = new LeanS3(target.endpoint, 1);
    // A slow server is measured on the pages it serves within the cap, not waited on for minutes.
    const capMs = 3 * ctx.scale.roundMs;
    try {
      await meter.record("list", async () => {
        const t0 = performance.now();
        let keys = 0;
        let pages = 0;
        let token: string | undefined;
        for (let guard = 0; guard < 10_000; guard++) {
          const page = await s3.listPage(BUCKET, { prefix: ctx.scale.listPrefix, maxKeys: 1000, ...(token === undefined ? {} : { token }) });
          keys += page.keys;
          pages++;
          if (!page.truncated || page.nextToken === undefined) break;
          if (performance.now() - t0 > capMs) {
            meter.note(`a round stops after ${capMs / 1000} s: keys/s over the pages served by then`);
            break;
          }
          token = page.nextToken;
        }
        const ms = performance.now() - t0;
        if (keys === 0) throw new Error("listing returned no keys");
        return { value: keys / (ms / 1000), requests: pages, extra: { keys, pages, seconds: ms / 1000 } };
      });
    } finally {
      await s3.close();
    }
  },
};

/** Latency of ListObjectsV2 with Delimiter=/ at the top of the 1,000,000-key bucket (1,000 prefixes). */
export const s3ListDelimited: Workload = {
  name: "s3-list-delimited-1m",
  weight: 30,
  // s3rver first: it populates (at most 100,000 keys) before Streamlake takes the time left.
  targets: ["s3rver", "streamlake"],
  rows: [{ key: "latency", title: "S3 delimited top-level listing, 1,000,000 keys in 1,000 prefixes", unit: "ms", better: "lower" }],
  async prepare(target, ctx, meter) {
    const stored = await populate(target, ctx, meter);
    meter.note(`bucket holds ${stored.toLocaleString("en-US")} keys in ${Math.ceil(stored / KEYS_PER_PREFIX)} prefixes`);
  },
  async round(target, ctx, _round, meter) {
    const s3 = new LeanS3(target.endpoint, 1);
    try {
      await meter.record("latency", async () => {
        const times: number[] = [];
        let prefixes = 0;
        const start = performance.now();
        // Five listings per round, fewer when each takes long (bounded by the round length).
        for (let i = 0; i < 5 && (i === 0 || performance.now() - start < ctx.scale.roundMs); i++) {
          const t0 = performance.now();
          let token: string | undefined;
          prefixes = 0;
          for (let guard = 0; guard < 1000; guard++) {
            const page = await s3.listPage(BUCKET, { delimiter: "/", maxKeys: 1000, ...(token === undefined ? {} : { token }) });
            prefixes += page.commonPrefixes;
            if (!page.truncated || page.nextToken === undefined) break;
            token = page.nextToken;
          }
          times.push(performance.now() - t0);
        }
        if (prefixes === 0) throw new Error("delimited listing returned no common prefixes");
        return { value: quantile(times, 0.5), requests: times.length, extra: { prefixes, minMs: Math.min(...times) } };
      });
    } finally {
      await s3.close();
    }
  },
};
