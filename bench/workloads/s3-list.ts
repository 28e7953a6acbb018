import { execFile } from "node:child_process";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { runClosedLoop } from "../load/closed-loop.js";
import { LeanS3 } from "../load/s3-client.js";
import { quantile } from "../load/stats.js";
import { PROJECT_ROOT, type Target } from "../targets/targets.js";
import { KEYS_PER_PREFIX, listingKey as keyAt } from "./listing-keys.js";
import type { BenchContext, Meter, Workload } from "./workload.js";

const BUCKET = "bench-list";
const POPULATE_IN_FLIGHT = 64;
const EMPTY = Buffer.alloc(0);

/** PUTs keys [0, count) of the listing bucket through the S3 API (empty objects, 64 in flight), in key order, within capMs. */
async function putKeys(target: Target, count: number, capMs: number): Promise<number> {
  const s3 = new LeanS3(target.endpoint, POPULATE_IN_FLIGHT);
  try {
    await s3.createBucket(BUCKET);
    const loop = await runClosedLoop({
      concurrency: POPULATE_IN_FLIGHT,
      durationMs: capMs,
      maxOps: count,
      maxErrors: 1,
      op: (seq) => s3.putSmall(BUCKET, keyAt(seq), EMPTY),
    });
    return loop.ops;
  } finally {
    await s3.close();
  }
}

/**
 * Seeds keys [first, first + count) into Streamlake's listing bucket through its storage layer
 * (bench/tools/seed-listing.ts, a separate process writing the server's SQLite file), each a copy
 * of the version the server stored for the PUT of key 0. Stopped at capMs after a whole batch.
 */
async function seedKeys(target: Target, first: number, count: number, capMs: number): Promise<number> {
  const tool = join(PROJECT_ROOT, "dist", "bench", "tools", "seed-listing.js");
  const db = join(target.dataDir, "meta", "s3.db");
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [tool, db, BUCKET, keyAt(0), String(first), String(count)], (err, stdout, stderr) => {
      clearTimeout(cap);
      if (err !== null) return reject(new Error(`seed-listing: ${err.message} ${stderr}`));
      const { seeded } = JSON.parse(stdout) as { seeded: number };
      resolve(seeded);
    });
    const cap = setTimeout(() => child.kill("SIGTERM"), capMs);
  });
}

/**
 * Fills the listing bucket of one target until it holds the scale's number of prefixes or the
 * time cap is reached; resolves to how many keys it holds. Done once per target and shared by both
 * listing workloads. s3rver: every key through the S3 API. Streamlake: its first prefix (1,000
 * keys) through the S3 API, the rest seeded through its storage layer, as a million PUTs over HTTP
 * do not fit in the run on 2 cores (README).
 */
async function populate(target: Target, ctx: BenchContext, meter: Pick<Meter, "note">): Promise<number> {
  const memoKey = `list-population:${target.kind}`;
  const known = ctx.memo.get(memoKey);
  if (typeof known === "number") return known;
  const kind = target.kind === "streamlake" ? "streamlake" : "s3rver";
  const wanted = ctx.scale.listPrefixes[kind] * KEYS_PER_PREFIX;
  // Leave room for the listing rounds after populating: never run into the run's deadline.
  // s3rver (populated first, at most 100,000 keys) may take at most half of the time left.
  const available = ctx.workloadDeadline - Date.now() - 6 * ctx.scale.roundMs;
  const share = kind === "s3rver" ? available / 2 : available;
  const capMs = Math.max(3_000, Math.min(ctx.scale.populateCapMs[kind], share));
  const t0 = performance.now();
  const viaApi = await putKeys(target, kind === "streamlake" ? Math.min(wanted, KEYS_PER_PREFIX) : wanted, capMs);
  let seeded = 0;
  if (kind === "streamlake" && viaApi === Math.min(wanted, KEYS_PER_PREFIX) && wanted > viaApi) {
    seeded = await seedKeys(target, viaApi, wanted - viaApi, Math.max(1_000, capMs - (performance.now() - t0)));
  }
  const stored = viaApi + seeded;
  const seconds = (performance.now() - t0) / 1000;
  const how = seeded === 0 ? "through the S3 API" : `${viaApi.toLocaleString("en-US")} through the S3 API, ${seeded.toLocaleString("en-US")} seeded through the storage layer`;
  ctx.log(`  populated ${target.kind}: ${stored} keys in ${seconds.toFixed(1)} s (${how})`);
  if (seeded > 0) meter.note(`bucket filled in ${seconds.toFixed(0)} s: ${how} (bench/tools/seed-listing.ts: copies of the stored PUT of ${keyAt(0)}, written by the PutObject commit code)`);
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
