import { performance } from "node:perf_hooks";
import { BLOCK, crc32Base64, GeneratedBody } from "../load/body.js";
import { LeanS3 } from "../load/s3-client.js";
import type { Target } from "../targets/targets.js";
import { MiB, type BenchContext, type Measured, type Workload } from "./workload.js";

const BUCKET = "bench-large";
const KEY = "big/object";
const PART = 8 * MiB;
const PARTS_IN_FLIGHT = 4;

let generator: GeneratedBody | undefined;
function body(): GeneratedBody {
  generator ??= new GeneratedBody();
  return generator;
}

function sizeNote(ctx: BenchContext): string | undefined {
  return ctx.scale.bigBytes === 1024 * MiB ? undefined : `object size ${ctx.scale.bigBytes / MiB} MiB (quick run), not 1 GiB`;
}

async function withS3<T>(target: Target, connections: number, fn: (s3: LeanS3) => Promise<T>): Promise<T> {
  const s3 = new LeanS3(target.endpoint, connections);
  try {
    return await fn(s3);
  } finally {
    await s3.close();
  }
}

async function putBig(s3: LeanS3, key: string, bytes: number): Promise<Measured> {
  const blocks = bytes / BLOCK;
  const crc = crc32Base64(body().crc32(0, blocks));
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await s3.putStream(BUCKET, key, body().stream(0, blocks), bytes, crc);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { value: bytes / MiB / (ms / 1000), requests: 1, extra: { seconds: ms / 1000, clientCpu: (cpu.user + cpu.system) / 1000 / ms } };
}

/** PutObject of one large generated object (streamed; UNSIGNED-PAYLOAD with a CRC32 computed ahead). */
export const s3Put1g: Workload = {
  name: "s3-put-1g",
  weight: 50,
  targets: ["streamlake", "s3rver", "fsync", "noop"],
  rows: [{ key: "put", title: "S3 PUT 1 GiB object", unit: "MiB/s", better: "higher" }],
  async prepare(target, ctx, meter) {
    const note = sizeNote(ctx);
    if (note !== undefined) meter.note(note);
    body().crc32(0, ctx.scale.bigBytes / BLOCK);
    await withS3(target, 1, (s3) => s3.createBucket(BUCKET));
  },
  async round(target, ctx, _round, meter) {
    await withS3(target, 1, (s3) => meter.record("put", () => putBig(s3, KEY, ctx.scale.bigBytes)));
    ctx.memo.set(`big-object:${target.kind}`, true);
  },
};

/** GetObject of the large object (stored in preparation), streamed and counted. */
export const s3Get1g: Workload = {
  name: "s3-get-1g",
  weight: 35,
  targets: ["streamlake", "s3rver", "fsync"],
  rows: [{ key: "get", title: "S3 GET 1 GiB object", unit: "MiB/s", better: "higher" }],
  async prepare(target, ctx, meter) {
    const note = sizeNote(ctx);
    if (note !== undefined) meter.note(note);
    // Reuse the object the PUT workload stored; store it only when that workload did not run.
    if (ctx.memo.get(`big-object:${target.kind}`) === true) return;
    await withS3(target, 1, async (s3) => {
      await s3.createBucket(BUCKET);
      await putBig(s3, KEY, ctx.scale.bigBytes);
    });
    ctx.memo.set(`big-object:${target.kind}`, true);
  },
  async round(target, ctx, _round, meter) {
    await withS3(target, 1, (s3) =>
      meter.record("get", async () => {
        const t0 = performance.now();
        const n = await s3.get(BUCKET, KEY);
        const ms = performance.now() - t0;
        if (n !== ctx.scale.bigBytes) throw new Error(`GET returned ${n} bytes, expected ${ctx.scale.bigBytes}`);
        return { value: n / MiB / (ms / 1000), requests: 1, extra: { seconds: ms / 1000 } };
      }),
    );
  },
  async finish(target, ctx) {
    await withS3(target, 1, (s3) => s3.deleteObject(BUCKET, KEY));
    ctx.memo.delete(`big-object:${target.kind}`);
  },
};

/**
 * Multipart upload of the large object in 8 MiB parts, 4 in flight, each part with its CRC32.
 * The reference servers have no multipart API: they get the same part PUTs as plain objects.
 */
export const s3Multipart1g: Workload = {
  name: "s3-multipart-1g",
  weight: 45,
  targets: ["streamlake", "s3rver", "fsync", "noop"],
  rows: [{ key: "upload", title: "S3 multipart upload 1 GiB, 8 MiB parts, 4 in flight", unit: "MiB/s", better: "higher" }],
  async prepare(target, ctx, meter) {
    const note = sizeNote(ctx);
    if (note !== undefined) meter.note(note);
    if (target.kind === "fsync" || target.kind === "noop") meter.note("parts sent as plain PUTs (no multipart API)");
    await withS3(target, 1, (s3) => s3.createBucket(BUCKET));
  },
  async round(target, ctx, _round, meter) {
    const reference = target.kind === "fsync" || target.kind === "noop";
    const partBlocks = PART / BLOCK;
    const parts = ctx.scale.bigBytes / PART;
    const key = "multipart/object";
    await withS3(target, PARTS_IN_FLIGHT, (s3) =>
      meter.record("upload", async () => {
        const t0 = performance.now();
        const uploadId = reference ? "" : await s3.createMultipart(BUCKET, key);
        const done: { part: number; etag: string; crc32: string }[] = [];
        let next = 0;
        const worker = async (): Promise<void> => {
          while (next < parts) {
            const index = next++;
            const first = index * partBlocks;
            const crc = crc32Base64(body().crc32(first, partBlocks));
            const stream = body().stream(first, partBlocks);
            const etag = reference
              ? (await s3.putStream(BUCKET, `${key}.part${index + 1}`, stream, PART, crc), "")
              : await s3.uploadPart(BUCKET, key, uploadId, index + 1, stream, PART, crc);
            done.push({ part: index + 1, etag, crc32: crc });
          }
        };
        await Promise.all(Array.from({ length: PARTS_IN_FLIGHT }, () => worker()));
        if (!reference) {
          done.sort((a, b) => a.part - b.part);
          await s3.completeMultipart(BUCKET, key, uploadId, done);
        }
        const ms = performance.now() - t0;
        return { value: ctx.scale.bigBytes / MiB / (ms / 1000), requests: parts + (reference ? 0 : 2), extra: { seconds: ms / 1000 } };
      }),
    );
  },
  async finish(target, ctx) {
    const reference = target.kind === "fsync" || target.kind === "noop";
    const parts = ctx.scale.bigBytes / PART;
    await withS3(target, 4, async (s3) => {
      if (!reference) await s3.deleteObject(BUCKET, "multipart/object");
      else for (let i = 1; i <= parts; i++) await s3.deleteObject(BUCKET, `multipart/object.part${i}`);
    });
  },
};
