// Micro benchmark of the segment shard log (not a test).
// Usage: node dist/src/storage/shard-log/bench-shard-log.js [--dir <parent dir>] [--seconds 5]
// Prints durable appends/s for 1 KiB records (32 concurrent appenders of 500-record batches, plus
// a PutRecord-like case of 32 appenders of single records) and reads/s (sequential scan and
// random-position GetRecords-sized reads).
import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createSegmentShardLogStore } from "./segment-shard-log.js";
import type { AppendInput, ShardLog } from "./shard-log.js";
import { WRITES_ARE_DURABLE } from "./segment.js";

const { values } = parseArgs({ options: { dir: { type: "string" }, seconds: { type: "string" } } });
const parent = values.dir ?? tmpdir();
const seconds = Number(values.seconds ?? "5");
const RECORD_BYTES = 1024;
const payload = Buffer.alloc(RECORD_BYTES, "x");

/**
 * Counts durable writes so the report can show how many records share one: fdatasync calls, or
 * where segments are opened with O_DSYNC (segment.ts WRITES_ARE_DURABLE) the group commits' writev.
 */
async function countSyncs(dir: string): Promise<{ count: () => number; restore: () => void }> {
  const probe = await open(join(dir, "probe"), "w");
  const proto = Object.getPrototypeOf(probe) as Record<"datasync" | "writev", (...args: unknown[]) => Promise<unknown>>;
  await probe.close();
  const method = WRITES_ARE_DURABLE ? "writev" : "datasync";
  const original = proto[method];
  let n = 0;
  proto[method] = function (this: unknown, ...args: unknown[]) {
    n++;
    return original.apply(this, args);
  };
  return { count: () => n, restore: () => void (proto[method] = original) };
}

function batchOf(size: number): AppendInput[] {
  const now = Date.now();
  return Array.from({ length: size }, (_, i) => ({ timestamp: now, partitionKey: `partition-key-${i % 97}`, data: payload }));
}

async function appendPhase(log: ShardLog, appenders: number, batchSize: number, dir: string): Promise<void> {
  const syncs = await countSyncs(dir);
  const before = syncs.count();
  const batch = batchOf(batchSize);
  const deadline = performance.now() + seconds * 1000;
  let records = 0;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: appenders }, async () => {
      while (performance.now() < deadline) {
        await log.append(batch);
        records += batchSize;
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  const cpu = cpuMicros(cpu0);
  const fsyncs = syncs.count() - before;
  syncs.restore();
  console.log(
    `append  ${appenders} appenders x ${batchSize}-record batches: ${fmt(records / elapsed)} records/s, ` +
      `${fmt((records * RECORD_BYTES) / elapsed / 2 ** 20)} MiB/s, ${fmt(fsyncs / elapsed)} fsyncs/s, ` +
      `${fmt(records / Math.max(1, fsyncs))} records/fsync, ${(cpu / records).toFixed(2)} CPU µs/record (${records} records in ${elapsed.toFixed(1)} s)`,
  );
}

async function readPhase(log: ShardLog): Promise<void> {
  const first = log.firstSeq();
  const end = log.nextSeq();
  let start = performance.now();
  let cpu0 = process.cpuUsage();
  let records = 0;
  for (let from = first; from < end; ) {
    const page = await log.read(from, { maxRecords: 10_000, maxBytes: 10 * 2 ** 20 });
    if (page.length === 0) break;
    records += page.length;
    from = page[page.length - 1]!.seq + 1n;
  }
  let elapsed = (performance.now() - start) / 1000;
  console.log(
    `read    sequential, 10 MiB pages: ${fmt(records / elapsed)} records/s, ${fmt((records * RECORD_BYTES) / elapsed / 2 ** 20)} MiB/s, ` +
      `${(cpuMicros(cpu0) / records).toFixed(2)} CPU µs/record`,
  );

  const span = Number(end - first);
  const reads = 20_000;
  start = performance.now();
  cpu0 = process.cpuUsage();
  records = 0;
  const concurrency = 16;
  let issued = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued < reads) {
        issued++;
        const from = first + BigInt(Math.floor(Math.random() * span));
        const page = await log.read(from, { maxRecords: 100, maxBytes: 10 * 2 ** 20 });
        records += page.length;
      }
    }),
  );
  elapsed = (performance.now() - start) / 1000;
  console.log(
    `read    random seq, 100-record reads x ${concurrency} concurrent: ${fmt(reads / elapsed)} reads/s ` +
      `(${fmt(records / elapsed)} records/s), ${(cpuMicros(cpu0) / reads).toFixed(0)} CPU µs/read`,
  );
}

/** Raw write+fdatasync loop on the same disk, for context: the log cannot beat its disk. */
async function diskBaseline(dir: string): Promise<void> {
  for (const size of [1024, 16 * 2 ** 20]) {
    const fh = await open(join(dir, "baseline"), "w");
    const buf = Buffer.alloc(size, 1);
    let pos = 0;
    let rounds = 0;
    const start = performance.now();
    while (performance.now() - start < 1000) {
      await fh.write(buf, 0, size, pos);
      await fh.datasync();
      pos += size;
      rounds++;
    }
    const elapsed = (performance.now() - start) / 1000;
    await fh.close();
    console.log(`disk    raw ${size}-byte write+fdatasync: ${fmt(rounds / elapsed)} fsyncs/s, ${fmt(pos / elapsed / 2 ** 20)} MiB/s`);
  }
}

/** CPU time (user + system) this process used since `since`, in µs. */
function cpuMicros(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return d.user + d.system;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

const dir = await mkdtemp(join(parent, "bench-shard-log-"));
console.log(`shard log bench in ${dir} (${RECORD_BYTES}-byte records, ${seconds} s per append case)`);
try {
  await diskBaseline(dir);
  // Counts FileHandle writes (countSyncs), so small commits stay off the log's own write threads.
  let store = createSegmentShardLogStore({ dir, writeThreads: false });
  let log = await store.open("bench-stream/shardId-000000000000");
  await appendPhase(log, 32, 500, dir);
  const single = await store.open("bench-stream/shardId-000000000001");
  await appendPhase(single, 32, 1, dir);
  await appendPhase(single, 1, 1, dir);
  await store.close();
  store = createSegmentShardLogStore({ dir, writeThreads: false });
  const openStart = performance.now();
  log = await store.open("bench-stream/shardId-000000000000");
  console.log(`open    ${log.nextSeq()} records: ${(performance.now() - openStart).toFixed(0)} ms (last segment verified, sealed ones from their index)`);
  await readPhase(log);
  await store.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}
