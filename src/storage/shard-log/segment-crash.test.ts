import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { appendFile, readFile, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "../../util/logger.js";
import type { LogRecord, ShardLog } from "./shard-log.js";
import { createSegmentShardLogStore } from "./segment-shard-log.js";
import { logDirFor } from "./log-paths.js";
import { crashPayload } from "./crash-payload.js";
import { tempRoots } from "./temp-roots.js";

const tempRoot = tempRoots("shard-log-crash-");

function captureLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const note = (msg: string, fields?: Record<string, unknown>): void => {
    warnings.push(`${msg} ${JSON.stringify(fields ?? {})}`);
  };
  return { warnings, info: () => undefined, debug: () => undefined, warn: note, error: note };
}

async function readAll(log: ShardLog): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for (;;) {
    const page = await log.read(out.length === 0 ? 0n : out[out.length - 1]!.seq + 1n, { maxRecords: 5000, maxBytes: 8 << 20 });
    if (page.length === 0) return out;
    out.push(...page);
  }
}

const record = (i: number): { timestamp: number; partitionKey: string; data: Buffer } => ({
  timestamp: 5000 + i,
  partitionKey: `k${i}`,
  data: Buffer.alloc(40 + i, `<${i}>`),
});

describe("segment shard log: torn tails", () => {
  type Damage = (lastFrame: Buffer) => Buffer;
  const cases: Record<string, Damage> = {
    "random garbage": () => Buffer.from("\x93garbage that is not a frame at all, honestly"),
    "zero-filled pages": () => Buffer.alloc(8192),
    "a partially written frame": (f) => f.subarray(0, f.length - 7),
    "a partial frame header": (f) => f.subarray(0, 5),
    "a complete frame with a bad checksum": (f) => {
      const copy = Buffer.from(f);
      copy[copy.length - 1]! ^= 0x55;
      return copy;
    },
    "a valid frame with a repeated seq": (f) => Buffer.from(f),
  };

  for (const [name, damage] of Object.entries(cases)) {
    it(`cuts ${name} and keeps every complete frame`, async () => {
      const root = await tempRoot();
      const id = "crash/torn";
      const dir = logDirFor(root, id);
      const opts = { dir: root, segmentBytes: 500 };
      let store = createSegmentShardLogStore(opts);
      let log = await store.open(id);
      for (let i = 0; i < 12; i += 3) await log.append([record(i), record(i + 1), record(i + 2)]);
      await store.close();

      const segs = (await readdir(dir)).filter((n) => n.endsWith(".seg")).sort();
      assert.ok(segs.length >= 2, "the damage should hit the last of several segments");
      const tail = join(dir, segs[segs.length - 1]!);
      const intact = await readFile(tail);
      const lastFrameLen = 26 + "k11".length + 40 + 11;
      await appendFile(tail, damage(intact.subarray(intact.length - lastFrameLen)));

      const logger = captureLogger();
      store = createSegmentShardLogStore({ ...opts, logger });
      log = await store.open(id);
      // Zeros alone are what a log writes ahead of its next frames (prepared-tail.ts): cut without a warning.
      const warned = logger.warnings.some((w) => w.includes("torn tail"));
      assert.equal(warned, name !== "zero-filled pages", logger.warnings.join("\n"));
      assert.equal((await stat(tail)).size, intact.length);
      assert.equal(log.nextSeq(), 12n);
      let all = await readAll(log);
      assert.deepEqual(
        all.map((r) => r.partitionKey),
        Array.from({ length: 12 }, (_, i) => `k${i}`),
      );
      all.forEach((r, i) => assert.ok(Buffer.from(r.data).equals(record(i).data)));
      assert.deepEqual(await log.append([record(12)]), [12n]);
      await store.close();

      store = createSegmentShardLogStore(opts);
      log = await store.open(id);
      all = await readAll(log);
      assert.equal(all.length, 13);
      assert.equal(all[12]!.partitionKey, "k12");
      await store.close();
    });
  }
});

interface Ack {
  readonly writer: string;
  readonly counter: number;
  readonly length: number;
}

/** Runs crash-writer.js until it has acknowledged at least `minAcks` records, then kill -9s it. */
async function runAndKill(root: string, id: string, segmentBytes: number, label: string, minAcks: number): Promise<Map<bigint, Ack>> {
  const script = fileURLToPath(new URL("./crash-writer.js", import.meta.url));
  const child = spawn(process.execPath, [script, root, id, String(segmentBytes), label], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  let lines = 0;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`crash writer made ${lines} acks before the deadline; stderr: ${err}`)), 60_000);
    child.stdout.on("data", (chunk: Buffer) => {
      const text = chunk.toString();
      out += text;
      for (const c of text) if (c === "\n") lines++;
      if (lines > minAcks) {
        clearTimeout(deadline);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(deadline);
      reject(new Error(`crash writer exited early (${code}): ${err}`));
    });
  });
  child.kill("SIGKILL");
  await exited;
  const acks = new Map<bigint, Ack>();
  const complete = out.slice(0, out.lastIndexOf("\n"));
  for (const line of complete.split("\n")) {
    if (line.startsWith("ready")) continue;
    const [seq, writer, counter, length] = line.split(" ");
    acks.set(BigInt(seq!), { writer: writer!, counter: Number(counter), length: Number(length) });
  }
  return acks;
}

describe("segment shard log: kill -9", () => {
  it("keeps every acknowledged record across repeated kill -9 of a concurrent writer", async () => {
    const root = await tempRoot();
    const id = "crash/kill9";
    const segmentBytes = 256 * 1024;
    const acked = new Map<bigint, Ack>();
    for (let run = 0; run < 3; run++) {
      const acks = await runAndKill(root, id, segmentBytes, `run${run}`, 3000);
      for (const [seq, ack] of acks) {
        assert.equal(acked.has(seq), false, `seq ${seq} was acknowledged twice`);
        acked.set(seq, ack);
      }
      const store = createSegmentShardLogStore({ dir: root, segmentBytes });
      const log = await store.open(id);
      const bySeq = new Map((await readAll(log)).map((r) => [r.seq, r]));
      let maxSeq = -1n;
      for (const [seq, ack] of acked) {
        const r = bySeq.get(seq);
        assert.ok(r !== undefined, `acknowledged seq ${seq} is missing after kill -9`);
        assert.equal(r.partitionKey, ack.writer);
        assert.ok(Buffer.from(r.data).equals(crashPayload(ack.writer, ack.counter, ack.length)), `payload of seq ${seq}`);
        if (seq > maxSeq) maxSeq = seq;
      }
      assert.ok(log.nextSeq() > maxSeq);
      assert.equal(BigInt(bySeq.size), log.nextSeq());
      await store.close();
    }
    const segs = (await readdir(logDirFor(root, id))).filter((n) => n.endsWith(".seg"));
    assert.ok(segs.length > 3, `expected several segments, got ${segs.length}`);
  });
});
